package org.fossinfra.proxy;

import io.netty.buffer.ByteBuf;

/** Character classes of RFC 9110 §5.6.2 (tchar) and §5.5 (field-vchar), as lookup tables, and small byte helpers. */
final class HttpChars {
    private static final boolean[] TCHAR = new boolean[256];
    private static final boolean[] FIELD_VALUE = new boolean[256];
    private static final boolean[] TARGET = new boolean[256];

    static {
        for (int c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
        // field-value = *( VCHAR / obs-text / SP / HTAB ); CR, LF, NUL and other controls are refused.
        for (int c = 0x21; c <= 0x7e; c++) {
            FIELD_VALUE[c] = true;
        }
        for (int c = 0x80; c <= 0xff; c++) {
            FIELD_VALUE[c] = true;
        }
        FIELD_VALUE[' '] = true;
        FIELD_VALUE['\t'] = true;
        // request-target: visible ASCII except '#' (a fragment never travels in a request).
        for (int c = 0x21; c <= 0x7e; c++) {
            TARGET[c] = true;
        }
        TARGET['#'] = false;
    }

    private HttpChars() {
    }

    static boolean isTchar(int b) {
        return TCHAR[b & 0xff];
    }

    static boolean isFieldValue(int b) {
        return FIELD_VALUE[b & 0xff];
    }

    static boolean isTargetChar(int b) {
        return TARGET[b & 0xff];
    }

    static int lower(int b) {
        return b >= 'A' && b <= 'Z' ? b + 32 : b;
    }

    /** Whether buf[start, end) equals the lower-case ASCII {@code lowerName}, ignoring case. */
    static boolean equalsIgnoreCase(ByteBuf buf, int start, int end, byte[] lowerName) {
        if (end - start != lowerName.length) {
            return false;
        }
        for (int i = 0; i < lowerName.length; i++) {
            if (lower(buf.getByte(start + i)) != lowerName[i]) {
                return false;
            }
        }
        return true;
    }

    static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
