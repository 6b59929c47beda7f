package io.framewire.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.framewire.config.Settings;
import io.framewire.protocol.Detection;
import io.framewire.inference.Detector;
import io.framewire.inference.DetectorFactory;
import io.framewire.testing.TestData;
import io.framewire.testing.WsClient;
import io.framewire.watchdog.NotifyReceiver;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * systemd's watchdog outside systemd: the server gets a NOTIFY_SOCKET of the test's own and a
 * WATCHDOG_USEC, as systemd would give it, and a detector that can be made to hang mid forward pass.
 */
class SystemdWatchdogTest {

    /** WatchdogSec=2s: a heartbeat every 500 ms, a stall after 1 s without progress. */
    private static final long WATCHDOG_USEC = 2_000_000;
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final AtomicReference<CountDownLatch> hang = new AtomicReference<>();
    private FramewireServer server;

    @AfterEach
    void release() throws Exception {
        CountDownLatch h = hang.get();
        if (h != null) {
            h.countDown();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Detectors that block in detect() while {@link #hang} holds a latch, as a stuck native call would. */
    private UnaryOperator<DetectorFactory> hangable() {
        return f -> f.wrapping((worker, d) -> new Detector() {
            @Override
            public int maxBatch() {
                return d.maxBatch();
            }

            @Override
            public List<List<Detection>> detect(List<Mat> images) {
                CountDownLatch h = hang.get();
                if (h != null) {
                    try {
                        h.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return d.detect(images);
            }

            @Override
            public void close() {
                d.close();
            }
        });
    }

    private FramewireServer start(NotifyReceiver rx, String pipeline) throws Exception {
        Settings settings = Settings.from(Map.of("host", "127.0.0.1", "port", "0", "detector", "sim",
                "sim.batchMs", "1", "workers", "1", "pipeline", pipeline));
        return FramewireServer.start(settings,
                Map.of("NOTIFY_SOCKET", rx.path(), "WATCHDOG_USEC", String.valueOf(WATCHDOG_USEC)), hangable());
    }

    @Test
    void heartbeatStopsWhileAWorkerHangsAndResumesAfterStoppingOnDrain() throws Exception {
        assertHeartbeatFollowsProgress("inline");
    }

    @Test
    void sameWithTheSplitPipeline() throws Exception {
        assertHeartbeatFollowsProgress("split");
    }

    private void assertHeartbeatFollowsProgress(String pipeline) throws Exception {
        try (NotifyReceiver rx = new NotifyReceiver()) {
            server = start(rx, pipeline);
            await().atMost(WAIT).until(() -> rx.count("READY=1") == 1);
            assertThat(rx.messages().get(0)).startsWith("READY=1\n").contains("STATUS=serving on port " + server.port());
            // periodic: several heartbeats while idle (an idle worker is fine)
            await().atMost(WAIT).until(() -> rx.count("WATCHDOG=1") >= 3);

            // gating off: the motion gate would answer the same image again without a forward pass
            try (WsClient camera = new WsClient(URI.create("ws://127.0.0.1:" + server.port() + "/ws/streams/cam-1?gating=off"))) {
                camera.send(TestData.messi());
                assertThat(camera.next(WAIT).path("seq").asLong()).isZero();

                hang.set(new CountDownLatch(1));
                camera.send(TestData.messi());
                await().atMost(WAIT).until(() -> rx.messages().stream().anyMatch(m -> m.startsWith("STATUS=stalled: ")));
                String status = rx.messages().stream().filter(m -> m.startsWith("STATUS=stalled: ")).findFirst().orElseThrow();
                assertThat(status).contains("inference-0").contains("on one forward pass for");
                // no heartbeat for longer than WatchdogSec: systemd would restart this process now
                int stalledAt = rx.size();
                await().during(Duration.ofMillis(WATCHDOG_USEC / 1000 + 500)).atMost(WAIT)
                        .until(() -> rx.countAfter(stalledAt, "WATCHDOG=1") == 0);

                hang.get().countDown();
                assertThat(camera.next(WAIT).path("seq").asLong()).isEqualTo(1);
                await().atMost(WAIT).until(() -> rx.countAfter(stalledAt, "WATCHDOG=1") >= 2);
                assertThat(rx.messages().subList(stalledAt, rx.size())).anyMatch(m -> m.equals("WATCHDOG=1\nSTATUS=serving"));

                server.drain();
                await().atMost(WAIT).until(() -> rx.count("STOPPING=1") == 1);
                // the heartbeat goes on while draining: systemd's stop timeout, not its watchdog, bounds a drain
                int drainedAt = rx.size();
                await().atMost(WAIT).until(() -> rx.countAfter(drainedAt, "WATCHDOG=1") >= 1);
            }
        }
    }

    @Test
    void withoutNotifySocketTheServerServesAsBefore() throws Exception {
        Settings settings = Settings.from(Map.of("host", "127.0.0.1", "port", "0", "detector", "sim", "sim.batchMs", "1"));
        server = FramewireServer.start(settings, Map.of("WATCHDOG_USEC", String.valueOf(WATCHDOG_USEC)), UnaryOperator.identity());
        try (WsClient camera = WsClient.stream(server.port(), "cam-1")) {
            camera.send(TestData.messi());
            assertThat(camera.next(WAIT).path("seq").asLong()).isZero();
        }
    }
}
