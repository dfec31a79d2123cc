package org.fossinfra.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostCollectorTest {
    @TempDir
    Path root;

    private Path proc() {
        return root.resolve("proc");
    }

    private void write(String rel, String text) throws Exception {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    private void fakeHost(long user0, long idle0, long user1, long idle1, long rxBytes, long txBytes) throws Exception {
        write("proc/stat", "cpu  %d 0 0 %d 0 0 0 0 0 0\ncpu0 %d 0 0 %d 0 0 0 0 0 0\ncpu1 %d 0 0 %d 0 0 0 0 0 0\nintr 1 2 3\n"
                .formatted(user0 + user1, idle0 + idle1, user0, idle0, user1, idle1));
        write("proc/meminfo", "MemTotal:       1000 kB\nMemFree:         100 kB\nMemAvailable:    250 kB\n");
        write("proc/loadavg", "0.50 1.25 2.00 3/100 1234\n");
        write("proc/mounts", "proc /proc proc rw 0 0\ntmpfs /tmp tmpfs rw 0 0\n");
        write("proc/net/dev", """
                Inter-|   Receive                                                |  Transmit
                 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                    lo: %d 10 0 0 0 0 0 0 %d 20 0 0 0 0 0 0
                  eth0: 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
                """.formatted(rxBytes, txBytes));
        write("sys/class/net/eth0/operstate", "down\n");
        write("sys/class/net/lo/operstate", "unknown\n");
    }

    @Test
    void cpuIsTheBusyShareOfTheIntervalPerCoreAndInTotal() throws Exception {
        HostCollector c = new HostCollector(proc(), root.resolve("sys"));
        fakeHost(100, 100, 100, 100, 0, 0);
        HostSample first = c.sample();
        assertThat(first.cpuPercent()).isZero();
        // core 0: +75 busy of +100 ticks; core 1: +25 busy of +100
        fakeHost(175, 125, 125, 175, 0, 0);
        HostSample second = c.sample();
        assertThat(second.cpuPerCore()).containsExactly(new double[] {75.0, 25.0}, within(0.001));
        assertThat(second.cpuPercent()).isCloseTo(50.0, within(0.001));
    }

    @Test
    void memoryUsedIsTotalMinusAvailable() throws Exception {
        fakeHost(0, 0, 0, 0, 0, 0);
        HostSample s = new HostCollector(proc(), root.resolve("sys")).sample();
        assertThat(s.memTotalBytes()).isEqualTo(1000 * 1024);
        assertThat(s.memUsedPercent()).isCloseTo(75.0, within(0.001));
        assertThat(s.load1()).isEqualTo(0.5);
        assertThat(s.load15()).isEqualTo(2.0);
    }

    @Test
    void networkRatesComeFromTheDeltaAndStateFromOperstate() throws Exception {
        HostCollector c = new HostCollector(proc(), root.resolve("sys"));
        fakeHost(0, 0, 0, 0, 1000, 2000);
        c.sample();
        Thread.sleep(200);
        fakeHost(0, 0, 0, 0, 1000 + 10_000, 2000);
        HostSample s = c.sample();
        HostSample.Interface lo = s.interfaces().stream().filter(i -> i.name().equals("lo")).findFirst().orElseThrow();
        HostSample.Interface eth0 = s.interfaces().stream().filter(i -> i.name().equals("eth0")).findFirst().orElseThrow();
        assertThat(lo.up()).isTrue();
        assertThat(eth0.up()).isFalse();
        assertThat(lo.rxBytes()).isEqualTo(11_000);
        assertThat(lo.rxBytesPerSec()).isBetween(10_000 / 0.6, 10_000 / 0.19);
        assertThat(lo.txBytesPerSec()).isZero();
    }

    @Test
    void pseudoFileSystemsAreNotDisks() throws Exception {
        fakeHost(0, 0, 0, 0, 0, 0);
        assertThat(new HostCollector(proc(), root.resolve("sys")).sample().disks()).isEmpty();
    }

    @Test
    void missingFilesGiveZerosNotErrors() {
        HostSample s = new HostCollector(root.resolve("nothing"), root.resolve("nothing")).sample();
        assertThat(s.memTotalBytes()).isZero();
        assertThat(s.interfaces()).isEmpty();
    }

    @Test
    void readsThisMachine() throws Exception {
        HostCollector c = new HostCollector();
        c.sample();
        Thread.sleep(300);
        HostSample s = c.sample();
        assertThat(s.cpuPerCore()).isNotEmpty(); // every online core, whatever this JVM may use
        assertThat(s.memTotalBytes()).isGreaterThan(0);
        assertThat(s.disks()).isNotEmpty();
        assertThat(s.disks().get(0).usedPercent()).isBetween(0.0, 100.0);
        assertThat(s.interfaces()).extracting(HostSample.Interface::name).contains("lo");
    }
}
