package io.framewire.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The advice's share (issue 25, D3): max-min fair in worker time, not one share per connected stream. */
class AdvisorTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void saturatedEqualStreamsShareEqually() {
        long[] used = new long[8];
        Arrays.fill(used, SECOND / 4); // 2 workers for a second, 8 streams each busy a quarter
        assertThat(Advisor.streamsSharing(used, 2 * SECOND)).isCloseTo(8, within(1e-9));
    }

    @Test
    void fourHundredStreamsOfTinyFramesCountForTheTimeTheyTakeNotAsFourHundredShares() {
        long[] used = new long[401];
        Arrays.fill(used, 250_000L); // an empty or 1-pixel frame every 4 s: 0.25 ms of a worker each
        used[400] = SECOND / 2; // the victim, wanting more
        double shares = Advisor.streamsSharing(used, SECOND);
        assertThat(shares).as("about one share: the tiny streams leave 90 % to the victim").isLessThan(1.2);
    }

    @Test
    void aStreamBelowItsShareLeavesTheRestToTheOthers() {
        // one worker-second; three streams want all they can get, one uses 10 %
        double shares = Advisor.streamsSharing(new long[] {SECOND / 10, 3 * SECOND / 10, 3 * SECOND / 10, 3 * SECOND / 10},
                SECOND);
        assertThat(shares).as("level 0.3 of 1.0").isCloseTo(1 / 0.3, within(1e-6));
    }

    @Test
    void nobodyProcessedMeansOneShare() {
        assertThat(Advisor.streamsSharing(new long[0], SECOND)).isEqualTo(1);
    }
}
