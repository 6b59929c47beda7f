package io.framewire.bench.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SendLoopTest {

    @Test
    void slotsSpreadStreamsEvenlyOverOnePeriod() {
        long period = 1_000_000_000L / 10; // 10 fps
        int n = 4;
        // slot k belongs to stream k % n; within one round the streams are period/n apart
        assertThat(SendLoop.due(0, 0, n, period)).isZero();
        assertThat(SendLoop.due(0, 1, n, period)).isEqualTo(25_000_000L);
        assertThat(SendLoop.due(0, 3, n, period)).isEqualTo(75_000_000L);
        // and each stream sends exactly once per period
        assertThat(SendLoop.due(0, 5, n, period) - SendLoop.due(0, 1, n, period)).isEqualTo(period);
        assertThat(SendLoop.due(1000, 4 * 150, n, period)).isEqualTo(1000 + 150 * period);
    }
}
