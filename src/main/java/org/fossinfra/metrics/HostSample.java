package org.fossinfra.metrics;

import java.util.List;

/**
 * One reading of the host. Percentages and rates cover the time since the previous reading (the first reading has
 * zero rates and CPU).
 *
 * @param cpuPercent     busy share of all cores, 0..100
 * @param cpuPerCore     busy share of each core, 0..100
 * @param memUsedPercent (MemTotal - MemAvailable) / MemTotal, the figure `free` calls used
 */
public record HostSample(long timeMillis, double cpuPercent, double[] cpuPerCore, long memTotalBytes,
                         long memAvailableBytes, double memUsedPercent, double load1, double load5, double load15,
                         List<Disk> disks, List<Interface> interfaces) {

    /** A mounted file system, from statfs. */
    public record Disk(String mount, String device, String type, long totalBytes, long usedBytes, double usedPercent) {
    }

    /** A network interface with its totals and the rates since the previous reading. */
    public record Interface(String name, boolean up, long rxBytes, long txBytes, long rxPackets, long txPackets,
                            double rxBytesPerSec, double txBytesPerSec, double rxPacketsPerSec,
                            double txPacketsPerSec) {
    }
}
