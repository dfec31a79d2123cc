/** Demo backend servers for {@code ./foss-infra demo}: a fast one, a slow one and a flaky one, on loopback. */
package org.fossinfra.demo;
