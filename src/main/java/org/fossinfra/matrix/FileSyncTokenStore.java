package org.fossinfra.matrix;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * {@link SyncTokenStore} in a JSON file under the node's data directory. Saving writes {@code <file>.tmp}, forces it to
 * disk and renames it over the file (atomic on POSIX file systems), so a crash in the middle leaves the previous state
 * whole. The file holds no secret: no access token and no password, only ids and the sync position.
 */
final class FileSyncTokenStore implements SyncTokenStore {
    private final Path file;
    private final Path temp;

    FileSyncTokenStore(Path file) {
        this.file = file.toAbsolutePath();
        this.temp = this.file.resolveSibling(this.file.getFileName() + ".tmp");
    }

    @Override
    public Optional<SyncState> load() throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            JsonObject j = new JsonObject(text);
            String homeserver = j.getString("homeserver");
            String user = j.getString("user");
            if (homeserver == null || user == null) {
                throw new IOException(file + ": no 'homeserver' or 'user' in it");
            }
            return Optional.of(new SyncState(homeserver, user, Optional.ofNullable(j.getString("room")),
                    Optional.ofNullable(j.getString("next_batch"))));
        } catch (DecodeException | ClassCastException e) {
            throw new IOException(file + " is not the JSON the bot writes (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public void save(SyncState state) throws IOException {
        JsonObject j = new JsonObject().put("homeserver", state.homeserver()).put("user", state.userId());
        state.roomId().ifPresent(r -> j.put("room", r));
        state.nextBatch().ifPresent(b -> j.put("next_batch", b));
        Files.createDirectories(file.getParent());
        // A stream, not a FileChannel, which an interrupt (the bot's threads are interrupted on close) would close
        // under the write.
        try (FileOutputStream out = new FileOutputStream(temp.toFile())) {
            out.write(j.encodePrettily().getBytes(StandardCharsets.UTF_8));
            out.getFD().sync();
        }
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public String toString() {
        return file.toString();
    }
}
