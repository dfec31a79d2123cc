package org.fossinfra.events;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The file system under the journal: how its files are opened, and how much room is left. The real one is the
 * platform's; tests substitute one whose channels fail half-way through a write (a full disk) or whose free space
 * they set, since neither can be ordered from a real disk at a chosen byte.
 */
interface JournalDisk {

    FileChannel open(Path file, OpenOption... options) throws IOException;

    /** Bytes that this process may still write on the file system holding {@code dir} (statfs's f_bavail). */
    long usableSpace(Path dir) throws IOException;

    JournalDisk REAL = new JournalDisk() {
        /**
         * Files.getFileStore reads the mount table (150 us here); the store's getUsableSpace is one statvfs (1 us).
         * The journal checks the space before every batch, so the store is looked up once per directory.
         */
        private final Map<Path, FileStore> stores = new ConcurrentHashMap<>();

        @Override
        public FileChannel open(Path file, OpenOption... options) throws IOException {
            return FileChannel.open(file, options);
        }

        @Override
        public long usableSpace(Path dir) throws IOException {
            FileStore store = stores.get(dir);
            if (store == null) {
                store = Files.getFileStore(dir);
                stores.put(dir, store);
            }
            return store.getUsableSpace();
        }
    };
}
