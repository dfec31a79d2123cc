package org.fossinfra.events;

import java.io.IOException;

/**
 * A journal record that cannot be trusted: its length is impossible, its checksum fails, or it does not decode.
 * Nothing after it in its segment can be found (a length is all that says where the next record starts), so a reader
 * goes on at {@link #resumeAt()}.
 */
final class DamagedRecord extends IOException {
    private final long at;
    private final long resumeAt;

    DamagedRecord(String message, long at, long resumeAt) {
        super(message);
        this.at = at;
        this.resumeAt = resumeAt;
    }

    /** Where the damaged record starts. */
    long at() {
        return at;
    }

    /** Where the next readable record may start: the next segment, or the journal's end. */
    long resumeAt() {
        return resumeAt;
    }
}
