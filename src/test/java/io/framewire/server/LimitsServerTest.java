package io.framewire.server;

import static io.framewire.testing.Waits.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.testing.Http;
import io.framewire.testing.MetricsText;
import io.framewire.testing.ServerExtension;
import io.framewire.testing.TestData;
import io.framewire.testing.Upgrade;
import io.framewire.testing.Waits;
import io.framewire.testing.WsClient;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each limit over real WebSockets: its outcome for the offender, and no effect on a bystander stream. */
class LimitsServerTest {

    @RegisterExtension
    final ServerExtension servers = new ServerExtension();

    @Test
    void framesOverTheRateAreDroppedBeforeTheMailboxAndReportedInTheNextAnswer() throws Exception {
        FramewireServer server = servers.start("detector", "none", "limits.maxFps", "2");
        byte[] jpeg = TestData.messi();
        try (WsClient fast = WsClient.stream(server.port(), "fast");
             WsClient polite = WsClient.stream(server.port(), "polite")) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 30; i++) {
                fast.send(jpeg);
            }
            // Seqs 0..29 took the burst (2) and the refill while they arrived. Then a frame at a
            // camera's pace until one is within the rate again: the bucket refills with time.
            AtomicLong sent = new AtomicLong(30);
            List<JsonNode> results = new ArrayList<>();
            Waits.await().pollInterval(Duration.ofMillis(250)).until(() -> {
                results.addAll(fast.drain(Duration.ZERO));
                if (!results.isEmpty() && results.get(results.size() - 1).path("seq").asLong() >= 30) {
                    return true;
                }
                fast.send(jpeg);
                sent.incrementAndGet();
                return false;
            });
            double seconds = (System.nanoTime() - t0) / 1e9;
            long lastSeq = results.get(results.size() - 1).path("seq").asLong();
            long dropped = results.stream().mapToLong(r -> r.path("dropped").asLong()).sum();
            assertThat(results.size() + dropped).as("every frame up to the last answer answered or reported dropped").isEqualTo(lastSeq + 1);
            long expectedSeq = 0;
            for (JsonNode r : results) {
                expectedSeq += r.path("dropped").asLong();
                assertThat(r.path("seq").asLong()).as("dropped covers exactly the seqs skipped before").isEqualTo(expectedSeq++);
            }
            // at 2 fps with a burst of 2, at most 2 + 2 per second of the run were let through
            double rateLimited = counter(server, "framewire_frames_dropped_total{reason=\"rate_limited\"}");
            assertThat(rateLimited).as("%d frames in %.1f s at 2 fps", lastSeq + 1, seconds)
                    .isGreaterThanOrEqualTo(lastSeq + 1 - (2 + 2 * seconds));
            // the server's counts hold the drops reported so far, and perhaps the frames sent after
            // the last answer (one dropped over the rate is reported only with a later answer)
            assertThat(rateLimited + counter(server, "framewire_frames_dropped_total{reason=\"replaced\"}"))
                    .isBetween((double) dropped, (double) dropped + (sent.get() - 1 - lastSeq));

            polite.send(jpeg);
            JsonNode r = polite.next(WAIT);
            assertThat(r.path("type").asText()).as("each stream has its own budget").isEqualTo("result");
            assertThat(r.path("dropped").asLong()).isZero();
        }
    }

    @Test
    void imagesOverTheSizeLimitsAreRefusedFromTheHeaderAndNeverDecoded() throws Exception {
        FramewireServer server = servers.start("detector", "haar", "workers", "1", "limits.maxImageWidth", "500", "limits.maxImagePixels", "200000");
        try (WsClient client = WsClient.stream(server.port(), "bombs")) {
            client.send(TestData.messi()); // 548 wide
            JsonNode wide = client.next(WAIT);
            assertThat(wide.path("code").asText()).isEqualTo("image_too_large");
            assertThat(wide.path("message").asText()).contains("548x342");
            client.send(jpeg(400, 600)); // 240,000 pixels
            assertThat(client.next(WAIT).path("code").asText()).isEqualTo("image_too_large");
            client.send(pngBomb(30_000, 30_000)); // 57 bytes declaring 900 megapixels
            JsonNode bomb = client.next(WAIT);
            assertThat(bomb.path("code").asText()).isEqualTo("image_too_large");
            assertThat(bomb.path("seq").asLong()).isEqualTo(2);
            assertThat(counter(server, "framewire_decode_seconds_count")).as("nothing was decoded").isZero();

            client.send(jpeg(320, 240));
            JsonNode ok = client.next(WAIT);
            assertThat(ok.path("type").asText()).isEqualTo("result");
            assertThat(ok.path("width").asInt()).isEqualTo(320);
            assertThat(counter(server, "framewire_decode_seconds_count")).isEqualTo(1);
            assertThat(counter(server, "framewire_frames_dropped_total{reason=\"image_too_large\"}")).isEqualTo(3);
        }
    }

    @Test
    void theDefaultLimitsRefuseADecompressionBomb() throws Exception {
        FramewireServer server = servers.start("detector", "haar", "workers", "1");
        try (WsClient client = WsClient.stream(server.port(), "bomb")) {
            byte[] jpegBomb = TestData.messi().clone();
            int sof = sof(jpegBomb);
            jpegBomb[sof + 5] = jpegBomb[sof + 6] = jpegBomb[sof + 7] = jpegBomb[sof + 8] = (byte) 0xFF; // 65535x65535
            client.send(jpegBomb);
            assertThat(client.next(WAIT).path("code").asText()).isEqualTo("image_too_large");
            client.send(pngBomb(65_535, 65_535));
            assertThat(client.next(WAIT).path("code").asText()).isEqualTo("image_too_large");
            assertThat(counter(server, "framewire_decode_seconds_count")).isZero();
        }
    }

    @Test
    void hugeTextClosesWith1009AndSmallTextGetsAnError() throws Exception {
        FramewireServer server = servers.start("detector", "none", "ws.maxTextBytes", "1024");
        try (WsClient talker = WsClient.stream(server.port(), "talker");
             WsClient bystander = WsClient.stream(server.port(), "bystander")) {
            talker.sendText("{\"hello\":1}");
            assertThat(talker.next(WAIT).path("code").asText()).isEqualTo("unexpected_text");
            talker.sendText("x".repeat(5000));
            assertThat(talker.awaitClose(WAIT).code()).isEqualTo(1009);
            bystander.send(TestData.messi());
            assertThat(bystander.next(WAIT).path("type").asText()).isEqualTo("result");
        }
    }

    @Test
    void hostileFramesEachGetAnErrorAndTheConnectionAndOtherStreamsCarryOn() throws Exception {
        FramewireServer server = servers.start("detector", "haar", "workers", "1");
        byte[] messi = TestData.messi();
        byte[] png = new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18};
        byte[] garbageAfterHeader = Arrays.copyOf(messi, messi.length);
        Arrays.fill(garbageAfterHeader, sof(messi) + 20, messi.length, (byte) 0x5A);
        List<byte[]> hostile = List.of(
                "GET / HTTP/1.1\r\n\r\n".getBytes(),        // not an image
                Arrays.copyOf(messi, messi.length / 2),      // truncated in the scan
                Arrays.copyOf(messi, 3),                     // truncated in the header
                new byte[0],                                 // zero-length
                png,                                         // PNG signature, no IHDR
                garbageAfterHeader,                          // valid header, garbage scan
                new byte[100_000]);                          // zeros
        List<String> expected = List.of("bad_image", "bad_image", "bad_image", "empty_frame", "bad_image", "bad_image", "bad_image");
        try (WsClient attacker = WsClient.stream(server.port(), "attacker");
             WsClient camera = WsClient.stream(server.port(), "camera")) {
            List<String> codes = new ArrayList<>();
            for (int i = 0; i < hostile.size(); i++) {
                attacker.send(hostile.get(i));
                JsonNode e = attacker.next(WAIT);
                assertThat(e.path("type").asText()).isEqualTo("error");
                assertThat(e.path("seq").asLong()).isEqualTo(i);
                codes.add(e.path("code").asText());
                camera.send(messi);
                JsonNode r = camera.next(WAIT);
                assertThat(r.path("type").asText()).isEqualTo("result");
                assertThat(r.path("detections").size()).as("the camera's frames still find Messi").isGreaterThanOrEqualTo(1);
            }
            assertThat(codes).isEqualTo(expected);
            attacker.send(messi);
            assertThat(attacker.next(WAIT).path("type").asText()).as("the attacker's connection is still usable").isEqualTo("result");
            assertThat(server.workersAlive()).isEqualTo(1);
        }
    }

    @Test
    void idleConnectionsAreClosed() throws Exception {
        FramewireServer server = servers.start("detector", "none", "ws.idleTimeoutMs", "1000");
        long t0 = System.nanoTime(); // before connecting: the server's idle clock starts later
        try (WsClient silent = WsClient.stream(server.port(), "silent")) {
            WsClient.Close close = silent.awaitClose(WAIT);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(close.code()).isEqualTo(1001);
            assertThat(close.reason()).containsIgnoringCase("idle");
            assertThat(ms).as("not before ws.idleTimeoutMs").isGreaterThanOrEqualTo(1000L);
        }
    }

    /** A PNG signature and IHDR chunk declaring {@code w}x{@code h}, and nothing else. */
    static byte[] pngBomb(int w, int h) {
        var b = java.nio.ByteBuffer.allocate(57);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'});
        b.putInt(w).putInt(h).put(new byte[] {8, 2, 0, 0, 0});
        return b.array();
    }

    /** Offset of the first SOF0/SOF2 marker in a JPEG. */
    static int sof(byte[] jpeg) {
        for (int i = 2; i + 1 < jpeg.length; i++) {
            if ((jpeg[i] & 0xff) == 0xff && ((jpeg[i + 1] & 0xff) == 0xc0 || (jpeg[i + 1] & 0xff) == 0xc2)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no SOF");
    }

    static byte[] jpeg(int w, int h) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "jpg", out);
        return out.toByteArray();
    }

    private static double counter(FramewireServer server, String series) throws Exception {
        return MetricsText.value(Http.metrics(server.port()), series);
    }

    @Test
    void aFullHostRefusesAtTheUpgradeWith503AndRetryAfter() throws Exception {
        FramewireServer server = servers.start("detector", "none", "streams.max", "1");
        byte[] jpeg = TestData.messi();
        try (WsClient first = WsClient.stream(server.port(), "first")) {
            first.send(jpeg);
            assertThat(first.next(WAIT).path("seq").asLong()).isZero();
            for (int round = 0; round < 3; round++) {
                Upgrade.Answer refused = Upgrade.request(server.port(), "/ws/streams/extra-" + round, Map.of());
                assertThat(refused.status()).as("no 101: NGINX can still hand the upgrade to the next host").isEqualTo(503);
                assertThat(refused.headers()).containsEntry("retry-after", "5");
            }
            assertThat(MetricsText.value(Http.metrics(server.port()), "framewire_ws_refused_total{status=\"503\"}"))
                    .isEqualTo(3.0);
            assertThat(MetricsText.value(Http.metrics(server.port()), "framewire_ws_connects_total"))
                    .as("refused upgrades never became connections").isEqualTo(1.0);
            first.send(jpeg);
            assertThat(first.next(WAIT).path("seq").asLong()).as("the admitted stream is untouched").isEqualTo(1);
        }
        // the server lets the stream go once it has handled the close, after our close returns
        Waits.until(server::activeStreams, n -> n == 0);
        try (WsClient again = WsClient.stream(server.port(), "after")) {
            again.send(jpeg);
            assertThat(again.next(WAIT).path("type").asText()).as("the slot is free again").isEqualTo("result");
        }
    }

    @Test
    void quietConnectionsArePingedAndSilentPublishersStillCloseAsIdle() throws Exception {
        FramewireServer server = servers.start("detector", "none", "ws.pingMs", "200", "ws.idleTimeoutMs", "1500");
        long t0 = System.nanoTime(); // before connecting: the server's clocks start later
        try (Socket camera = new Socket("127.0.0.1", server.port())) {
            camera.setSoTimeout((int) WAIT.toMillis());
            camera.getOutputStream().write(Upgrade.requestBytes(server.port(), "/ws/streams/quiet", Map.of()));
            InputStream in = camera.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                head.append((char) in.read());
            }
            assertThat(head.toString()).startsWith("HTTP/1.1 101");
            // a raw client answers no ping: it sees pings every ~200 ms, then the idle close
            int pings = 0;
            int code;
            while (true) {
                int op = in.read() & 0x0f;
                int len = in.read() & 0x7f;
                byte[] payload = in.readNBytes(len);
                if (op == 0x9) {
                    pings++;
                } else if (op == 0x8) {
                    code = (payload[0] & 0xff) << 8 | (payload[1] & 0xff);
                    break;
                }
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(code).isEqualTo(1001);
            assertThat(ms).as("the idle rule, though pings kept the socket busy").isGreaterThanOrEqualTo(1500L);
            // bounds from the time it took, not from a schedule a loaded machine may not keep
            assertThat(pings).as("pings while the server had nothing else to send, over %d ms", ms)
                    .isBetween(2, (int) (ms / 200) + 1);
        }
    }

    @Test
    void streamsThatSendNothingForStaleMsAreCountedStale() throws Exception {
        FramewireServer server = servers.start("detector", "none", "streams.staleMs", "300");
        byte[] jpeg = TestData.messi();
        try (WsClient silent = WsClient.stream(server.port(), "silent");
             WsClient busy = WsClient.stream(server.port(), "busy")) {
            // the busy camera keeps sending, the silent one never does
            double stale = Waits.await().pollInterval(Duration.ofMillis(50)).until(() -> {
                busy.send(jpeg);
                busy.next(WAIT);
                return MetricsText.value(Http.metrics(server.port()), "framewire_streams_stale");
            }, v -> v == 1);
            assertThat(stale).as("only the silent stream").isEqualTo(1.0);
            // both send: neither is stale (polled, since a loaded machine may take streams.staleMs between)
            assertThat(Waits.await().pollInterval(Duration.ofMillis(50)).until(() -> {
                silent.send(jpeg);
                silent.next(WAIT);
                busy.send(jpeg);
                busy.next(WAIT);
                return MetricsText.value(Http.metrics(server.port()), "framewire_streams_stale");
            }, v -> v == 0)).as("both sent just now").isZero();
        }
    }
}
