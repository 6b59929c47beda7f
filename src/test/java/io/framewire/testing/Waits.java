package io.framewire.testing;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * The one bound on anything a test waits for, and the one way to wait for state that settles
 * asynchronously: poll the condition (Awaitility), never sleep and hope.
 */
public final class Waits {

    /**
     * Generous, because it only costs time when a test fails: a test waits for its condition, not
     * for this, so a loaded machine (CI, builds beside it) slows a run but does not fail it.
     */
    public static final Duration WAIT = Duration.ofSeconds(30);

    private Waits() {}

    /** Polls every 20 ms from the first check, up to {@link #WAIT}. */
    public static ConditionFactory await() {
        return await(WAIT);
    }

    /** Polls every 20 ms from the first check, up to {@code atMost}. */
    public static ConditionFactory await(Duration atMost) {
        return Awaitility.await().atMost(atMost).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
                .pollInSameThread();
    }

    /**
     * The first value of {@code value} that satisfies {@code done}, polled up to {@link #WAIT};
     * a value that throws (a page still rendering, a server still starting) counts as not yet.
     * On timeout it fails naming the last value seen.
     */
    public static <T> T until(Callable<T> value, Predicate<? super T> done) {
        return await().ignoreExceptions().until(value, done);
    }
}
