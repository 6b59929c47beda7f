package io.framewire.testing;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Polls until a condition holds (state that settles asynchronously), instead of sleeping and hoping. */
public final class Poll {

    private Poll() {}

    /** The first value that satisfies {@code done}, or the last one seen when {@code timeout} passes. */
    public static <T> T until(Duration timeout, Supplier<T> value, Predicate<T> done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T v;
            try {
                v = value.get();
            } catch (RuntimeException e) {
                v = null;
            }
            if ((v != null && done.test(v)) || System.nanoTime() > deadline) {
                return v;
            }
            Thread.sleep(25);
        }
    }
}
