package io.framewire.inference;

import io.framewire.metrics.Metrics;
import io.framewire.schedule.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A fixed set of platform threads, each owning its own detector (and so its own DNN {@code Net}). */
public final class WorkerPool implements AutoCloseable {

    private final List<Thread> threads = new ArrayList<>();

    /** Starts {@code size} workers and waits until each has built its detector. */
    public WorkerPool(DetectorFactory factory, Scheduler scheduler, int size, int batchMax, Duration batchMaxWait,
                      ImageLimits limits, int maxSide, Metrics metrics, Advisor advisor) throws InterruptedException {
        CountDownLatch ready = new CountDownLatch(size);
        for (int i = 0; i < size; i++) {
            var worker = new InferenceWorker(factory, scheduler, batchMax, batchMaxWait.toNanos(), limits, maxSide, metrics,
                    advisor, ready::countDown);
            threads.add(Thread.ofPlatform().name("inference-" + i).daemon().start(worker));
        }
        ready.await();
    }

    public int size() {
        return threads.size();
    }

    /** Workers still running (a worker whose detector failed to load has exited). */
    public long alive() {
        return threads.stream().filter(Thread::isAlive).count();
    }

    @Override
    public void close() throws InterruptedException {
        threads.forEach(Thread::interrupt);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(5));
        }
    }
}
