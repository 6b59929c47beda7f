package io.framewire;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MainTest {

    @Test
    void theBufferedFramesBudgetMustFitDirectMemoryWithHeadroom() {
        long mib = 1 << 20;
        assertThat(Main.directMemoryWarning(512 * mib, 1024 * mib)).as("the systemd unit's 1 GiB").isNull();
        assertThat(Main.directMemoryWarning(512 * mib, 512 * mib + Main.DIRECT_HEADROOM)).isNull();
        assertThat(Main.directMemoryWarning(512 * mib, 512 * mib))
                .contains("ws.maxBufferedBytes (512 MiB)").contains("direct memory limit (512 MiB)")
                .contains("-XX:MaxDirectMemorySize");
    }

    @Test
    void theLimitIsTheFlagOrTheHeapMaximum() {
        long limit = Main.directMemoryLimit();
        assertThat(limit).isPositive();
        boolean flagged = java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-XX:MaxDirectMemorySize="));
        if (!flagged) {
            assertThat(limit).isEqualTo(Runtime.getRuntime().maxMemory());
        }
    }
}
