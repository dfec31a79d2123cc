package org.fossinfra.proxy;

import io.netty.buffer.ByteBuf;
import org.fossinfra.config.FrontendConfig;

/**
 * What a frontend tells servers about the client: X-Forwarded-For (and, in {@code replace} mode, the removal of the
 * client's X-Forwarded-For, X-Real-IP and Forwarded) and X-Forwarded-Proto. One per frontend snapshot; it decides per
 * request into a {@link Plan} that {@link HeadWriter} follows without deciding anything itself.
 *
 * <p>X-Forwarded-Proto: a trusted proxy's value is kept (it knows the scheme its client used; we only see its
 * connection to us), anyone else's is replaced by ours. Ours comes from {@link #protoLine} alone, so that TLS
 * termination, when it comes, changes one place to say {@code https}.
 */
final class ForwardedHeaders {
    private static final byte[] X_FORWARDED_FOR = HttpChars.ascii("x-forwarded-for");
    private static final byte[] X_REAL_IP = HttpChars.ascii("x-real-ip");
    private static final byte[] FORWARDED = HttpChars.ascii("forwarded");
    private static final byte[] PROTO_HTTP = HttpChars.ascii("X-Forwarded-Proto: http\r\n");

    /** The per-request decision, reused by its connection: what to drop of the client's fields and what to add. */
    static final class Plan {
        /** Drop the client's X-Forwarded-For, X-Real-IP and Forwarded. */
        boolean dropClientAddressFields;
        /** The address to add in an X-Forwarded-For field of ours, or null. */
        byte[] forwardedFor;
        /** The X-Forwarded-Proto line to add, CRLF included, or null; when set, the client's are dropped. */
        byte[] protoLine;
    }

    final TrustedProxies trustedProxies;
    private final FrontendConfig.ForwardedFor mode;
    private final byte[] protoLine;

    ForwardedHeaders(FrontendConfig config) {
        this.mode = config.forwardedFor();
        this.trustedProxies = new TrustedProxies(config.trustedProxies());
        this.protoLine = config.forwardedProto() ? PROTO_HTTP : null;
    }

    /** Decides for the request whose client is {@code client}. */
    void plan(Plan p, ClientAddress client, RequestHead req) {
        p.dropClientAddressFields = mode == FrontendConfig.ForwardedFor.REPLACE;
        p.forwardedFor = switch (mode) {
            case REPLACE -> client.ascii();
            case APPEND -> client.peerAscii(); // each hop adds the address it saw
            case NONE -> null;
        };
        p.protoLine = protoLine != null && !(client.peerTrusted() && hasProto(req)) ? protoLine : null;
    }

    /** Whether buf[start, end) names X-Forwarded-For, X-Real-IP or Forwarded, whatever the case. */
    static boolean isClientAddressField(ByteBuf buf, int start, int end) {
        return HttpChars.equalsIgnoreCase(buf, start, end, X_FORWARDED_FOR)
                || HttpChars.equalsIgnoreCase(buf, start, end, X_REAL_IP)
                || HttpChars.equalsIgnoreCase(buf, start, end, FORWARDED);
    }

    private static boolean hasProto(RequestHead req) {
        for (int i = 0; i < req.headerCount; i++) {
            if (req.kind[i] == HeadParser.X_FORWARDED_PROTO) {
                return true;
            }
        }
        return false;
    }
}
