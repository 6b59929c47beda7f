package io.framewire.bench.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class FairnessTest {

    @Test
    void equalSharesAreperfectlyFair() {
        assertThat(Fairness.jain(new long[] {7, 7, 7, 7})).isEqualTo(1.0);
    }

    @Test
    void oneStreamTakingEverythingGivesOneOverN() {
        assertThat(Fairness.jain(new long[] {10, 0, 0, 0})).isCloseTo(0.25, within(1e-12));
    }

    @Test
    void matchesTheFormula() {
        // (1+2+3)^2 / (3 * (1+4+9)) = 36/42
        assertThat(Fairness.jain(new long[] {1, 2, 3})).isCloseTo(36.0 / 42.0, within(1e-12));
    }

    @Test
    void undefinedWithoutData() {
        assertThat(Fairness.jain(new long[0])).isNaN();
        assertThat(Fairness.jain(new long[] {0, 0})).isNaN();
    }

    @Test
    void noOverflowForLargeCounts() {
        long big = 3_000_000_000L;
        assertThat(Fairness.jain(new long[] {big, big})).isCloseTo(1.0, within(1e-12));
    }
}
