package io.framewire.inference;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The simulated accelerator's clock, with time passed in: one pass at a time, whoever asks. */
class SimDeviceTest {

    private static final long MS = 1_000_000;

    @Test
    void passesAskedForTogetherRunOneAfterAnother() {
        SimDevice device = new SimDevice(5);
        long now = 1_000 * MS;
        assertThat(device.queue(now)).isEqualTo(now + 5 * MS);
        assertThat(device.queue(now + MS)).as("queued behind the first").isEqualTo(now + 10 * MS);
        assertThat(device.queue(now + 2 * MS)).isEqualTo(now + 15 * MS);
    }

    @Test
    void aPassAskedForOnAnIdleDeviceStartsAtOnce() {
        SimDevice device = new SimDevice(5);
        long now = -7 * MS; // nanoTime may be negative
        assertThat(device.queue(now)).isEqualTo(now + 5 * MS);
        // the device went idle at now + 5 ms: the time it idled is not given back
        assertThat(device.queue(now + 20 * MS)).isEqualTo(now + 25 * MS);
    }

    @Test
    void twoExecutorsNeverGetMoreThanOnePassPerBatchMs() throws Exception {
        SimDevice device = new SimDevice(20);
        Runnable pass = () -> {
            try {
                device.run();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        };
        long t0 = System.nanoTime();
        Thread a = Thread.ofPlatform().start(pass);
        Thread b = Thread.ofPlatform().start(pass);
        a.join();
        b.join();
        assertThat(System.nanoTime() - t0).as("two passes of 20 ms, one after another").isGreaterThanOrEqualTo(40 * MS);
    }
}
