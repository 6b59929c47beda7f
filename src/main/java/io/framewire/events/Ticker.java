package io.framewire.events;

import java.util.concurrent.TimeUnit;

/** Time for the sinks' retries: real in the server, a test's own clock in tests (which never sleep). */
public interface Ticker {

    long nanos();

    /** Waits {@code nanos} of this ticker's time. */
    void sleep(long nanos) throws InterruptedException;

    Ticker SYSTEM = new Ticker() {
        @Override
        public long nanos() {
            return System.nanoTime();
        }

        @Override
        public void sleep(long nanos) throws InterruptedException {
            TimeUnit.NANOSECONDS.sleep(nanos);
        }
    };
}
