package io.framewire.bench.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/** The client contract's reconnect delays (CONTRACT / README), with the random draws injected. */
class BackoffTest {

    private static final long BASE = Duration.ofMillis(250).toNanos();
    private static final long CAP = Duration.ofSeconds(10).toNanos();
    private static final long MS = Duration.ofMillis(1).toNanos();

    /** Hands out the given draws in order. */
    private static final class Draws implements DoubleSupplier {
        private final Deque<Double> next = new ArrayDeque<>();

        Draws then(double... values) {
            for (double v : values) {
                next.add(v);
            }
            return this;
        }

        @Override
        public double getAsDouble() {
            return next.remove();
        }
    }

    private static final double ALMOST_ONE = Math.nextDown(1.0);

    @Test
    void doublesFromTheBaseUpToTheCapWithFullJitter() {
        Draws draws = new Draws();
        Backoff b = new Backoff(BASE, CAP, draws);
        // the top of each window: 250 ms, 500 ms, 1 s, 2 s, 4 s, 8 s, then the 10 s cap
        long[] ceilingsMs = {250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000};
        for (long ceiling : ceilingsMs) {
            draws.then(ALMOST_ONE);
            assertThat(b.afterClose(1013, false)).isBetween(ceiling * MS - 1, ceiling * MS);
        }
    }

    @Test
    void fullJitterDrawsFromZeroToTheStep() {
        Draws draws = new Draws().then(0.0, 0.5, 0.25);
        Backoff b = new Backoff(BASE, CAP, draws);
        assertThat(b.afterClose(1006, false)).as("a draw of 0: at once").isZero();
        assertThat(b.afterClose(1006, false)).as("half of the 500 ms step").isEqualTo(250 * MS);
        assertThat(b.afterClose(1006, false)).as("a quarter of the 1 s step").isEqualTo(250 * MS);
    }

    @Test
    void startsOverAfterAConnectionThatGotAResult() {
        Draws draws = new Draws();
        Backoff b = new Backoff(BASE, CAP, draws);
        for (int i = 0; i < 5; i++) {
            draws.then(ALMOST_ONE);
            b.afterClose(1011, false);
        }
        draws.then(ALMOST_ONE);
        assertThat(b.afterClose(1011, true)).as("the connection got a result: back to the base")
                .isBetween(250 * MS - 1, 250 * MS);
        draws.then(ALMOST_ONE);
        assertThat(b.afterClose(1011, false)).as("no result this time: the next step").isBetween(500 * MS - 1, 500 * MS);
    }

    @Test
    void aConnectionWithoutAResultDoesNotReset() {
        Draws draws = new Draws().then(ALMOST_ONE, ALMOST_ONE, ALMOST_ONE);
        Backoff b = new Backoff(BASE, CAP, draws);
        b.afterFailedConnect(503, 0);
        b.afterFailedConnect(0, 0); // network error
        // an upgrade that opened and closed again with no result (e.g. 1013 right away) keeps climbing
        assertThat(b.afterClose(1013, false)).isBetween(1000 * MS - 1, 1000 * MS);
    }

    @Test
    void drainingReconnectsAtOnceWithinAQuarterSecond() {
        Draws draws = new Draws().then(ALMOST_ONE, 0.0, ALMOST_ONE);
        Backoff b = new Backoff(BASE, CAP, draws);
        assertThat(b.afterClose(1001, false)).isBetween(249 * MS, 250 * MS);
        assertThat(b.afterClose(1001, false)).isZero();
        assertThat(b.afterClose(1013, false)).as("1001 took no backoff step").isBetween(250 * MS - 1, 250 * MS);
    }

    @Test
    void replacedWaitsFiveSecondsPlusJitter() {
        Draws draws = new Draws().then(0.0, ALMOST_ONE);
        Backoff b = new Backoff(BASE, CAP, draws);
        assertThat(b.afterClose(4000, false)).isEqualTo(Duration.ofSeconds(5).toNanos());
        assertThat(b.afterClose(4000, false)).isBetween(Duration.ofSeconds(6).toNanos() - MS, Duration.ofSeconds(6).toNanos());
    }

    @Test
    void normalCloseTooBigAndRefusedUpgradesStop() {
        Backoff b = new Backoff(BASE, CAP, new Draws()); // no draw may be taken
        assertThat(b.afterClose(1000, true)).isEqualTo(Backoff.STOP);
        assertThat(b.afterClose(1009, true)).isEqualTo(Backoff.STOP);
        for (int status : new int[] {400, 401, 403}) {
            assertThat(b.afterFailedConnect(status, 0)).as("HTTP %d", status).isEqualTo(Backoff.STOP);
        }
    }

    @Test
    void everyOtherEndBacksOff() {
        for (int code : new int[] {1006, 1008, 1011, 1013, StreamConn.CLOSE_SILENCE}) {
            Backoff b = new Backoff(BASE, CAP, new Draws().then(0.5));
            assertThat(b.afterClose(code, false)).as("close %d", code).isEqualTo(125 * MS);
        }
        for (int status : new int[] {0, 404, 500, 502, 503}) {
            Backoff b = new Backoff(BASE, CAP, new Draws().then(0.5));
            assertThat(b.afterFailedConnect(status, 0)).as("HTTP %d", status).isEqualTo(125 * MS);
        }
    }

    @Test
    void retryAfterIsHonouredAsALowerBound() {
        Backoff b = new Backoff(BASE, CAP, new Draws().then(0.5, 0.5));
        assertThat(b.afterFailedConnect(503, Duration.ofSeconds(2).toNanos())).isEqualTo(Duration.ofSeconds(2).toNanos());
        assertThat(b.afterFailedConnect(503, MS)).as("the backoff when it is longer").isEqualTo(250 * MS);
    }

    @Test
    void manyFailuresStayAtTheCap() {
        Draws draws = new Draws();
        Backoff b = new Backoff(BASE, CAP, draws);
        for (int i = 0; i < 200; i++) {
            draws.then(ALMOST_ONE);
            assertThat(b.afterFailedConnect(0, 0)).isBetween(0L, CAP);
        }
        draws.then(ALMOST_ONE);
        assertThat(b.afterFailedConnect(0, 0)).as("no overflow after 200 attempts").isBetween(CAP - MS, CAP);
    }

    @Test
    void needsABaseNoLargerThanTheCap() {
        assertThatThrownBy(() -> new Backoff(0, CAP, () -> 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Backoff(CAP + 1, CAP, () -> 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
