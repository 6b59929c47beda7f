package io.framewire.server;

import static io.framewire.testing.Waits.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.testing.Http;
import io.framewire.testing.MetricsText;
import io.framewire.testing.ServerExtension;
import io.framewire.testing.TestData;
import io.framewire.testing.VideoJpegs;
import io.framewire.testing.Waits;
import io.framewire.testing.WsClient;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Real detectors behind real WebSockets: results, drops under load, fairness, bad frames. */
class DetectionServerTest {

    @RegisterExtension
    final ServerExtension servers = new ServerExtension();

    private FramewireServer startYunet(String... more) throws Exception {
        List<String> kv = new ArrayList<>(List.of("detector", "yunet", "model", TestData.yunet().toString()));
        kv.addAll(List.of(more));
        return servers.start(kv.toArray(String[]::new));
    }

    @Test
    void yunetFindsMessisFace() throws Exception {
        FramewireServer server = startYunet("workers", "1");
        try (WsClient client = WsClient.stream(server.port(), "messi")) {
            client.send(TestData.messi());
            JsonNode r = client.next(WAIT);
            assertThat(r.path("type").asText()).isEqualTo("result");
            assertThat(r.path("width").asInt()).isEqualTo(548);
            JsonNode faces = r.path("detections");
            assertThat(faces.size()).isEqualTo(1);
            JsonNode face = faces.get(0);
            assertThat(face.path("label").asText()).isEqualTo("face");
            assertThat(face.path("score").asDouble()).isBetween(0.6, 1.0);
            int x = face.path("box").get(0).asInt(), y = face.path("box").get(1).asInt();
            int w = face.path("box").get(2).asInt(), h = face.path("box").get(3).asInt();
            // Messi's face, located by eye in messi5.jpg: centre about (232, 95), some 40 px wide.
            assertThat(x).isLessThan(232);
            assertThat(x + w).isGreaterThan(232);
            assertThat(y).isLessThan(95);
            assertThat(y + h).isGreaterThan(95);
            assertThat(w).isBetween(20, 90);
            assertThat(h).isBetween(20, 110);
        }
    }

    @Test
    void megamindFramesYieldFaces() throws Exception {
        FramewireServer server = startYunet("workers", "1");
        List<ByteBuffer> frames = VideoJpegs.load(TestData.media("Megamind.avi"), 640, 360, 90, 200);
        try (WsClient client = WsClient.stream(server.port(), "megamind")) {
            int withFaces = 0, sent = 0;
            for (int i = 0; i < frames.size(); i += 20) {
                client.send(bytes(frames.get(i)));
                JsonNode r = client.next(WAIT);
                assertThat(r.path("seq").asLong()).isEqualTo(sent++);
                if (r.path("detections").size() > 0) {
                    withFaces++;
                }
            }
            assertThat(sent).isEqualTo(10);
            assertThat(withFaces).as("frames of Megamind.avi with a face").isGreaterThanOrEqualTo(5);
        }
    }

    @Test
    void slowDetectorMakesTheMailboxDropAndReportOlderFrames() throws Exception {
        // gating off: the repeated frame would be gated (identical bytes), answered without a forward
        // pass, and the detector would not be slow
        FramewireServer server = startYunet("workers", "1", "mailbox.depth", "1", "gating.enabled", "false");
        int frames = 120;
        try (WsClient client = WsClient.stream(server.port(), "burst")) {
            for (int i = 0; i < frames; i++) {
                client.send(TestData.messi()); // far faster than YuNet runs on one worker
            }
            List<JsonNode> results = StreamServerTest.untilSeq(client, frames - 1);
            long dropped = results.stream().mapToLong(r -> r.path("dropped").asLong()).sum();
            assertThat(dropped).as("most frames replaced before a worker got to them").isGreaterThan(frames / 2);
            assertThat(results.size() + dropped).isEqualTo(frames);
            assertThat(results).allSatisfy(r -> assertThat(r.path("detections").size()).isEqualTo(1));
        }
    }

    @Test
    void overloadedWorkerServesStreamsRoundRobinWhateverTheirRates() throws Exception {
        // gating off: a repeated frame would be gated, and cheap gated answers leave no overload to share
        FramewireServer server = startYunet("workers", "1", "gating.enabled", "false");
        byte[] jpeg = TestData.messi();
        String[] ids = {"fast", "slow-1", "slow-2", "slow-3"};
        long[] pauseMs = {2, 10, 10, 10};
        List<WsClient> clients = new ArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> senders = new ArrayList<>();
        AtomicLong[] sent = new AtomicLong[ids.length];
        try {
            for (int s = 0; s < ids.length; s++) {
                WsClient c = WsClient.stream(server.port(), ids[s]);
                clients.add(c);
                long pause = pauseMs[s];
                AtomicLong count = sent[s] = new AtomicLong();
                senders.add(Thread.ofVirtual().start(() -> {
                    while (running.get()) {
                        try {
                            c.send(jpeg);
                            count.incrementAndGet();
                            Thread.sleep(pause); // the camera's pace
                        } catch (Exception e) {
                            return;
                        }
                    }
                }));
            }
            // overloaded for a number of passes rather than a time, so a slow machine measures as many
            Waits.until(() -> MetricsText.value(Http.metrics(server.port()), "framewire_frames_processed_total"), n -> n >= 80);
            running.set(false);
            for (Thread t : senders) {
                t.join();
            }
            long[] results = new long[ids.length];
            long[] dropped = new long[ids.length];
            for (int s = 0; s < ids.length; s++) {
                // the newest frame of a stream is always answered: up to it, every frame is accounted for
                for (JsonNode r : StreamServerTest.untilSeq(clients.get(s), sent[s].get() - 1)) {
                    results[s]++;
                    dropped[s] += r.path("dropped").asLong();
                }
                assertThat(results[s] + dropped[s]).as(ids[s]).isEqualTo(sent[s].get());
            }
            double sum = Arrays.stream(results).sum();
            double sumSq = Arrays.stream(results).mapToDouble(x -> (double) x * x).sum();
            double jain = sum * sum / (ids.length * sumSq);
            assertThat(Arrays.stream(results).min().orElseThrow()).as("every stream served: %s", Arrays.toString(results))
                    .isGreaterThanOrEqualTo(5);
            assertThat(jain).as("Jain fairness of results %s", Arrays.toString(results)).isGreaterThan(0.95);
            assertThat(dropped[0]).as("the fast stream pays with drops, not others' share")
                    .isGreaterThan(dropped[1]);
        } finally {
            running.set(false);
            for (WsClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void corruptJpegGetsAnErrorWhileOtherStreamsKeepTheirResults() throws Exception {
        FramewireServer server = startYunet("workers", "1");
        byte[] good = TestData.messi();
        byte[] truncated = Arrays.copyOf(good, good.length / 2);
        byte[] scrambled = good.clone();
        for (int i = 600; i < scrambled.length; i += 7) {
            scrambled[i] = (byte) (scrambled[i] * 31 + 17);
        }
        try (WsClient bad = WsClient.stream(server.port(), "bad");
             WsClient fine = WsClient.stream(server.port(), "fine")) {
            bad.send(truncated);
            JsonNode e1 = bad.next(WAIT);
            assertThat(e1.path("type").asText()).isEqualTo("error");
            assertThat(e1.path("code").asText()).isEqualTo("bad_image");
            assertThat(e1.path("seq").asLong()).isZero();

            bad.send(scrambled);
            JsonNode second = bad.next(WAIT);
            assertThat(second.path("seq").asLong()).isEqualTo(1);
            // a scrambled body may still decode to noise; either way the frame is answered and nothing breaks
            assertThat(second.path("type").asText()).isIn("error", "result");

            fine.send(good);
            assertThat(fine.next(WAIT).path("detections").size()).isEqualTo(1);
            bad.send(good);
            JsonNode recovered = bad.next(WAIT);
            assertThat(recovered.path("type").asText()).isEqualTo("result");
            assertThat(recovered.path("seq").asLong()).isEqualTo(2);
            assertThat(recovered.path("detections").size()).isEqualTo(1);
        }
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
