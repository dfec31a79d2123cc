/** The command line: {@code demo}, {@code run}, {@code check-config}, {@code hash-password}. */
package org.fossinfra.cli;
