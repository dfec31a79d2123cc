package org.fossinfra.events;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real disk (files are really written) whose writes can be made to fail the way a full one fails them: the next
 * write puts its first bytes in the file and then throws, as write(2) does when the file system fills up half-way
 * through (a short write, then ENOSPC). Truncation can be made to fail too, and an Error can be thrown from a write (a
 * failure nobody expects). Free space is whatever the test sets.
 */
final class FaultyDisk implements JournalDisk {
    /** Bytes the next failing write puts in the file before it throws; -1: writes work. */
    final AtomicLong tearAfter = new AtomicLong(-1);
    /** Writes still to fail (each tearing after {@link #tearAfter} bytes). */
    final AtomicInteger failingWrites = new AtomicInteger();
    /** Truncations still to fail. */
    final AtomicInteger failingTruncates = new AtomicInteger();
    /** Thrown (once) from the next write instead of writing, when set. */
    final AtomicReference<Error> writeError = new AtomicReference<>();
    final AtomicLong usable = new AtomicLong(Long.MAX_VALUE);
    final AtomicInteger tornWrites = new AtomicInteger();

    @Override
    public FileChannel open(Path file, OpenOption... options) throws IOException {
        return new Channel(FileChannel.open(file, options));
    }

    @Override
    public long usableSpace(Path dir) {
        return usable.get();
    }

    /** The next write tears after {@code bytes} bytes and throws ENOSPC's IOException. */
    void failNextWrite(long bytes) {
        tearAfter.set(bytes);
        failingWrites.set(1);
    }

    private final class Channel extends FileChannel {
        private final FileChannel d;

        Channel(FileChannel d) {
            this.d = d;
        }

        private int fail(ByteBuffer src, long position) throws IOException {
            Error e = writeError.getAndSet(null);
            if (e != null) {
                throw e;
            }
            if (failingWrites.get() > 0 && failingWrites.getAndDecrement() > 0) {
                int n = (int) Math.min(src.remaining(), tearAfter.get());
                if (n > 0) {
                    ByteBuffer part = src.duplicate();
                    part.limit(part.position() + n);
                    if (position < 0) {
                        d.write(part);
                    } else {
                        d.write(part, position);
                    }
                    tornWrites.incrementAndGet();
                }
                throw new IOException("No space left on device");
            }
            return -1;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            fail(src, -1);
            return d.write(src);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            fail(src, position);
            return d.write(src, position);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            throw new UnsupportedOperationException("not used by the journal");
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            if (failingTruncates.get() > 0 && failingTruncates.getAndDecrement() > 0) {
                throw new IOException("Input/output error");
            }
            d.truncate(size);
            return this;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return d.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return d.read(dsts, offset, length);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return d.read(dst, position);
        }

        @Override
        public long position() throws IOException {
            return d.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            d.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return d.size();
        }

        @Override
        public void force(boolean metaData) throws IOException {
            d.force(metaData);
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return d.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            return d.transferFrom(src, position, count);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return d.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return d.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return d.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            d.close();
        }
    }
}
