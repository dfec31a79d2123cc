/** The command line: {@code demo}, {@code run}, {@code check-config}. */
package org.fossinfra.cli;
