package org.fossinfra.config;

import java.nio.file.Path;

/**
 * This node: its name (shown on the dashboard and in events; defaults to the host name) and the directory where it
 * keeps state (defaults to {@code ./data}).
 */
public record NodeConfig(String name, Path dataDir) {
}
