package org.fossinfra.events;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The free space the journal leaves on its file system ({@code database.journal-min-free}): journaling stops below
 * {@code floor} and starts again at a quarter above it, so that a disk hovering at the floor does not stop and start
 * the journal (an event each time) with every batch. A floor of 0 never stops it.
 */
final class FreeSpaceFloor {
    private final JournalDisk disk;
    private final Path dir;
    private final long floor;

    FreeSpaceFloor(JournalDisk disk, Path dir, long floor) {
        this.disk = disk;
        this.dir = dir;
        this.floor = floor;
    }

    boolean enabled() {
        return floor > 0;
    }

    /** Usable bytes now, or -1 when the file system cannot say (the floor then holds nothing back: appends will tell). */
    long free() {
        try {
            return disk.usableSpace(dir);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    boolean below(long free) {
        return enabled() && free >= 0 && free < floor;
    }

    boolean enoughToResume(long free) {
        return !enabled() || free < 0 || free >= resumeLevel();
    }

    long floor() {
        return floor;
    }

    long resumeLevel() {
        return floor + floor / 4;
    }

    /** 512 KiB, 1 MiB, 1.5 GiB, 900 bytes. */
    static String format(long bytes) {
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return v == Math.rint(v) ? (long) v + " " + units[u] : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
