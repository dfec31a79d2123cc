/** The composition root: builds a node's parts from a config and starts them in order. */
package org.fossinfra.app;
