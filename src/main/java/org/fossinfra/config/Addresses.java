package org.fossinfra.config;

/** host:port values: a bind may be a wildcard and use port 0, a server address may not. */
final class Addresses {
    private Addresses() {
    }

    static HostPort bind(String text) {
        return parse(text);
    }

    static HostPort server(String text) {
        HostPort address = parse(text);
        if (isWildcard(address)) {
            throw new Invalid("'" + text + "' is a wildcard, which only makes sense for a bind",
                    "write the server's own address, e.g. 127.0.0.1:4000");
        }
        if (address.port() == 0) {
            throw new Invalid("'" + text + "' has port 0", "write the port the server listens on (1..65535)");
        }
        return address;
    }

    /** 0.0.0.0 or ::, i.e. every local address; it collides with any other bind on the same port. */
    static boolean isWildcard(HostPort address) {
        return address.host().equals("0.0.0.0") || address.host().equals("::") || address.host().equals("0:0:0:0:0:0:0:0");
    }

    private static HostPort parse(String text) {
        try {
            return HostPort.parse(text);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            int split = message.indexOf("; ");
            return split < 0
                    ? fail(message, "write host:port, e.g. 127.0.0.1:8080")
                    : fail(message.substring(0, split), message.substring(split + 2));
        }
    }

    private static HostPort fail(String problem, String fix) {
        throw new Invalid(problem, fix);
    }
}
