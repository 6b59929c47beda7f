package io.framewire.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BackoffTest {

    private static final double TOP = Math.nextDown(1.0);

    @Test
    void doublesToTheCapAndResetsAfterAResult() {
        Backoff b = new Backoff(() -> TOP);
        assertThat(b.afterClose(1013, false)).isEqualTo(249);
        assertThat(b.afterClose(1006, false)).isEqualTo(499);
        assertThat(b.afterClose(1011, false)).isEqualTo(999);
        for (int i = 0; i < 10; i++) {
            b.afterClose(1008, false);
        }
        assertThat(b.afterClose(FramewireClient.CLOSE_SILENCE, false)).isEqualTo(9_999);
        assertThat(b.afterClose(1013, true)).isEqualTo(249);
    }

    @Test
    void codesThatDoNotBackOff() {
        Backoff b = new Backoff(() -> TOP);
        assertThat(b.afterClose(1000, true)).isEqualTo(Backoff.STOP);
        assertThat(b.afterClose(1009, true)).isEqualTo(Backoff.STOP);
        assertThat(b.afterClose(1001, false)).isBetween(0L, 250L);
        assertThat(b.afterClose(4000, false)).isBetween(5_000L, 6_000L);
        assertThat(b.afterFailedConnect(400, 0)).isEqualTo(Backoff.STOP);
        assertThat(b.afterFailedConnect(401, 0)).isEqualTo(Backoff.STOP);
        assertThat(b.afterFailedConnect(403, 0)).isEqualTo(Backoff.STOP);
        assertThat(b.afterFailedConnect(503, 5_000)).isEqualTo(5_000);
    }

    @Test
    void fullJitterSpreadsOverTheWholeWindow() {
        Backoff low = new Backoff(() -> 0.0);
        assertThat(low.afterClose(1013, false)).isZero();
        Backoff mid = new Backoff(() -> 0.5);
        mid.afterClose(1013, false);
        assertThat(mid.afterClose(1013, false)).isEqualTo(250);
    }
}
