package io.framewire.inference;

import io.framewire.inference.InferenceWorker.Batch;
import io.framewire.metrics.Metrics;
import io.framewire.schedule.Job;
import io.framewire.schedule.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The split pipeline (see {@link PipelineConfig}): decoder threads take batches from the
 * scheduler, decode them and queue them; executors (platform threads, each owning its detector,
 * so its {@code Net}) run the forward passes, two per device by default
 * ({@link DetectorFactory#defaultWorkers}). The device runs their passes one after another, and
 * while one executor answers its batch and takes the next, the other's pass keeps the device busy:
 * with one executor the device idled for that time and for the OS's late wake-up of the thread,
 * 0.7–1.9 ms per 5 ms pass on a loaded 2-core host (bench/RESULTS.md). The queue holds one
 * decoded batch per executor, and each decoder may hold one more while it waits to queue it: when
 * a forward pass ends, the next batch is already decoded. An executor merges queued batches up to
 * {@code batch.max} frames, so decoders never wait to fill a batch themselves.
 *
 * <p>Scheduling is untouched: a stream's mailbox stays scheduled from the decoder's take until
 * the executor answers its frame, so latest-frame-wins, round robin, one frame in flight per
 * stream and the accounting are those of the inline pipeline. The stage code (gate, decode,
 * detector, answers) is {@link InferenceWorker}'s, shared by both.
 */
final class SplitPipeline {

    private static final Logger log = LoggerFactory.getLogger(SplitPipeline.class);

    private final DetectorFactory factory;
    private final InferenceWorker stages;
    private final Scheduler scheduler;
    private final Metrics metrics;
    private final Advisor advisor;
    private final int batchMax;
    private final long batchWaitNanos;
    private final BlockingQueue<Batch> decoded;
    private final CountDownLatch started;
    private volatile int max = 1;
    private volatile boolean needsPixels = true;

    SplitPipeline(DetectorFactory factory, InferenceWorker stages, Scheduler scheduler, int executors, int batchMax,
                  long batchWaitNanos, Metrics metrics, Advisor advisor) {
        this.factory = factory;
        this.stages = stages;
        this.scheduler = scheduler;
        this.metrics = metrics;
        this.advisor = advisor;
        this.batchMax = batchMax;
        this.batchWaitNanos = batchWaitNanos;
        this.decoded = new ArrayBlockingQueue<>(Math.max(1, executors));
        this.started = new CountDownLatch(executors);
    }

    /** Executor {@code index}: builds its detector, counts down {@code ready}, then runs forward passes. */
    Runnable executor(int index, CountDownLatch ready) {
        return () -> {
            try (Detector detector = factory.newDetector(index)) {
                max = Math.max(1, Math.min(batchMax, detector.maxBatch()));
                needsPixels = detector.needsPixels();
                Metrics.Device device = metrics.device(factory.deviceLabel() + ":" + factory.deviceOf(index), max);
                started.countDown();
                ready.countDown();
                runExecutor(detector, device);
            } catch (InterruptedException e) {
                // pool shutdown
            } catch (RuntimeException e) {
                log.error("inference executor failed to start: {}", e.toString(), e);
                ready.countDown();
            }
        };
    }

    private void runExecutor(Detector detector, Metrics.Device device) throws InterruptedException {
        int limit = max;
        // Waiting to fill a batch only pays off when the model runs it as one forward pass.
        long wait = limit > 1 ? batchWaitNanos : 0;
        Batch carry = null;
        List<Batch> parts = new ArrayList<>();
        while (!Thread.currentThread().isInterrupted()) {
            Batch first = carry != null ? carry : decoded.take();
            carry = null;
            parts.add(first);
            int frames = first.size();
            long deadline = 0;
            while (frames < limit) {
                Batch next = decoded.poll();
                if (next == null && wait > 0) {
                    if (deadline == 0) {
                        deadline = System.nanoTime() + wait;
                    }
                    next = decoded.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                }
                if (next == null) {
                    break;
                }
                if (frames + next.size() > limit) {
                    carry = next; // next pass's first part
                    break;
                }
                parts.add(next);
                frames += next.size();
            }
            Batch batch = parts.size() == 1 ? first : merge(parts);
            try {
                stages.infer(detector, batch, device);
            } finally {
                stages.finish(batch, false);
                parts.clear();
            }
        }
    }

    /** Decoder {@code index}: waits for the executors' detectors, then decodes batches for them. */
    Runnable decoder() {
        return () -> {
            try {
                started.await();
                int limit = max;
                boolean pixels = needsPixels;
                List<Job> batch = new ArrayList<>(limit);
                while (!Thread.currentThread().isInterrupted()) {
                    // no wait here: the executor merges what several decodes queued
                    scheduler.next(batch, limit, 0);
                    Batch p = new Batch(batch, System.nanoTime());
                    stages.prepare(p, pixels);
                    int answered = p.size() + p.gated; // before the executor touches p
                    if (p.items.isEmpty()) {
                        stages.finish(p, false);
                    } else {
                        decoded.put(p);
                    }
                    if (answered > 0) {
                        // a decoder's time includes waiting for the executor: frames per decoder-second
                        // is then the pipeline's rate whichever stage limits it
                        long now = System.nanoTime();
                        advisor.record(answered, now - p.started, now);
                    }
                    batch = new ArrayList<>(limit);
                }
            } catch (InterruptedException e) {
                // pool shutdown
            }
        };
    }

    /** One forward pass's worth of several decodes. */
    private static Batch merge(List<Batch> parts) {
        List<Job> jobs = new ArrayList<>();
        for (Batch p : parts) {
            jobs.addAll(p.jobs);
        }
        Batch m = new Batch(jobs, parts.get(0).started);
        for (Batch p : parts) {
            m.items.addAll(p.items);
            m.gated += p.gated;
        }
        return m;
    }
}
