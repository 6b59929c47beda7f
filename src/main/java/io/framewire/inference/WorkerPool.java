package io.framewire.inference;

import io.framewire.metrics.Metrics;
import io.framewire.schedule.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A fixed set of platform threads, each owning its own detector (and so its own DNN {@code Net}).
 * In the split pipeline ({@link PipelineConfig}) these are the device executors, fed by decoder threads;
 * worker {@code i} runs on device {@link DetectorFactory#deviceOf deviceOf(i)}.
 */
public final class WorkerPool implements AutoCloseable {

    private final List<Thread> threads = new ArrayList<>();
    private final List<Thread> decoders = new ArrayList<>();

    /** Starts {@code size} workers and waits until each has built its detector. */
    public WorkerPool(DetectorFactory factory, Scheduler scheduler, int size, int batchMax, Duration batchMaxWait,
                      ImageLimits limits, int maxSide, Metrics metrics, Advisor advisor) throws InterruptedException {
        this(factory, scheduler, size, batchMax, batchMaxWait, limits, maxSide, InferenceWorker.MAX_DETECTIONS, metrics,
                advisor, new PipelineConfig("inline", 0));
    }

    /** As above, in the pipeline {@code pipeline} chooses: {@code size} is then the executors of a split pipeline. */
    public WorkerPool(DetectorFactory factory, Scheduler scheduler, int size, int batchMax, Duration batchMaxWait,
                      ImageLimits limits, int maxSide, int maxDetections, Metrics metrics, Advisor advisor,
                      PipelineConfig pipeline) throws InterruptedException {
        CountDownLatch ready = new CountDownLatch(size);
        if (factory.needsNoWorker()) {
            // the readers answer what needs no worker; the workers take what still queues (none, as it is)
            var here = new InferenceWorker(factory, -1, scheduler, batchMax, batchMaxWait.toNanos(), limits, maxSide, maxDetections,
                    metrics, advisor, () -> {});
            var none = new NoneDetector();
            scheduler.answerOnArrival(job -> here.answerHere(none, job));
        }
        if (pipeline.split(factory)) {
            // the stage code only; its own loop (run) is not used here
            var stages = new InferenceWorker(factory, -1, scheduler, batchMax, batchMaxWait.toNanos(), limits, maxSide, maxDetections, metrics,
                    advisor, () -> {});
            var split = new SplitPipeline(factory, stages, scheduler, size, batchMax, batchMaxWait.toNanos(), metrics, advisor);
            for (int i = 0; i < size; i++) {
                threads.add(Thread.ofPlatform().name("inference-" + i).daemon().start(split.executor(i, ready)));
            }
            ready.await();
            if (alive() == size) {
                for (int i = 0; i < pipeline.decoderThreads(); i++) {
                    decoders.add(Thread.ofPlatform().name("decode-" + i).daemon().start(split.decoder()));
                }
            }
            return;
        }
        scheduler.consumers(size); // one worker kept for cheap streams while heavy frames run (Scheduler)
        for (int i = 0; i < size; i++) {
            var worker = new InferenceWorker(factory, i, scheduler, batchMax, batchMaxWait.toNanos(), limits, maxSide, maxDetections, metrics,
                    advisor, ready::countDown);
            threads.add(Thread.ofPlatform().name("inference-" + i).daemon().start(worker));
        }
        ready.await();
    }

    public int size() {
        return threads.size();
    }

    /** Decoder threads of the split pipeline; 0 inline. */
    public int decoders() {
        return decoders.size();
    }

    /** Workers still running (a worker whose detector failed to load has exited). */
    public long alive() {
        return threads.stream().filter(Thread::isAlive).count();
    }

    @Override
    public void close() throws InterruptedException {
        decoders.forEach(Thread::interrupt);
        threads.forEach(Thread::interrupt);
        for (Thread t : decoders) {
            t.join(TimeUnit.SECONDS.toMillis(5));
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(5));
        }
    }
}
