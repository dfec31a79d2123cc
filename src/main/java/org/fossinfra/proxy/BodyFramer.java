package org.fossinfra.proxy;

import io.netty.buffer.ByteBuf;
import org.fossinfra.config.HexDigits;

/**
 * Finds where a message body ends, validating chunked framing on the way (RFC 9112 §6 and §7.1), and hands the
 * body's bytes to a {@link Sink} as retained slices of the receive buffer: no copy.
 *
 * <p>In pass-through mode the bytes go on exactly as received, framing included, since every byte of framing was
 * checked. In de-chunk mode (an HTTP/1.0 client reading a chunked response) only chunk data goes on.
 *
 * <p>Hazard: a lenient chunk parser is how request smuggling works. Chunk sizes are hex digits only, at most 15 of
 * them; extensions and trailers may not hold bare CR or LF or control characters; every line ends in CRLF.
 */
final class BodyFramer {
    /** Receives forwardable body bytes; {@code data} is a retained slice the sink must release or pass on. */
    interface Sink {
        void body(ByteBuf data);
    }

    private static final int MAX_CHUNK_SIZE_DIGITS = 15; // < 2^60: far beyond any real chunk, no overflow
    private static final int MAX_EXT_OR_TRAILER = 8 * 1024;

    private static final int NONE = 0;
    private static final int LENGTH = 1;
    private static final int CHUNKED = 2;
    private static final int UNTIL_CLOSE = 3;

    // Chunked states.
    private static final int SIZE = 0;
    private static final int EXT = 1;
    private static final int SIZE_LF = 2;
    private static final int DATA = 3;
    private static final int DATA_CR = 4;
    private static final int DATA_LF = 5;
    private static final int TRAILER_START = 6;
    private static final int TRAILER = 7;
    private static final int TRAILER_LF = 8;
    private static final int FINAL_LF = 9;

    private final int errorStatus;
    private final String who;
    private int mode = NONE;
    private boolean dechunk;
    private long remaining;
    private int state;
    private int digits;
    private int extBytes;
    private boolean extNamed;
    private boolean trailerColon;
    private boolean trailerNameOk;
    private boolean done = true;
    private long total;

    /**
     * @param errorStatus status to answer on bad framing: 400 for requests, 502 for responses
     * @param who         "request" or "response", for messages
     */
    BodyFramer(int errorStatus, String who) {
        this.errorStatus = errorStatus;
        this.who = who;
    }

    void none() {
        mode = NONE;
        done = true;
        total = 0;
    }

    void length(long n) {
        mode = LENGTH;
        remaining = n;
        done = n == 0;
        total = 0;
    }

    void chunked(boolean dechunk) {
        mode = CHUNKED;
        this.dechunk = dechunk;
        state = SIZE;
        digits = 0;
        remaining = 0;
        extBytes = 0;
        done = false;
        total = 0;
    }

    void untilClose() {
        mode = UNTIL_CLOSE;
        done = false;
        total = 0;
    }

    boolean done() {
        return done;
    }

    boolean untilCloseMode() {
        return mode == UNTIL_CLOSE;
    }

    /** Body bytes seen so far (framing included in pass-through chunked mode). */
    long total() {
        return total;
    }

    /**
     * Consumes body bytes from {@code in} (advancing its reader index) up to the end of the body or of the buffer.
     * Bytes after the end of the body stay in {@code in}: they are the next message.
     *
     * @return whether the body is complete
     */
    boolean feed(ByteBuf in, Sink sink) throws HttpError {
        switch (mode) {
            case NONE -> {
                return true;
            }
            case LENGTH -> {
                int n = (int) Math.min(remaining, in.readableBytes());
                if (n > 0) {
                    total += n;
                    sink.body(in.readRetainedSlice(n));
                    remaining -= n;
                }
                done = remaining == 0;
                return done;
            }
            case UNTIL_CLOSE -> {
                int n = in.readableBytes();
                if (n > 0) {
                    total += n;
                    sink.body(in.readRetainedSlice(n));
                }
                return false;
            }
            default -> {
                return chunkedFeed(in, sink);
            }
        }
    }

    /** The peer closed: for close-delimited bodies that is the end, for the others it's a truncation. */
    boolean closeEndsBody() {
        if (mode == UNTIL_CLOSE) {
            done = true;
        }
        return done;
    }

    private boolean chunkedFeed(ByteBuf in, Sink sink) throws HttpError {
        int passStart = in.readerIndex();
        int i = passStart;
        int end = in.writerIndex();
        while (i < end && !done) {
            if (state == DATA) {
                int n = (int) Math.min(remaining, end - i);
                if (dechunk && n > 0) {
                    sink.body(in.retainedSlice(i, n));
                    total += n;
                }
                i += n;
                remaining -= n;
                if (remaining == 0) {
                    state = DATA_CR;
                }
                continue;
            }
            byte b = in.getByte(i++);
            switch (state) {
                case SIZE -> {
                    int h = HexDigits.value(b);
                    if (h >= 0) {
                        if (++digits > MAX_CHUNK_SIZE_DIGITS) {
                            throw error("chunk size too large");
                        }
                        remaining = (remaining << 4) | h;
                    } else if (digits == 0) {
                        throw error("invalid chunk size");
                    } else if (b == '\r') {
                        state = SIZE_LF;
                    } else if (b == ';' || b == ' ' || b == '\t') {
                        state = EXT;
                        extBytes = 0;
                        extNamed = b == ';';
                    } else {
                        throw error("invalid chunk size");
                    }
                }
                case EXT -> {
                    if (b == '\r') {
                        state = SIZE_LF;
                    } else if (!extNamed && b != ' ' && b != '\t' && b != ';') {
                        // chunk-ext = *( BWS ";" ... ) (RFC 9112 §7.1.1): only whitespace may come before the ';'
                        throw error("invalid chunk size");
                    } else if (!HttpChars.isFieldValue(b) || ++extBytes > MAX_EXT_OR_TRAILER) {
                        throw error("invalid chunk extension");
                    } else if (b == ';') {
                        extNamed = true;
                    }
                }
                case SIZE_LF -> {
                    if (b != '\n') {
                        throw error("bare CR in chunk framing");
                    }
                    digits = 0;
                    if (remaining == 0) {
                        state = TRAILER_START;
                        extBytes = 0;
                    } else {
                        state = DATA;
                    }
                }
                case DATA_CR -> {
                    if (b != '\r') {
                        throw error("chunk data longer than its size");
                    }
                    state = DATA_LF;
                }
                case DATA_LF -> {
                    if (b != '\n') {
                        throw error("bare CR after chunk data");
                    }
                    state = SIZE;
                }
                case TRAILER_START -> {
                    if (b == '\r') {
                        state = FINAL_LF;
                    } else if (b == ' ' || b == '\t') {
                        throw error("obsolete line folding in a trailer");
                    } else if (!HttpChars.isTchar(b)) {
                        throw error("invalid trailer field");
                    } else {
                        state = TRAILER;
                        trailerColon = false;
                        trailerNameOk = true;
                        countTrailer();
                    }
                }
                case TRAILER -> {
                    countTrailer();
                    if (b == '\r') {
                        if (!trailerColon || !trailerNameOk) {
                            throw error("invalid trailer field");
                        }
                        state = TRAILER_LF;
                    } else if (!trailerColon) {
                        if (b == ':') {
                            trailerColon = true;
                        } else if (!HttpChars.isTchar(b)) {
                            trailerNameOk = false;
                        }
                    } else if (!HttpChars.isFieldValue(b)) {
                        throw error("control character in a trailer");
                    }
                }
                case TRAILER_LF -> {
                    if (b != '\n') {
                        throw error("bare CR in a trailer");
                    }
                    state = TRAILER_START;
                }
                case FINAL_LF -> {
                    if (b != '\n') {
                        throw error("bare CR at the end of the chunked body");
                    }
                    done = true;
                }
                default -> throw new IllegalStateException("state " + state);
            }
        }
        if (!dechunk && i > passStart) {
            total += i - passStart;
            sink.body(in.retainedSlice(passStart, i - passStart));
        }
        in.readerIndex(i);
        return done;
    }

    private void countTrailer() throws HttpError {
        if (++extBytes > MAX_EXT_OR_TRAILER) {
            throw error("trailer section too large");
        }
    }

    private HttpError error(String reason) {
        return new HttpError(errorStatus, reason + " in the " + who + " body");
    }
}
