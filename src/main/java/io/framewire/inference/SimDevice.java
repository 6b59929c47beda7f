package io.framewire.inference;

import java.util.concurrent.TimeUnit;

/**
 * The simulated accelerator behind {@code --detector sim}: it runs one forward pass at a time,
 * each {@code sim.batchMs} long, for all the executors that share it, as a GPU runs the kernels of
 * the nets of several host threads one after another. A pass asked for while the device is busy
 * starts when the device is free, so two executors keep it busy while one of them is between
 * passes (answering, picking up the next batch, waiting for the OS to wake it), and the device
 * still never runs more than one pass per {@code sim.batchMs}.
 */
final class SimDevice {

    private final long passNanos;
    private long freeAt = Long.MIN_VALUE; // guarded by this: when the last pass queued ends

    SimDevice(double batchMs) {
        this.passNanos = Math.max(1, Math.round(batchMs * 1e6));
    }

    /** Queues a pass asked for at {@code nowNanos}; returns when it ends, on the device's clock. */
    synchronized long queue(long nowNanos) {
        long start = freeAt == Long.MIN_VALUE || nowNanos - freeAt > 0 ? nowNanos : freeAt;
        freeAt = start + passNanos;
        return freeAt;
    }

    /** One forward pass: queues it and sleeps (not spins: the CPU stays free for decoding) until it ends. */
    void run() throws InterruptedException {
        long end = queue(System.nanoTime());
        for (long left = end - System.nanoTime(); left > 0; left = end - System.nanoTime()) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }
}
