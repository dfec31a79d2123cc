package org.fossinfra.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.FileInputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The descriptor counts the proxy's open-file budget is built on (Linux: /proc). */
class OpenFilesTest {
    @Test
    void theOpenCountFollowsFilesOpenedAndClosed() throws Exception {
        int before = OpenFiles.openNow();
        assertThat(before).isPositive();
        List<FileInputStream> files = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                files.add(new FileInputStream("/proc/self/status"));
            }
            // Other threads may open or close a few meanwhile; 50 of ours must show.
            assertThat(OpenFiles.openNow()).isBetween(before + 45, before + 55);
        } finally {
            for (FileInputStream f : files) {
                f.close();
            }
        }
        assertThat(OpenFiles.openNow()).isBetween(before - 5, before + 5);
    }

    @Test
    void theLimitLeavesTheMarginAndTheClientBudgetTheReserve() {
        long soft = OpenFiles.softLimit();
        assertThat(soft).isPositive();
        if (soft < Integer.MAX_VALUE) {
            assertThat(OpenFiles.descriptorLimit()).isEqualTo((int) Math.max(64, soft - OpenFiles.MARGIN));
            assertThat(OpenFiles.clientConnectionBudget()).isEqualTo((int) Math.max(64, soft - OpenFiles.RESERVE));
        }
    }
}
