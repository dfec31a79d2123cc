/** The YAML configuration: immutable records, {@code ${ENV}} substitution, and validation errors that name file and line. */
package org.fossinfra.config;
