package org.fossinfra.config;

/**
 * An address to bind or connect to. {@code host} is a literal IP or a DNS name; port 0 on a bind means "any free
 * port" (tests use it).
 */
public record HostPort(String host, int port) {
    public HostPort {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("host: empty (expected: an IP address or a host name)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
        }
    }

    /**
     * Parses {@code host:port}, {@code [v6]:port} or {@code *:port} (all IPv4 addresses).
     *
     * @throws IllegalArgumentException with a message fit for a config error: {@code problem; fix}
     */
    public static HostPort parse(String text) {
        String s = text.trim();
        String example = "write host:port, e.g. 127.0.0.1:8080";
        if (s.contains("://")) {
            throw new IllegalArgumentException("'" + text + "' has a scheme; write host:port without http:// or https://");
        }
        int colon;
        String host;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("'" + text + "' is not [ipv6]:port; write e.g. [::1]:8080");
            }
            host = s.substring(1, close);
            colon = close + 1;
        } else {
            colon = s.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("'" + text + "' has no port; " + example);
            }
            host = s.substring(0, colon);
            if (host.indexOf(':') >= 0) {
                throw new IllegalArgumentException("'" + text + "' has an IPv6 address without brackets; write e.g. [::1]:8080");
            }
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' has no host; " + example + ", or *:8080 for every address");
        }
        for (int i = 0; i < host.length(); i++) {
            if (host.charAt(i) <= ' ' || host.charAt(i) == '/') {
                throw new IllegalArgumentException("'" + text + "' is not a host name or an IP address; " + example);
            }
        }
        if (host.equals("*")) {
            host = "0.0.0.0";
        }
        String portText = s.substring(colon + 1);
        // ASCII digits only: Integer.parseInt would also take "+80" and non-Latin digits.
        if (portText.isEmpty() || portText.length() > 9 || !portText.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'" + text + "': port '" + portText + "' is not a number; " + example);
        }
        int port = Integer.parseInt(portText);
        if (port > 65535) {
            throw new IllegalArgumentException("'" + text + "': port " + port + " is out of range; use 0..65535");
        }
        return new HostPort(host, port);
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
