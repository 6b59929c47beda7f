package io.framewire.server;

import static io.framewire.testing.Waits.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.testing.Gc;
import io.framewire.testing.Http;
import io.framewire.testing.MetricsText;
import io.framewire.testing.RawWs;
import io.framewire.testing.ServerExtension;
import io.framewire.testing.TestData;
import io.framewire.testing.Upgrade;
import io.framewire.testing.Victim;
import io.framewire.testing.Waits;
import io.framewire.testing.WsClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 12's attacks, each from a raw-frame client over a real socket, beside a victim stream:
 * the host stays up, memory (heap, direct, resident) stays bounded, the victim keeps >= 80 % of
 * its answers, and the attacker gets a clear close.
 */
class EdgeSafetyTest {

    private static final Duration VICTIM_PACE = Duration.ofMillis(50);

    @RegisterExtension
    final ServerExtension servers = new ServerExtension();

    @Test
    void aPingFloodFromAClientThatNeverReadsIsClosedWith1008AndQueuesNoPongs() throws Exception {
        FramewireServer server = servers.start("detector", "none");
        byte[] pings = repeat(RawWs.frame(true, RawWs.PING, new byte[0]), 10_922); // 64 KiB of empty pings
        Memory before = Memory.now();
        long sent = 0;
        try (Victim victim = new Victim(server.port(), "victim", TestData.messi(), VICTIM_PACE);
             RawWs attacker = RawWs.open(server.port(), "/ws/streams/pinger", Map.of(), 4096)) {
            assertThat(attacker.status).isEqualTo(101);
            try {
                while (sent < (64L << 20)) { // the unbounded version was at 2 GB of heap after 60 MB
                    attacker.sendRaw(pings);
                    sent += pings.length;
                }
            } catch (IOException closedByTheServer) {
                // expected: the server closed (1008) and dropped a connection that does not read its close
            }
            Memory after = Memory.now(); // its GCs also give the victim a few seconds of answers to count
            double answered = victim.stop();
            System.out.printf("ping flood: %.1f MB of pings sent; %s -> %s; victim %d/%d%n",
                    sent / 1e6, before, after, victim.answered(), victim.sent());
            assertThat(sent).as("the server stopped reading long before 64 MB").isLessThan(64L << 20);
            assertThat(closes(server, 1008)).as("closed as a policy violation").isEqualTo(1);
            assertThat(after.heap - before.heap).as("heap growth after GC").isLessThan(32L << 20);
            assertThat(after.rss - before.rss).as("resident growth").isLessThan(128L << 20);
            assertThat(answered).as("victim's answers").isGreaterThanOrEqualTo(0.8);
        }
        assertThat(Waits.until(server::activeStreams, n -> n == 0)).isZero();
    }

    @Test
    void pingsAreAnsweredWhileTheClientReads() throws Exception {
        FramewireServer server = servers.start("detector", "none");
        try (RawWs client = RawWs.open(server.port(), "/ws/streams/polite")) {
            for (int i = 0; i < 80; i++) { // within 100 a second
                client.send(true, RawWs.PING, new byte[] {(byte) i});
                RawWs.Frame pong = client.read();
                assertThat(pong.opcode()).isEqualTo(RawWs.PONG);
                assertThat(pong.payload()).containsExactly((byte) i);
            }
            client.send(true, RawWs.BINARY, TestData.messi());
            assertThat(client.read().opcode()).as("the frame after the pings is answered").isEqualTo(RawWs.TEXT);
        }
        assertThat(closes(server, 1008)).isZero();
    }

    @Test
    void aClientThatReadsItsPongsButPingsHundredsOfTimesASecondIsClosed() throws Exception {
        FramewireServer server = servers.start("detector", "none");
        try (RawWs client = RawWs.open(server.port(), "/ws/streams/eager")) {
            client.sendRaw(repeat(RawWs.frame(true, RawWs.PING, new byte[0]), 150));
            RawWs.Frame close = client.readUntilClose();
            assertThat(close).isNotNull();
            assertThat(close.closeCode()).isEqualTo(1008);
            assertThat(close.closeReason()).contains("ping flood");
        }
    }

    @Test
    void oneByteFragmentsPinNoNetworkBuffers() throws Exception {
        FramewireServer server = servers.start("detector", "none");
        int connections = 100;
        int fragments = 60;
        List<RawWs> attackers = new ArrayList<>();
        Memory before = Memory.now();
        try (Victim victim = new Victim(server.port(), "victim", TestData.messi(), VICTIM_PACE)) {
            for (int c = 0; c < connections; c++) {
                // a few watchers too: their connections read the same way
                String path = c % 10 == 0 ? "/ws/watch/w" + c : "/ws/streams/frag" + c;
                RawWs a = RawWs.open(server.port(), path);
                assertThat(a.status).isEqualTo(101);
                attackers.add(a);
                a.send(false, RawWs.BINARY, new byte[] {1});
            }
            for (int f = 0; f < fragments; f++) {
                for (RawWs a : attackers) {
                    a.send(false, RawWs.CONTINUATION, new byte[] {1}); // each in its own segment, read on its own
                }
                Thread.sleep(5);
            }
            Memory during = Memory.now();
            double answered = victim.stop();
            System.out.printf("fragments: %d connections x %d one-byte fragments; %s -> %s; victim %d/%d%n",
                    connections, fragments, before, during, victim.answered(), victim.sent());
            // Jetty's aggregation pinned a 64 KiB buffer per fragment: 100 x 60 x 64 KiB = 375 MiB
            assertThat(during.direct - before.direct).as("direct memory growth").isLessThan(16L << 20);
            assertThat(answered).as("victim's answers").isGreaterThanOrEqualTo(0.8);
            for (RawWs a : attackers) {
                a.send(true, RawWs.CONTINUATION, new byte[] {1});
            }
            for (int c = 0; c < connections; c++) {
                if (c % 10 != 0) {
                    RawWs.Frame answer = attackers.get(c).read();
                    assertThat(answer.opcode()).as("the reassembled message is answered").isEqualTo(RawWs.TEXT);
                }
            }
        } finally {
            attackers.forEach(RawWs::close);
        }
    }

    @Test
    void aFragmentedFrameIsReassembledByteForByte() throws Exception {
        FramewireServer server = servers.start("detector", "haar", "workers", "1");
        byte[] jpeg = TestData.messi();
        try (RawWs client = RawWs.open(server.port(), "/ws/streams/pieces")) {
            for (int at = 0; at < jpeg.length; at += 1000) {
                int end = Math.min(jpeg.length, at + 1000);
                client.send(end == jpeg.length, at == 0 ? RawWs.BINARY : RawWs.CONTINUATION, Arrays.copyOfRange(jpeg, at, end));
            }
            String result = new String(client.read().payload());
            assertThat(result).contains("\"type\":\"result\"").contains("\"label\":\"face\"");
        }
    }

    @Test
    void fragmentsPastTheMessageLimitClose1009() throws Exception {
        FramewireServer server = servers.start("detector", "none", "ws.maxMessageBytes", "100000");
        try (RawWs client = RawWs.open(server.port(), "/ws/streams/big")) {
            client.send(false, RawWs.BINARY, new byte[60_000]);
            client.send(false, RawWs.CONTINUATION, new byte[60_000]);
            RawWs.Frame close = client.readUntilClose();
            assertThat(close).isNotNull();
            assertThat(close.closeCode()).isEqualTo(1009);
            assertThat(close.closeReason()).contains("too large");
        }
        assertThat(Waits.until(() -> frameBufferBytes(server), b -> b == 0)).as("buffers given back").isZero();
    }

    @Test
    void theFrameBufferCapRefusesWith1013AndGivesTheMemoryBack() throws Exception {
        FramewireServer server = servers.start("detector", "none", "ws.maxBufferedBytes", String.valueOf(1 << 20));
        try (RawWs hog = RawWs.open(server.port(), "/ws/streams/hog")) {
            hog.send(false, RawWs.BINARY, new byte[60_000]);
            RawWs.Frame close = null;
            for (int i = 0; i < 40 && close == null; i++) { // 2.4 MB in all, past the 1 MiB cap
                try {
                    hog.send(false, RawWs.CONTINUATION, new byte[60_000]);
                } catch (IOException e) {
                    break;
                }
            }
            close = hog.readUntilClose();
            assertThat(close).isNotNull();
            assertThat(close.closeCode()).isEqualTo(1013);
            assertThat(close.closeReason()).contains("out of frame memory");
        }
        assertThat(Waits.until(() -> frameBufferBytes(server), b -> b == 0)).as("buffers given back").isZero();
        try (WsClient after = WsClient.stream(server.port(), "after")) {
            after.send(TestData.messi());
            assertThat(after.next(WAIT).path("type").asText()).isEqualTo("result");
        }
    }

    @Test
    void permessageDeflateIsNeverNegotiated() throws Exception {
        FramewireServer server = servers.start("detector", "none");
        for (String path : List.of("/ws/streams/plain", "/ws/watch/plain")) {
            Upgrade.Answer a = Upgrade.request(server.port(), path,
                    Map.of("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits"));
            assertThat(a.status()).isEqualTo(101);
            assertThat(a.headers()).doesNotContainKey("sec-websocket-extensions");
        }
    }

    @Test
    void everyMalformedPathIs400NeverA500() throws Exception {
        FramewireServer server = servers.start("detector", "none");
        for (String path : List.of("/ws/streams", "/ws/watch", "/ws/streams/", "/ws/watch/", "/ws/streams/a/b",
                "/ws/streams/a%2Fb", "/ws/streams/%00", "/ws/streams/" + "x".repeat(129), "/ws/watch/a b".replace(" ", "%20"),
                "/ws/streams/..", "/ws/streams/%C3%A9")) {
            Upgrade.Answer a = Upgrade.request(server.port(), path, Map.of());
            assertThat(a.status()).as(path).isEqualTo(400);
        }
        assertThat(Http.get(server.port(), "/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void watchersCountAgainstTheirOwnLimit() throws Exception {
        FramewireServer server = servers.start("detector", "none", "watchers.max", "2");
        try (WsClient w1 = new WsClient(java.net.URI.create("ws://127.0.0.1:" + server.port() + "/ws/watch/a"));
             WsClient w2 = new WsClient(java.net.URI.create("ws://127.0.0.1:" + server.port() + "/ws/watch/b"))) {
            assertThat(Waits.until(() -> gauge(server, "framewire_watchers"), n -> n == 2)).isEqualTo(2);
            // refused at the upgrade, like a full host's publishers: the balancer tries the next host
            Upgrade.Answer third = Upgrade.request(server.port(), "/ws/watch/c", Map.of());
            assertThat(third.status()).isEqualTo(503);
            assertThat(third.headers()).containsEntry("retry-after", "5");
            assertThat(w1.isOpen() && w2.isOpen()).isTrue();
        }
        // the server counts a watcher out once it has handled the close, after our close returns
        Waits.until(() -> gauge(server, "framewire_watchers"), n -> n == 0);
        try (WsClient again = new WsClient(java.net.URI.create("ws://127.0.0.1:" + server.port() + "/ws/watch/c"))) {
            assertThat(Waits.until(() -> gauge(server, "framewire_watchers"), n -> n == 1)).isEqualTo(1);
            assertThat(again.isOpen()).isTrue();
        }
    }

    @Test
    void aHeaderTrickleIsCutAtTheDeadlineWhateverItSends() throws Exception {
        FramewireServer server = servers.start("detector", "none", "http.headerTimeoutMs", "1500");
        List<java.net.Socket> trickles = new ArrayList<>();
        try (WsClient open = WsClient.stream(server.port(), "upgraded")) {
            long t0 = System.nanoTime(); // before connecting: each deadline starts later
            for (int i = 0; i < 50; i++) {
                java.net.Socket s = new java.net.Socket("127.0.0.1", server.port());
                s.getOutputStream().write("GET /ws/streams/slow HTTP/1.1\r\n".getBytes());
                trickles.add(s);
            }
            // a header line every 250 ms (the attacker's pace) until the server has cut every one
            java.util.concurrent.atomic.AtomicInteger tick = new java.util.concurrent.atomic.AtomicInteger();
            Waits.await().pollInterval(Duration.ofMillis(250)).until(() -> {
                int closed = 0;
                int t = tick.getAndIncrement();
                for (java.net.Socket s : trickles) {
                    try {
                        s.getOutputStream().write(("X-Slow-" + t + ": 1\r\n").getBytes());
                        s.getOutputStream().flush();
                    } catch (IOException e) {
                        closed++;
                    }
                }
                return closed == trickles.size();
            });
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertThat(seconds).as("not before the 1.5 s deadline").isGreaterThanOrEqualTo(1.5);
            // a line every 250 ms is never idle: only the header deadline cuts a trickle
            open.send(TestData.messi());
            assertThat(open.next(WAIT).path("type").asText()).as("an upgraded connection outlives the deadline").isEqualTo("result");
            assertThat(Http.get(server.port(), "/healthz").statusCode()).isEqualTo(200);
        } finally {
            for (java.net.Socket s : trickles) {
                s.close();
            }
        }
    }

    @Test
    void resultsOfWatchedMadeUpStreamsAreLetGoAfterTheRetention() throws Exception {
        FramewireServer server = servers.start("detector", "none", "results.retentionSec", "3");
        int ids = 20;
        int frames = 50;
        Memory before = Memory.now();
        for (int i = 0; i < ids; i++) {
            try (WsClient watcher = new WsClient(java.net.URI.create("ws://127.0.0.1:" + server.port() + "/ws/watch/ghost-" + i));
                 WsClient publisher = WsClient.stream(server.port(), "ghost-" + i)) {
                watcher.next(WAIT); // ready: the log exists
                for (int f = 0; f < frames; f++) {
                    publisher.send(TestData.messi());
                    publisher.next(WAIT);
                }
            }
            assertThat(gauge(server, "framewire_results_kept")).as("kept for a watcher that comes back")
                    .isGreaterThanOrEqualTo(frames);
        }
        assertThat(Waits.until(() -> gauge(server, "framewire_results_kept"), n -> n == 0))
                .as("gone after results.retentionSec").isZero();
        Memory after = Memory.now();
        System.out.printf("made-up watched streams: %s -> %s%n", before, after);
        assertThat(after.heap - before.heap).as("heap growth after GC").isLessThan(16L << 20);
    }

    /**
     * M2's mechanism, load-independent: the same huge noise frame costs a bounded server a fraction
     * of what it costs one that detects at the frame's own size, measured side by side, interleaved.
     * The absolute bar (a victim beside two such streams: >= 50 % answered, p50 <= 1 s) is a timing
     * target, checked by bench/attacks.sh on the packaged jar.
     */
    @Test
    void aHugeNoiseFrameCostsAFractionAtTheBoundedWorkingSize() throws Exception {
        FramewireServer bounded = servers.start("detector", "haar", "workers", "1"); // haar's default maxSide
        FramewireServer unbounded = servers.start("detector", "haar", "workers", "1", "inference.maxSide", "0");
        byte[] noise = noiseJpeg(2048, 1024);
        List<Double> boundedMs = new ArrayList<>();
        List<Double> unboundedMs = new ArrayList<>();
        try (WsClient b = WsClient.stream(bounded.port(), "noise"); WsClient u = WsClient.stream(unbounded.port(), "noise")) {
            for (int i = 0; i < 5; i++) { // five, interleaved: a median that one busy moment cannot move
                b.send(noise);
                boundedMs.add(cost(b.next(Duration.ofSeconds(60))));
                u.send(noise);
                unboundedMs.add(cost(u.next(Duration.ofSeconds(60))));
            }
            b.send(TestData.messi());
            assertThat(b.next(WAIT).path("detections").size()).as("a normal frame still finds its face").isPositive();
        }
        double ratio = median(unboundedMs) / median(boundedMs);
        System.out.printf("2048x1024 noise, haar: decode+infer %s ms at the working size, %s ms at full size (%.1fx)%n",
                boundedMs, unboundedMs, ratio);
        assertThat(ratio).as("full size over working size (pixels: 4.6x)").isGreaterThan(2.0);
    }

    private static double cost(JsonNode result) {
        assertThat(result.path("type").asText()).as(result.toString()).isEqualTo("result");
        assertThat(result.path("width").asInt()).as("answered in the frame's size").isEqualTo(2048);
        return result.path("timing").path("decode_ms").asDouble() + result.path("timing").path("infer_ms").asDouble();
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        java.util.Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    @Test
    void boxesFoundAtTheWorkingSizeAreInTheFramesPixels() throws Exception {
        String model = TestData.yunet().toString();
        FramewireServer small = servers.start("detector", "yunet", "model", model, "workers", "1", "inference.maxSide", "640");
        FramewireServer full = servers.start("detector", "yunet", "model", model, "workers", "1", "inference.maxSide", "0");
        byte[] big = scaledJpeg(TestData.messi(), 4); // 2192 x 1368: decoded at 1/4, then detected at 548 x 342
        JsonNode shrunk;
        JsonNode native_;
        try (WsClient c = WsClient.stream(small.port(), "big")) {
            c.send(big);
            shrunk = c.next(WAIT);
        }
        try (WsClient c = WsClient.stream(full.port(), "big")) {
            c.send(big);
            native_ = c.next(WAIT);
        }
        assertThat(shrunk.path("width").asInt()).as(shrunk.toString()).isEqualTo(2192);
        JsonNode s = best(shrunk).path("box");
        JsonNode n = best(native_).path("box");
        for (int k = 0; k < 4; k++) { // x, y, w, h: within 10 % of the face's width
            assertThat(s.get(k).asDouble()).as(k + ": " + s + " vs " + n).isCloseTo(n.get(k).asDouble(),
                    org.assertj.core.data.Offset.offset(0.1 * n.get(2).asDouble()));
        }
    }

    /** The highest-scoring detection (at full size YuNet also scores a patch of the crowd above 0.6). */
    private static JsonNode best(JsonNode result) {
        JsonNode best = null;
        for (JsonNode d : result.path("detections")) {
            if (best == null || d.path("score").asDouble() > best.path("score").asDouble()) {
                best = d;
            }
        }
        assertThat(best).as("a face in " + result).isNotNull();
        return best;
    }

    private static byte[] noiseJpeg(int width, int height) {
        byte[] pixels = new byte[width * height * 3];
        new java.util.Random(12).nextBytes(pixels);
        try (var noise = new org.bytedeco.opencv.opencv_core.Mat(height, width, org.bytedeco.opencv.global.opencv_core.CV_8UC3);
             var out = new org.bytedeco.javacpp.BytePointer();
             var params = new org.bytedeco.javacpp.IntPointer(org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY, 50)) {
            noise.data().put(pixels);
            org.bytedeco.opencv.global.opencv_imgcodecs.imencode(".jpg", noise, out, params);
            byte[] bytes = new byte[(int) out.limit()];
            out.get(bytes);
            return bytes;
        }
    }

    private static byte[] scaledJpeg(byte[] jpeg, int factor) {
        try (var image = io.framewire.inference.ImageCodec.decode(jpeg);
             var big = new org.bytedeco.opencv.opencv_core.Mat();
             var size = new org.bytedeco.opencv.opencv_core.Size(image.cols() * factor, image.rows() * factor);
             var out = new org.bytedeco.javacpp.BytePointer();
             var params = new org.bytedeco.javacpp.IntPointer(org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY, 90)) {
            org.bytedeco.opencv.global.opencv_imgproc.resize(image, big, size, 0, 0, org.bytedeco.opencv.global.opencv_imgproc.INTER_CUBIC);
            org.bytedeco.opencv.global.opencv_imgcodecs.imencode(".jpg", big, out, params);
            byte[] bytes = new byte[(int) out.limit()];
            out.get(bytes);
            return bytes;
        }
    }

    private static byte[] repeat(byte[] frame, int times) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(frame.length * times);
        for (int i = 0; i < times; i++) {
            out.writeBytes(frame);
        }
        return out.toByteArray();
    }

    /** Connections ended with {@code code}; 0 before the first. */
    static double closes(FramewireServer server, int code) throws Exception {
        String text = Http.metrics(server.port());
        String sample = "framewire_ws_closes_total{code=\"" + code + "\"}";
        return text.contains(sample + " ") ? MetricsText.value(text, sample) : 0;
    }

    static double gauge(FramewireServer server, String name) {
        try {
            return MetricsText.value(Http.metrics(server.port()), name);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    static double frameBufferBytes(FramewireServer server) {
        return gauge(server, "framewire_frame_buffers_bytes");
    }

    /** Heap after GC, direct buffers in use, resident set: this JVM, the server's too. */
    record Memory(long heap, long direct, long rss) {
        static Memory now() throws Exception {
            Gc.settle();
            long direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                    .filter(p -> p.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
            long rss = 0;
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
            return new Memory(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), direct, rss);
        }

        @Override
        public String toString() {
            return String.format("heap %.0f MB, direct %.1f MB, RSS %.0f MB", heap / 1e6, direct / 1e6, rss / 1e6);
        }
    }
}
