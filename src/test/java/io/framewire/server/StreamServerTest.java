package io.framewire.server;

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
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The data path end to end over real WebSockets, with the transport-only {@code none} detector. */
class StreamServerTest {

    @RegisterExtension
    final ServerExtension servers = new ServerExtension();

    @Test
    void noneAnswersEveryFrameWithItsSeqInOrder() throws Exception {
        FramewireServer server = servers.start("detector", "none", "workers", "2");
        byte[] jpeg = TestData.messi();
        try (WsClient client = WsClient.stream(server.port(), "cam-1")) {
            for (int i = 0; i < 50; i++) {
                client.send(jpeg);
                JsonNode r = client.next(WAIT);
                assertThat(r.path("type").asText()).isEqualTo("result");
                assertThat(r.path("stream").asText()).isEqualTo("cam-1");
                assertThat(r.path("seq").asLong()).isEqualTo(i);
                assertThat(r.path("dropped").asLong()).isZero();
                assertThat(r.path("width").asInt()).isEqualTo(548);
                assertThat(r.path("height").asInt()).isEqualTo(342);
                assertThat(r.path("detections").isArray()).isTrue();
                assertThat(r.path("detections").size()).isZero();
                assertThat(r.path("timing").path("total_ms").asDouble()).isGreaterThanOrEqualTo(0.0);
            }
        }
    }

    @Test
    void burstIsAnsweredInOrderAndEveryFrameIsAccountedFor() throws Exception {
        FramewireServer server = servers.start("detector", "none", "workers", "1");
        byte[] jpeg = TestData.messi();
        int frames = 300;
        try (WsClient client = WsClient.stream(server.port(), "burst")) {
            for (int i = 0; i < frames; i++) {
                client.send(jpeg);
            }
            List<JsonNode> results = untilSeq(client, frames - 1);
            long[] seqs = results.stream().mapToLong(r -> r.path("seq").asLong()).toArray();
            long[] sorted = seqs.clone();
            Arrays.sort(sorted);
            assertThat(seqs).as("results in seq order").isEqualTo(sorted).doesNotHaveDuplicates();
            long dropped = results.stream().mapToLong(r -> r.path("dropped").asLong()).sum();
            assertThat(results.size() + dropped).as("results + dropped = frames sent").isEqualTo(frames);
            // each result's dropped count covers exactly the seqs skipped before it
            long expectedSeq = 0;
            for (JsonNode r : results) {
                expectedSeq += r.path("dropped").asLong();
                assertThat(r.path("seq").asLong()).isEqualTo(expectedSeq);
                expectedSeq++;
            }
        }
    }

    @Test
    void textAndEmptyMessagesGetErrorsAndTheStreamContinues() throws Exception {
        FramewireServer server = servers.start("detector", "none");
        try (WsClient client = WsClient.stream(server.port(), "cam-2")) {
            client.sendText("hello");
            JsonNode text = client.next(WAIT);
            assertThat(text.path("type").asText()).isEqualTo("error");
            assertThat(text.path("code").asText()).isEqualTo("unexpected_text");

            client.send(new byte[0]);
            JsonNode empty = client.next(WAIT);
            assertThat(empty.path("code").asText()).isEqualTo("empty_frame");
            assertThat(empty.path("seq").asLong()).isZero();

            client.send("definitely not an image".getBytes());
            JsonNode garbage = client.next(WAIT);
            assertThat(garbage.path("code").asText()).isEqualTo("bad_image");
            assertThat(garbage.path("seq").asLong()).isEqualTo(1);

            client.send(TestData.messi());
            JsonNode ok = client.next(WAIT);
            assertThat(ok.path("type").asText()).isEqualTo("result");
            assertThat(ok.path("seq").asLong()).isEqualTo(2);
            assertThat(client.isOpen()).isTrue();
        }
    }

    @Test
    void oversizedMessageClosesWith1009() throws Exception {
        FramewireServer server = servers.start("detector", "none", "ws.maxMessageBytes", "100000");
        try (WsClient client = WsClient.stream(server.port(), "big");
             WsClient other = WsClient.stream(server.port(), "bystander")) {
            try {
                client.send(new byte[200_000]);
            } catch (ExecutionException hungUp) {
                // Jetty refuses the message from its header and closes while the client may still
                // be writing the body: the write can fail with a broken pipe, and the close frame
                // can then be lost in the reset. The server's own count below is the firm check.
            }
            WsClient.Close close = client.awaitClose(WAIT);
            if (close.code() != -1) {
                assertThat(close.code()).isEqualTo(1009);
            }
            // the server counts the close once its reader loop ends
            String metrics = Waits.until(() -> Http.metrics(server.port()), m -> m.contains("code=\"1009\""));
            assertThat(metrics).contains("framewire_ws_closes_total{code=\"1009\"} 1.0")
                    .contains("framewire_frames_dropped_total{reason=\"too_big\"} 1.0");
            other.send(TestData.messi());
            assertThat(other.next(WAIT).path("type").asText()).as("other streams unaffected").isEqualTo("result");
        }
    }

    @Test
    void clientThatStopsReadingIsDroppedWithoutHurtingOthers() throws Exception {
        FramewireServer server = servers.start("detector", "none", "ws.maxPendingResults", "8");
        // The JDK client reads only what it is asked for: asking for nothing leaves every result
        // in the socket buffers until the server's queue for this stream overflows.
        WebSocket stuck = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ws/streams/stuck"), new WebSocket.Listener() {
                    @Override
                    public void onOpen(WebSocket webSocket) {
                        // no request(): never read
                    }
                }).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        try (WsClient healthy = WsClient.stream(server.port(), "healthy")) {
            ByteBuffer header = ByteBuffer.wrap(TINY_JPEG_HEADER);
            // fills the socket buffers, a thousand frames at a time, until the server lets the stuck stream go
            Waits.await(WAIT.multipliedBy(2)).until(() -> {
                for (int i = 0; i < 1000 && server.activeStreams() == 2; i++) {
                    try {
                        stuck.sendBinary(header.duplicate(), true).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                    } catch (Exception closedUnderUs) {
                        return true;
                    }
                }
                healthy.send(TestData.messi());
                assertThat(healthy.next(WAIT).path("type").asText()).isEqualTo("result");
                return server.activeStreams() != 2;
            });
            Waits.until(server::activeStreams, n -> n <= 1);
            assertThat(server.activeStreams()).as("the stuck stream is gone, the healthy one stays").isEqualTo(1);
            healthy.send(TestData.messi());
            assertThat(healthy.next(WAIT).path("type").asText()).isEqualTo("result");
        } finally {
            stuck.abort();
        }
    }

    /** The smallest input the {@code none} detector answers: a JPEG's start and frame header (320x240). */
    private static final byte[] TINY_JPEG_HEADER = {
        (byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xC0, 0x00, 0x11, 0x08, 0x00, (byte) 0xF0, 0x01, 0x40,
        0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01};

    @Test
    void invalidStreamIdIsRefusedAtTheUpgrade() throws Exception {
        FramewireServer server = servers.start("detector", "none");
        assertThatThrownBy(() -> WsClient.stream(server.port(), "bad%20id!"))
                .hasMessageContaining("400");
        assertThatThrownBy(() -> WsClient.stream(server.port(), "x".repeat(129)))
                .hasMessageContaining("400");
    }

    @Test
    void newerConnectionForTheSameStreamReplacesTheOlder() throws Exception {
        FramewireServer server = servers.start("detector", "none");
        try (WsClient first = WsClient.stream(server.port(), "cam-9")) {
            first.send(TestData.messi());
            first.next(WAIT);
            try (WsClient second = WsClient.stream(server.port(), "cam-9")) {
                WsClient.Close close = first.awaitClose(WAIT);
                assertThat(close.code()).isEqualTo(4000);
                assertThat(close.reason()).contains("replaced");
                second.send(TestData.messi());
                assertThat(second.next(WAIT).path("seq").asLong()).isZero();
            }
        }
    }

    @Test
    void shutdownClosesPublishersWith1001() throws Exception {
        FramewireServer server = servers.start("detector", "none");
        try (WsClient client = WsClient.stream(server.port(), "cam-3")) {
            client.send(TestData.messi());
            client.next(WAIT);
            servers.close(server);
            assertThat(client.awaitClose(WAIT).code()).isEqualTo(1001);
        }
    }

    @Test
    void healthzAnswersJson() throws Exception {
        FramewireServer server = servers.start("detector", "none", "workers", "2");
        HttpResponse<String> r = Http.get(server.port(), "/healthz");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("\"status\":\"up\"").contains("\"workers\":2");
    }

    /**
     * Results until the one for {@code lastSeq} (the newest frame always gets processed), past the
     * status messages an overloaded stream hears every second: their drops (reported once, as a
     * result's) are added to the last result returned, so totals of results + dropped stay exact.
     */
    static List<JsonNode> untilSeq(WsClient client, long lastSeq) throws InterruptedException {
        List<JsonNode> results = new java.util.ArrayList<>();
        long statusDrops = 0;
        while (true) {
            JsonNode r = client.next(WAIT);
            if (r.path("type").asText().equals("status")) {
                statusDrops += r.path("dropped").asLong();
                continue;
            }
            assertThat(r.path("type").asText()).isEqualTo("result");
            results.add(r);
            if (r.path("seq").asLong() == lastSeq) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) r).put("dropped", r.path("dropped").asLong() + statusDrops);
                return results;
            }
        }
    }
}
