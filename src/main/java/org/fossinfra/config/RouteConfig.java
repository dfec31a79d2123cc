package org.fossinfra.config;

import java.util.List;

/**
 * One routing rule: when every condition holds (logical AND), the request goes to {@code backend}. A condition with
 * several values (e.g. two path prefixes) holds when any value matches (logical OR), like HAProxy ACLs.
 */
public record RouteConfig(String backend, List<Condition> conditions, int line) {
    public RouteConfig {
        conditions = List.copyOf(conditions);
    }

    /** What a rule can test on a request head. */
    public sealed interface Condition {
        /**
         * The request's path, in {@link PathNormalizer}'s normal form, is one of the prefixes or lies below one of
         * them, whole segments only: {@code /api} holds for {@code /api}, {@code /api/} and {@code /api/x}, not for
         * {@code /apix}. The prefixes are normal paths (the reader refuses others).
         */
        record PathPrefix(List<String> prefixes) implements Condition {
            public PathPrefix {
                prefixes = List.copyOf(prefixes);
            }
        }

        /**
         * The request target, byte for byte as the client sent it, starts with one of the prefixes: no normalising,
         * no segment boundary (HAProxy's {@code path_beg}). For a rule that must see the exact bytes, or match
         * {@code /api} and {@code /apix} alike; {@code //api} and {@code /%61pi} do not match it.
         */
        record PathPrefixRaw(List<String> prefixes) implements Condition {
            public PathPrefixRaw {
                prefixes = List.copyOf(prefixes);
            }
        }

        /** The Host header (without port, case-insensitive) equals one of the names; "*.example.com" matches subdomains. */
        record Host(List<String> names) implements Condition {
            public Host {
                names = List.copyOf(names);
            }
        }

        /** The header is present (any value). */
        record HeaderPresent(String name) implements Condition {
        }

        /** The header is present with exactly this value (case-sensitive value, case-insensitive name). */
        record HeaderEquals(String name, String value) implements Condition {
        }

        /** The request asks for a WebSocket upgrade (Upgrade: websocket, Connection: upgrade). */
        record WebSocket() implements Condition {
        }
    }
}
