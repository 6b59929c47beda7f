package io.framewire.stream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RateLimiterTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void allowsOneSecondOfBurstThenTheRate() {
        long t = 1_000 * SECOND;
        RateLimiter limiter = new RateLimiter(10, t);
        int burst = 0;
        while (limiter.tryAcquire(t)) {
            burst++;
        }
        assertThat(burst).isEqualTo(10);
        int allowed = 0;
        for (int i = 0; i < 1000; i++) { // 100 frames/s offered for 10 s
            t += SECOND / 100;
            if (limiter.tryAcquire(t)) {
                allowed++;
            }
        }
        assertThat(allowed).isBetween(99, 101);
    }

    @Test
    void idleTimeRefillsOnlyUpToTheBurst() {
        long t = 0;
        RateLimiter limiter = new RateLimiter(5, t);
        t += 60 * SECOND;
        int burst = 0;
        while (limiter.tryAcquire(t)) {
            burst++;
        }
        assertThat(burst).isEqualTo(5);
    }
}
