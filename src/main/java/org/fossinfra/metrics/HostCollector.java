package org.fossinfra.metrics;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the host the way {@code top}, {@code free}, {@code df} and {@code ip -s link} do, from {@code /proc} and
 * {@code /sys} and statfs, with no agent: CPU (total and per core) from the deltas of {@code /proc/stat}, memory from
 * {@code /proc/meminfo}, load from {@code /proc/loadavg}, disks from {@code /proc/mounts} + statfs, network from
 * {@code /proc/net/dev} and {@code /sys/class/net/NAME/operstate}.
 *
 * <p>Not thread-safe: one sampler thread calls {@link #sample()} (each call computes rates against the previous one).
 * A file that can't be read gives zeros for its part, never an exception: monitoring must not fail the node.
 */
public final class HostCollector {
    /** File systems backed by storage; pseudo file systems (proc, tmpfs, cgroup, overlay...) are left out. */
    private static final Set<String> DISK_TYPES = Set.of("ext2", "ext3", "ext4", "xfs", "btrfs", "zfs", "f2fs",
            "vfat", "exfat", "ntfs", "ntfs3", "jfs", "reiserfs", "bcachefs");

    private final Path proc;
    private final Path sys;
    private long[][] lastCpu;
    private Map<String, long[]> lastNet = new HashMap<>();
    private long lastTime;

    public HostCollector() {
        this(Path.of("/proc"), Path.of("/sys"));
    }

    /** For tests: read from other roots. */
    public HostCollector(Path proc, Path sys) {
        this.proc = proc;
        this.sys = sys;
    }

    public HostSample sample() {
        long now = System.currentTimeMillis();
        double seconds = lastTime == 0 ? 0 : (now - lastTime) / 1000.0;
        lastTime = now;

        long[][] cpu = readCpu();
        double total = 0;
        double[] perCore = new double[Math.max(0, cpu.length - 1)];
        if (lastCpu != null && lastCpu.length == cpu.length) {
            total = busyPercent(lastCpu[0], cpu[0]);
            for (int i = 1; i < cpu.length; i++) {
                perCore[i - 1] = busyPercent(lastCpu[i], cpu[i]);
            }
        }
        lastCpu = cpu;

        Map<String, Long> mem = readMeminfo();
        long memTotal = mem.getOrDefault("MemTotal", 0L) * 1024;
        long memAvailable = mem.getOrDefault("MemAvailable", mem.getOrDefault("MemFree", 0L)) * 1024;
        double memUsed = memTotal == 0 ? 0 : 100.0 * (memTotal - memAvailable) / memTotal;

        double[] load = readLoad();
        return new HostSample(now, total, perCore, memTotal, memAvailable, memUsed, load[0], load[1], load[2],
                readDisks(), readNet(seconds));
    }

    /** Row 0 is the "cpu" total line, rows 1.. the cores; columns user nice system idle iowait irq softirq steal. */
    private long[][] readCpu() {
        List<long[]> rows = new ArrayList<>();
        for (String line : lines(proc.resolve("stat"))) {
            if (!line.startsWith("cpu")) {
                continue;
            }
            String[] f = line.trim().split("\\s+");
            long[] v = new long[8];
            for (int i = 0; i < 8 && i + 1 < f.length; i++) {
                v[i] = parseLong(f[i + 1]);
            }
            rows.add(v);
        }
        return rows.toArray(long[][]::new);
    }

    /** Busy = everything but idle and iowait, over the interval (as top computes it). */
    static double busyPercent(long[] before, long[] after) {
        long idle = (after[3] - before[3]) + (after[4] - before[4]);
        long all = 0;
        for (int i = 0; i < 8; i++) {
            all += after[i] - before[i];
        }
        return all <= 0 ? 0 : Math.max(0, Math.min(100, 100.0 * (all - idle) / all));
    }

    private Map<String, Long> readMeminfo() {
        Map<String, Long> m = new HashMap<>();
        for (String line : lines(proc.resolve("meminfo"))) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                String[] f = line.substring(colon + 1).trim().split("\\s+");
                m.put(line.substring(0, colon), parseLong(f[0]));
            }
        }
        return m;
    }

    private double[] readLoad() {
        List<String> l = lines(proc.resolve("loadavg"));
        double[] out = new double[3];
        if (!l.isEmpty()) {
            String[] f = l.get(0).trim().split("\\s+");
            for (int i = 0; i < 3 && i < f.length; i++) {
                try {
                    out[i] = Double.parseDouble(f[i]);
                } catch (NumberFormatException ignored) {
                    // stays 0
                }
            }
        }
        return out;
    }

    private List<HostSample.Disk> readDisks() {
        List<HostSample.Disk> out = new ArrayList<>();
        Set<String> seenDevices = new HashSet<>();
        for (String line : lines(proc.resolve("mounts"))) {
            String[] f = line.split("\\s+");
            if (f.length < 3 || !DISK_TYPES.contains(f[2]) || !seenDevices.add(f[0])) {
                continue;
            }
            String mount = f[1].replace("\\040", " ");
            try {
                FileStore fs = Files.getFileStore(Path.of(mount));
                long totalBytes = fs.getTotalSpace();
                long used = totalBytes - fs.getUnallocatedSpace();
                out.add(new HostSample.Disk(mount, f[0], f[2], totalBytes, used,
                        totalBytes == 0 ? 0 : 100.0 * used / totalBytes));
            } catch (IOException | RuntimeException e) {
                // an unreachable mount (stale NFS, permissions): skip it this time
            }
        }
        return out;
    }

    private List<HostSample.Interface> readNet(double seconds) {
        List<HostSample.Interface> out = new ArrayList<>();
        Map<String, long[]> now = new HashMap<>();
        for (String line : lines(proc.resolve("net/dev"))) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String[] f = line.substring(colon + 1).trim().split("\\s+");
            if (f.length < 10) {
                continue;
            }
            long[] v = {parseLong(f[0]), parseLong(f[8]), parseLong(f[1]), parseLong(f[9])};
            now.put(name, v);
            long[] before = lastNet.get(name);
            double[] rate = new double[4];
            if (before != null && seconds > 0) {
                for (int i = 0; i < 4; i++) {
                    rate[i] = Math.max(0, (v[i] - before[i]) / seconds);
                }
            }
            String state = lines(sys.resolve("class/net").resolve(name).resolve("operstate")).stream().findFirst()
                    .orElse("unknown").trim();
            // "unknown" is what loopback and many virtual interfaces report while working.
            boolean up = state.equals("up") || (state.equals("unknown") && name.equals("lo"));
            out.add(new HostSample.Interface(name, up, v[0], v[1], v[2], v[3], rate[0], rate[1], rate[2], rate[3]));
        }
        lastNet = now;
        return out;
    }

    private static List<String> lines(Path p) {
        try {
            return Files.readAllLines(p);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
