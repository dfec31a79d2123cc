package org.fossinfra.matrix;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the bot persists its {@link SyncState}: saved after each handled sync batch, loaded at start. A store that
 * loses the state makes the bot start over without replaying anything (a first sync ignores the room's history), but
 * a bot that created its own room then creates another one.
 */
public interface SyncTokenStore {

    /**
     * The last state saved, or empty when none was.
     *
     * @throws IOException when there is a state but it cannot be read; the message says where and why
     */
    Optional<SyncState> load() throws IOException;

    /** Replaces the saved state; when this returns, a crash keeps either the old or the new state, never a mix. */
    void save(SyncState state) throws IOException;

    /** A JSON file, replaced atomically (written beside it, flushed to disk, then renamed over it). */
    static SyncTokenStore file(Path file) {
        return new FileSyncTokenStore(file);
    }
}
