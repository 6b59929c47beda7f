package io.framewire.server;

import static io.framewire.testing.Waits.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.testing.Http;
import io.framewire.testing.MetricsText;
import io.framewire.testing.RawWs;
import io.framewire.testing.ServerExtension;
import io.framewire.testing.TestData;
import io.framewire.testing.Waits;
import io.framewire.testing.WsClient;
import io.framewire.config.Settings;
import io.framewire.inference.Detector;
import io.framewire.inference.DetectorFactory;
import io.framewire.protocol.Detection;
import io.framewire.testing.Tokens;
import io.framewire.testing.Upgrade;
import com.nimbusds.jwt.JWTClaimsSet;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Issue 25: byte budgets, slots that cannot be squatted, overload that is not silence; real sockets. */
class BudgetsServerTest {

    @RegisterExtension
    final ServerExtension servers = new ServerExtension();

    static double metric(FramewireServer server, String sample) throws Exception {
        String text = Http.metrics(server.port());
        return text.contains(sample + " ") ? MetricsText.value(text, sample) : 0;
    }

    @Test
    void aWatcherThatNeverReadsIsClosedWith1008ByBytesNotCount() throws Exception {
        byte[] frame = TestData.messi();
        try (FramewireServer server = mosaicServer(256, null, "ws.maxPendingResults", "65536", "ws.maxPendingBytes", "65536");
             WsClient cam = WsClient.stream(server.port(), "cam-1");
             RawWs watcher = RawWs.open(server.port(), "/ws/watch/cam-1", Map.of(), 4096)) {
            assertThat(watcher.status).isEqualTo(101);
            int sent = 0;
            Waits.until(() -> metric(server, "framewire_watchers"), n -> n == 1);
            while (metric(server, "framewire_output_dropped_total") == 0 && sent < 60_000) {
                for (int i = 0; i < 20; i++, sent++) {
                    cam.send(frame);
                    assertThat(cam.next(WAIT).path("type").asText()).isEqualTo("result");
                }
            }
            System.out.printf("non-reading watcher closed after %d results of 256 detections; output dropped %.0f%n", sent,
                    metric(server, "framewire_output_dropped_total"));
            assertThat(Waits.until(() -> metric(server, "framewire_watchers"), n -> n == 0)).as("closed, then dropped").isZero();
            assertThat(metric(server, "framewire_output_pending_bytes")).isLessThanOrEqualTo(65536);
            cam.send(frame);
            assertThat(cam.next(WAIT).path("type").asText()).as("the publisher carries on").isEqualTo("result");
        }
    }

    /** A sim server whose detector answers each frame with {@code boxes} faces, after {@code hold} lets it (null: at once). */
    private static FramewireServer mosaicServer(int boxes, CountDownLatch hold, String... more) throws Exception {
        Map<String, String> raw = new HashMap<>(Map.of("host", "127.0.0.1", "port", "0", "detector", "sim",
                "sim.batchMs", "1", "workers", "1", "gating.enabled", "false"));
        for (int i = 0; i < more.length; i += 2) {
            raw.put(more[i], more[i + 1]);
        }
        UnaryOperator<DetectorFactory> mosaic = f -> f.wrapping((worker, d) -> new Detector() {
            @Override
            public List<List<Detection>> detect(List<Mat> images) {
                if (hold != null) {
                    try {
                        hold.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                d.detect(images);
                List<List<Detection>> all = new ArrayList<>();
                for (Mat m : images) {
                    List<Detection> faces = new ArrayList<>();
                    for (int i = 0; i < boxes; i++) {
                        faces.add(new Detection("face", 0.5f + (i % 400) / 1000f, (i % 40) * 10, (i / 40) * 10 % 300, 8, 8));
                    }
                    all.add(faces);
                }
                return all;
            }

            @Override
            public void close() {
                d.close();
            }
        });
        return FramewireServer.start(Settings.from(raw), Map.of(), mosaic);
    }

    @Test
    void detectionsBeyondMaxDetectionsAreCountedAndFlaggedBestKept() throws Exception {
        try (FramewireServer server = mosaicServer(1000, null, "inference.maxDetections", "100");
             WsClient cam = WsClient.stream(server.port(), "mosaic")) {
            cam.send(TestData.messi());
            JsonNode r = cam.next(WAIT);
            assertThat(r.path("detections")).hasSize(100);
            assertThat(r.path("detections_omitted").asInt()).isEqualTo(900);
            assertThat(r.path("detections").get(0).path("score").asDouble()).as("best first").isEqualTo(0.899);
            assertThat(r.toString().length()).as("bytes of the answer").isLessThan(15_000);
        }
    }

    @Test
    void aStreamWaitingForItsTurnHearsAStatusEverySecond() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        try (FramewireServer server = mosaicServer(1, hold);
             WsClient cam = WsClient.stream(server.port(), "starved")) {
            long start = System.nanoTime();
            List<JsonNode> got = new ArrayList<>();
            while (got.size() < 2 && System.nanoTime() - start < WAIT.toNanos()) {
                cam.send(TestData.messi()); // the first frame holds the only worker
                try {
                    got.add(cam.next(Duration.ofMillis(200)));
                } catch (AssertionError quiet) {
                    // nothing within 200 ms: send the next frame, as a camera does
                }
            }
            hold.countDown();
            assertThat(got).hasSize(2).allSatisfy(m -> {
                assertThat(m.path("type").asText()).isEqualTo("status");
                assertThat(m.path("stream").asText()).isEqualTo("starved");
                assertThat(m.has("dropped")).isTrue();
                assertThat(m.path("advice").has("fps")).isTrue();
            });
            assertThat(got.get(1).path("dropped").asLong()).as("frames replaced while it waited").isPositive();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("about one a second").isLessThan(Duration.ofSeconds(4));
        }
    }

    @Test
    void oneClientAddressHoldsAtMostItsCapOfConnections() throws Exception {
        FramewireServer server = servers.start("detector", "none", "limits.maxConnectionsPerIp", "3");
        List<WsClient> held = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                held.add(WsClient.stream(server.port(), "cam-" + i));
            }
            Upgrade.Answer fourth = Upgrade.request(server.port(), "/ws/streams/cam-4", Map.of());
            assertThat(fourth.status()).isEqualTo(429);
            assertThat(fourth.headers()).containsKey("retry-after");
            assertThat(Upgrade.request(server.port(), "/ws/watch/cam-1", Map.of()).status()).as("watchers count too").isEqualTo(429);
            // behind a trusted proxy (loopback is one by default) the client is X-Real-IP
            assertThat(Upgrade.request(server.port(), "/ws/streams/cam-5", Map.of("X-Real-IP", "10.1.2.3")).status())
                    .isEqualTo(101);
            JsonNode ready = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Http.get(server.port(), "/readyz").body());
            assertThat(ready.path("ready").asBoolean()).as("one client cannot take the host out").isTrue();
            held.removeFirst().close();
            assertThat(Waits.until(() -> Upgrade.request(server.port(), "/ws/streams/cam-6", Map.of()).status(), s -> s == 101))
                    .as("a slot given back").isEqualTo(101);
        } finally {
            for (WsClient c : held) {
                c.close();
            }
        }
    }

    @Test
    void aPublisherThatSendsNoFrameIsClosedAtTheFirstFrameDeadlineTextOrNot() throws Exception {
        FramewireServer server = servers.start("detector", "none", "ws.firstFrameMs", "500", "ws.idleTimeoutMs", "60000");
        try (RawWs silent = RawWs.open(server.port(), "/ws/streams/squat-1");
             RawWs chatty = RawWs.open(server.port(), "/ws/streams/squat-2");
             WsClient camera = WsClient.stream(server.port(), "camera")) {
            camera.send(TestData.messi());
            assertThat(camera.next(WAIT).path("type").asText()).isEqualTo("result");
            long until = System.nanoTime() + Duration.ofMillis(1500).toNanos();
            try {
                while (System.nanoTime() < until) {
                    chatty.send(true, 0x1, "{}".getBytes(StandardCharsets.UTF_8)); // text is no activity
                    Thread.sleep(100);
                }
            } catch (java.io.IOException closedByTheServer) {
                // expected once the deadline passed: its close frame waits in the socket
            }
            RawWs.Frame close = silent.readUntilClose();
            assertThat(close).isNotNull();
            assertThat(close.closeCode()).isEqualTo(1008);
            assertThat(close.closeReason()).contains("ws.firstFrameMs");
            RawWs.Frame close2 = chatty.readUntilClose(); // past the errors its text got
            assertThat(close2).isNotNull();
            assertThat(close2.closeCode()).isEqualTo(1008);
            camera.send(TestData.messi());
            assertThat(camera.next(WAIT).path("type").asText()).as("a camera that sent a frame stays").isEqualTo("result");
        }
    }

    @Test
    void closeCodesAClientChoosesShareOneOtherLabel() throws Exception {
        FramewireServer server = servers.start("detector", "none");
        for (int code : new int[] {3001, 4321, 4999}) {
            try (RawWs c = RawWs.open(server.port(), "/ws/streams/codes-" + code)) {
                c.send(true, 0x8, new byte[] {(byte) (code >> 8), (byte) code});
                c.readUntilClose();
            }
        }
        Waits.until(() -> metric(server, "framewire_ws_closes_total{code=\"other\"}"), n -> n == 3);
        assertThat(Http.metrics(server.port())).doesNotContain("code=\"4321\"").doesNotContain("code=\"3001\"");
    }

    @Test
    void aTokenWithANullInItsClaimIsA401WithAMessageNotA500() throws Exception {
        FramewireServer server = servers.start("detector", "none", "security.auth", "jwt", "security.jwt.secret", Tokens.SECRET);
        java.util.List<Object> withNull = new java.util.ArrayList<>();
        withNull.add(null);
        String token = Tokens.hs256(new JWTClaimsSet.Builder().subject("odd")
                .expirationTime(new java.util.Date(System.currentTimeMillis() + 60_000)).claim("fw.publish", withNull).build());
        Upgrade.Answer a = Upgrade.request(server.port(), "/ws/streams/cam-1", Map.of("Authorization", "Bearer " + token));
        assertThat(a.status()).isEqualTo(401);
    }
}
