/** The admin listener: the JSON API (bearer tokens) and the live dashboard (sign-in sessions), on its own port. */
package org.fossinfra.web;
