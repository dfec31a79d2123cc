package org.fossinfra.events;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The journal's binary form of an event: a version byte, id, seconds and nanoseconds, then node, type, actor, subject,
 * message and the data pairs as length-prefixed UTF-8. Null strings are written as empty ones (the store's columns
 * are NOT NULL).
 */
final class EventCodec {
    private static final byte VERSION = 1;

    private EventCodec() {
    }

    static byte[] encode(Event e) {
        byte[][] strings = new byte[5 + 2 * e.data().size()][];
        int i = 0;
        strings[i++] = utf8(e.node());
        strings[i++] = utf8(e.type());
        strings[i++] = utf8(e.actor());
        strings[i++] = utf8(e.subject());
        strings[i++] = utf8(e.message());
        for (Map.Entry<String, String> d : e.data().entrySet()) {
            strings[i++] = utf8(d.getKey());
            strings[i++] = utf8(d.getValue());
        }
        int size = 1 + 8 + 8 + 4 + 4;
        for (byte[] s : strings) {
            size += 4 + s.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.put(VERSION).putLong(e.id()).putLong(e.time().getEpochSecond()).putInt(e.time().getNano());
        for (int k = 0; k < 5; k++) {
            b.putInt(strings[k].length).put(strings[k]);
        }
        b.putInt(e.data().size());
        for (int k = 5; k < strings.length; k++) {
            b.putInt(strings[k].length).put(strings[k]);
        }
        return b.array();
    }

    /** @throws IllegalArgumentException when the bytes are not an event of a known version */
    static Event decode(ByteBuffer b) {
        try {
            byte version = b.get();
            if (version != VERSION) {
                throw new IllegalArgumentException("unknown journal record version " + version);
            }
            long id = b.getLong();
            Instant time = Instant.ofEpochSecond(b.getLong(), b.getInt());
            String node = string(b);
            String type = string(b);
            String actor = string(b);
            String subject = string(b);
            String message = string(b);
            int n = b.getInt();
            if (n < 0 || n > b.remaining() / 8) {
                throw new IllegalArgumentException("bad data count " + n);
            }
            Map<String, String> data = new LinkedHashMap<>();
            for (int k = 0; k < n; k++) {
                data.put(string(b), string(b));
            }
            return new Event(id, time, type, actor, subject, message, data, node);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated journal record", e);
        }
    }

    private static byte[] utf8(String s) {
        return s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(ByteBuffer b) {
        int len = b.getInt();
        if (len < 0 || len > b.remaining()) {
            throw new IllegalArgumentException("bad string length " + len);
        }
        String s = new String(b.array(), b.arrayOffset() + b.position(), len, StandardCharsets.UTF_8);
        b.position(b.position() + len);
        return s;
    }
}
