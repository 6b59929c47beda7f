package io.framewire.watchdog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.framewire.inference.Detector;
import io.framewire.inference.DetectorFactory;
import io.framewire.protocol.Detection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

/**
 * Stuck or starved (issue #25, F6): three workers each on one forward pass far longer than the
 * stall time. The blocked one and the one in an endless loop are stalls; the one that only gets a
 * sliver of CPU (sleeping most of the time, as a thread on an oversubscribed host does) is not.
 */
class DetectorWatchTest {

    private static final long STALL = TimeUnit.MILLISECONDS.toNanos(400);
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** A detector whose one forward pass runs {@code pass} on the worker's thread. */
    private static DetectorFactory factory(Runnable pass) {
        Detector detector = new Detector() {
            @Override
            public List<List<Detection>> detect(List<Mat> images) {
                pass.run();
                return List.of(List.of());
            }

            @Override
            public void close() {}
        };
        return new DetectorFactory() {
            @Override
            public Detector newDetector(int worker) {
                return detector;
            }

            @Override
            public String description() {
                return "test";
            }

            @Override
            public int defaultWorkers() {
                return 1;
            }
        };
    }

    /** Runs one forward pass on a platform thread named {@code name}, as an inference worker does. */
    private static CompletableFuture<Void> pass(DetectorWatch watch, Runnable body, String name) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofPlatform().name(name).start(() -> {
            try (Detector d = watch.watch(factory(body)).newDetector(0)) {
                d.detect(List.of());
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        return done;
    }

    private static String tick(DetectorWatch watch) {
        return watch.stall(System.nanoTime(), STALL);
    }

    @Test
    void aWorkerBlockedInItsPassIsAStall() {
        DetectorWatch watch = new DetectorWatch();
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> done = pass(watch, () -> hold(release), "inference-blocked");
        try {
            String why = await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> tick(watch), s -> s != null);
            assertThat(why).startsWith("inference worker inference-blocked on one forward pass for").contains("(blocked)");
        } finally {
            release.countDown();
        }
        done.join();
        assertThat(tick(watch)).as("done: idle again").isNull();
    }

    @Test
    void aWorkerSpinningInItsPassIsAStall() {
        DetectorWatch watch = new DetectorWatch();
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Void> done = pass(watch, () -> {
            while (!stop.get()) {
                Thread.onSpinWait();
            }
        }, "inference-spinning");
        try {
            String why = await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> tick(watch), s -> s != null);
            assertThat(why).startsWith("inference worker inference-spinning").contains("of CPU (a loop that does not end)");
        } finally {
            stop.set(true);
        }
        done.join();
    }

    @Test
    void aWorkerStarvedOfCpuIsNotAStall() {
        DetectorWatch watch = new DetectorWatch();
        long passNanos = 4 * STALL;
        long begin = System.nanoTime();
        // ~1 ms of work every 25 ms: progress, slowly, for four stall times
        CompletableFuture<Void> done = pass(watch, () -> {
            while (System.nanoTime() - begin < passNanos) {
                long spin = System.nanoTime();
                while (System.nanoTime() - spin < 1_000_000) {
                    Thread.onSpinWait();
                }
                sleep(24);
            }
        }, "inference-starved");
        List<String> verdicts = new ArrayList<>();
        long longestSeen = 0;
        while (!done.isDone()) {
            verdicts.add(String.valueOf(tick(watch)));
            longestSeen = System.nanoTime() - begin;
            sleep(50);
        }
        done.join();
        assertThat(longestSeen).as("the pass outlasted the stall time (the elapsed-time rule would have fired)")
                .isGreaterThan(2 * STALL);
        assertThat(verdicts).as("never judged stuck").containsOnly("null");
    }

    private static void hold(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
