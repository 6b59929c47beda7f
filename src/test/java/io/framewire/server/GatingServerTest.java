package io.framewire.server;

import static io.framewire.testing.MetricsText.value;
import static io.framewire.testing.Waits.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.testing.Http;
import io.framewire.testing.ServerExtension;
import io.framewire.testing.TestData;
import io.framewire.testing.Waits;
import io.framewire.testing.WsClient;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Motion gating, track ids and send-rate advice end to end: YuNet behind a real WebSocket. */
class GatingServerTest {

    private static final byte[] MESSI = TestData.messi();

    @RegisterExtension
    final ServerExtension servers = new ServerExtension();

    private FramewireServer startYunet(String... more) throws Exception {
        List<String> kv = new ArrayList<>(List.of("detector", "yunet", "model", TestData.yunet().toString(), "workers", "1"));
        kv.addAll(List.of(more));
        return servers.start(kv.toArray(String[]::new));
    }

    private static List<JsonNode> sendEach(WsClient client, int frames) throws Exception {
        List<JsonNode> results = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            client.send(MESSI);
            JsonNode r = client.next(WAIT);
            assertThat(r.path("type").asText()).as("%s", r).isEqualTo("result");
            assertThat(r.path("seq").asLong()).isEqualTo(i);
            results.add(r);
        }
        return results;
    }

    private static int[] box(JsonNode detection) {
        JsonNode b = detection.path("box");
        return new int[] {b.get(0).asInt(), b.get(1).asInt(), b.get(2).asInt(), b.get(3).asInt()};
    }

    @Test
    void aStillSceneIsAnsweredFromTheTracksWithoutTheDetector() throws Exception {
        FramewireServer server = startYunet("gating.refreshMs", "60000", "tracking.minHits", "1");
        try (WsClient client = WsClient.stream(server.port(), "still")) {
            List<JsonNode> results = sendEach(client, 10);
            JsonNode first = results.get(0);
            assertThat(first.path("gated").asBoolean(true)).isFalse();
            assertThat(first.path("detections").size()).isEqualTo(1);
            JsonNode face = first.path("detections").get(0);
            assertThat(face.has("predicted")).as("a box the detector found says nothing more").isFalse();
            int track = face.path("track").asInt();
            assertThat(track).isPositive();
            for (JsonNode r : results.subList(1, results.size())) {
                assertThat(r.path("gated").asBoolean()).as("%s", r).isTrue();
                assertThat(r.path("timing").path("batch").asInt()).isZero();
                assertThat(r.path("detections").size()).isEqualTo(1);
                JsonNode d = r.path("detections").get(0);
                assertThat(d.path("track").asInt()).isEqualTo(track);
                assertThat(d.path("label").asText()).isEqualTo("face");
                assertThat(d.path("predicted").asBoolean()).as("a track's prediction, not a detection").isTrue();
                // a still face: its predicted box is where the detector found it
                int[] b = box(d), b0 = box(face);
                for (int k = 0; k < 4; k++) {
                    assertThat(b[k]).isBetween(b0[k] - 1, b0[k] + 1);
                }
                assertThat(r.path("advice").path("fps").asDouble()).isPositive();
            }
            String metrics = Http.metrics(server.port());
            assertThat(value(metrics, "framewire_frames_gated_total")).isEqualTo(9);
            assertThat(value(metrics, "framewire_detector_passes_saved_total")).isEqualTo(9);
            assertThat(value(metrics, "framewire_frames_processed_total")).isEqualTo(1);
            assertThat(value(metrics, "framewire_tracks_alive")).isEqualTo(1);
            assertThat(value(metrics, "framewire_advised_fps_count")).isEqualTo(10);
        }
        Double alive = Waits.until(() -> {
            try {
                return value(Http.metrics(server.port()), "framewire_tracks_alive");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, v -> v == 0);
        assertThat(alive).as("a closed stream's tracks leave the gauge").isZero();
    }

    @Test
    void gatingOffAtTheUpgradeRunsTheDetectorOnEveryFrameAndIdsComeAfterMinHits() throws Exception {
        FramewireServer server = startYunet();
        try (WsClient client = new WsClient(URI.create("ws://127.0.0.1:" + server.port() + "/ws/streams/cam?gating=off"))) {
            List<JsonNode> results = sendEach(client, 6);
            assertThat(results).allSatisfy(r -> {
                assertThat(r.path("gated").isBoolean()).isTrue();
                assertThat(r.path("gated").asBoolean()).isFalse();
                assertThat(r.path("detections").size()).isEqualTo(1);
            });
            // tracking.minHits defaults to 3: the first two passes have no id yet
            assertThat(results.get(0).path("detections").get(0).has("track")).isFalse();
            assertThat(results.get(1).path("detections").get(0).has("track")).isFalse();
            int id = results.get(2).path("detections").get(0).path("track").asInt();
            assertThat(id).isPositive();
            assertThat(results.subList(3, 6)).allSatisfy(r ->
                    assertThat(r.path("detections").get(0).path("track").asInt()).isEqualTo(id));
            assertThat(value(Http.metrics(server.port()), "framewire_frames_processed_total")).isEqualTo(6);
        }
    }

    @Test
    void gatingOffForTheServerRunsTheDetectorOnEveryFrame() throws Exception {
        FramewireServer server = startYunet("gating.enabled", "false");
        try (WsClient client = WsClient.stream(server.port(), "cam")) {
            assertThat(sendEach(client, 4)).allSatisfy(r -> assertThat(r.path("gated").asBoolean(true)).isFalse());
        }
    }

    @Test
    void theRefreshBoundsHowLongAStillSceneGoesUnchecked() throws Exception {
        // the clock's refresh alone (a stream answered at its send rate): the count of answers never due here
        FramewireServer server = startYunet("gating.refreshMs", "200", "gating.refreshFrames", "100000");
        try (WsClient client = WsClient.stream(server.port(), "still")) {
            long refresh = Duration.ofMillis(200).toNanos();
            // The gate reads its clock when the server receives a frame: between our send and our
            // answer. So each answer is checked against bounds from our own clock, whatever the load.
            long[] lastPass = new long[2]; // {sent, answered} of the detector's last pass
            int[] counts = new int[3]; // frames, passes, gated
            Waits.await().pollInterval(Duration.ofMillis(1)).until(() -> {
                long sentAt = System.nanoTime();
                client.send(MESSI);
                JsonNode r = client.next(WAIT);
                long answeredAt = System.nanoTime();
                assertThat(r.path("seq").asLong()).isEqualTo(counts[0]++);
                if (r.path("gated").asBoolean()) {
                    assertThat(counts[1]).as("the first frame passes").isPositive();
                    assertThat(sentAt - lastPass[1]).as("gated only within refreshMs of the last pass").isLessThan(refresh);
                    counts[2]++;
                } else {
                    if (counts[1] > 0) {
                        assertThat(answeredAt - lastPass[0]).as("a still scene passes again only when the refresh is due")
                                .isGreaterThanOrEqualTo(refresh);
                    }
                    lastPass[0] = sentAt;
                    lastPass[1] = answeredAt;
                    counts[1]++;
                }
                return counts[1] >= 5 && counts[2] >= 5;
            });
        }
    }

    @Test
    void aBadGatingValueIsRefusedAtTheUpgrade() throws Exception {
        FramewireServer server = startYunet();
        assertThatThrownBy(() -> new WsClient(URI.create("ws://127.0.0.1:" + server.port() + "/ws/streams/cam?gating=maybe")))
                .hasMessageContaining("400");
    }

    @Test
    void everyFrameOfABurstIsAnsweredOrCountedOnceWithGatingOn() throws Exception {
        FramewireServer server = startYunet("mailbox.depth", "1");
        int frames = 150;
        try (WsClient client = WsClient.stream(server.port(), "burst")) {
            for (int i = 0; i < frames; i++) {
                client.send(MESSI);
            }
            List<JsonNode> results = StreamServerTest.untilSeq(client, frames - 1);
            long expectedSeq = 0;
            for (JsonNode r : results) {
                expectedSeq += r.path("dropped").asLong();
                assertThat(r.path("seq").asLong()).isEqualTo(expectedSeq++);
                assertThat(r.path("detections").size()).isEqualTo(1);
            }
            assertThat(expectedSeq).isEqualTo(frames);
            assertThat(results).anySatisfy(r -> assertThat(r.path("gated").asBoolean()).isTrue());
        }
    }

    @Test
    void withoutOverloadTheAdviceIsAtLeastTheSendRate() throws Exception {
        FramewireServer server = startYunet("gating.enabled", "false");
        try (WsClient client = WsClient.stream(server.port(), "calm")) {
            JsonNode last = null;
            long t0 = System.nanoTime();
            for (int i = 0; i < 25; i++) {
                client.send(MESSI);
                last = client.next(WAIT);
                Thread.sleep(100); // the camera's pace: ~10 FPS, far below what one YuNet worker answers
            }
            // the rate actually sent (lower than 10 FPS when the machine is loaded), not the intended one
            double sentFps = 25 / ((System.nanoTime() - t0) / 1e9);
            assertThat(last.path("advice").path("fps").asDouble()).as("sent at %.1f FPS", sentFps)
                    .isGreaterThanOrEqualTo(Math.floor(sentFps * 10) / 10);
        }
    }
}
