/** The admin listener: JSON API with bearer tokens (and later the dashboard), on its own port. */
package org.fossinfra.web;
