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
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The drain SIGTERM runs, started programmatically under load. */
class DrainTest {

    private static final int GRACE_MS = 6000;
    @RegisterExtension
    final ServerExtension servers = new ServerExtension();

    @Test
    void drainUnderLoadAnswersEveryAcceptedFrameThenClosesEveryPublisherWith1001() throws Exception {
        // gating off: the same frame over and over would be gated, answered cheaply, and the worker
        // would not be the bottleneck this test drains behind
        // a grace far above the work in flight (a frame or two per publisher): the drain ends by
        // answering them, however slow a loaded machine runs Haar, not by the grace running out
        long graceMs = WAIT.toMillis();
        FramewireServer server = servers.start("detector", "haar", "workers", "1", "shutdown.graceMs", String.valueOf(graceMs),
                "gating.enabled", "false");
        byte[] jpeg = TestData.messi();
        int publishers = 8;
        List<Publisher> clients = new ArrayList<>();
        for (int i = 0; i < publishers; i++) {
            clients.add(new Publisher(server.port(), "pub-" + i, jpeg)); // far more than one Haar worker can take
        }
        // loaded: every publisher is sending and frames are being replaced behind the busy worker
        Waits.await().until(() -> clients.stream().allMatch(c -> c.sent.get() >= 5)
                && MetricsText.value(Http.metrics(server.port()), "framewire_frames_dropped_total{reason=\"replaced\"}") > 0);

        long t0 = System.nanoTime();
        CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> {
            try {
                server.drain();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Waits.await().until(server::draining); // drain() runs on another thread: it has begun
        assertThat(Http.get(server.port(), "/readyz").statusCode()).as("not ready from the start of the drain").isEqualTo(503);
        Upgrade.Answer late = Upgrade.request(server.port(), "/ws/streams/late", Map.of());
        assertThat(late.status()).as("new streams are turned away at the upgrade").isEqualTo(503);
        assertThat(late.headers()).containsEntry("retry-after", "1");
        drained.get(graceMs + WAIT.toMillis(), TimeUnit.MILLISECONDS);
        long drainMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(drainMs).as("drain within the grace period").isLessThan(graceMs);

        for (Publisher c : clients) {
            c.closeCode.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        // one line per publisher, so that a failure below says which client ended how
        StringBuilder report = new StringBuilder();
        for (Publisher c : clients) {
            report.append('\n').append(c.describe(t0));
        }
        System.out.println("publishers after the drain:" + report);

        long accountedTotal = 0;
        for (Publisher c : clients) {
            // still writing when the close frame comes, and still receives it: the server reads on
            // until the client's close frame instead of resetting the connection over unread bytes
            assertThat(c.closeCode.get()).as("the close frame, not an error: " + c.describe(t0)).isEqualTo(1001);
            assertThat(c.closeReason).as(c.describe(t0)).contains("shutting down");
            // every accepted frame: a result or an error with its seq, or counted in a later dropped
            TreeSet<Long> answered = new TreeSet<>();
            long dropped = 0;
            for (JsonNode m : c.messages) {
                if (m.has("seq")) {
                    assertThat(answered.add(m.path("seq").asLong())).as("answered once").isTrue();
                }
                dropped += m.path("dropped").asLong();
            }
            long accounted = answered.size() + dropped;
            long last = answered.isEmpty() ? -1 : answered.last(); // none: the total below tells
            assertThat(accounted).as("answers cover seqs 0..last with no gap: " + c.describe(t0)).isEqualTo(last + 1);
            assertThat(c.sent.get()).as("frames sent after the last accepted one were in flight: " + c.describe(t0))
                    .isGreaterThanOrEqualTo(accounted);
            accountedTotal += accounted;
            c.sender.join(WAIT.toMillis());
        }
        String metrics = Http.metrics(server.port());
        assertThat(accountedTotal).as("every frame the server accepted was accounted for; publishers:" + report)
                .isEqualTo((long) MetricsText.value(metrics, "framewire_frames_received_total"));
        assertThat(MetricsText.value(metrics, "framewire_frames_dropped_total{reason=\"replaced\"}"))
                .as("the load was real: frames were queued behind the worker").isPositive();
        assertThat(MetricsText.value(metrics, "framewire_ws_closes_total{code=\"1001\"}")).as("every publisher closed with 1001").isEqualTo(publishers);
        System.out.printf("drain: %d ms, %d frames accounted, %d publishers closed with 1001%n", drainMs, accountedTotal, publishers);
        assertThat(server.activeStreams()).isZero();
    }

    /**
     * A camera on the JDK's WebSocket client, which sends one message at a time and reports the
     * server's close frame as it arrives (Jetty's client may lose it to a write racing the close).
     */
    private static final class Publisher implements java.net.http.WebSocket.Listener {
        private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
        final java.util.Queue<JsonNode> messages = new java.util.concurrent.ConcurrentLinkedQueue<>();
        final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
        final java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
        final String id;
        volatile String closeReason;
        volatile long errorAt;
        volatile long closedAt;
        volatile Throwable error;
        final Thread sender;
        private final StringBuilder text = new StringBuilder();

        Publisher(int port, String id, byte[] frame) throws Exception {
            this.id = id;
            java.net.http.WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws/streams/" + id), this).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            sender = Thread.ofVirtual().start(() -> {
                try {
                    while (!closeCode.isDone()) {
                        ws.sendBinary(ByteBuffer.wrap(frame), true).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                        sent.incrementAndGet();
                    }
                } catch (Exception closed) {
                    // output closed by the close handshake
                }
            });
        }

        @Override
        public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                try {
                    messages.add(JSON.readTree(text.toString()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket ws, int statusCode, String reason) {
            closedAt = System.nanoTime();
            closeReason = reason;
            closeCode.complete(statusCode);
            return null;
        }

        @Override
        public void onError(java.net.http.WebSocket ws, Throwable error) {
            errorAt = System.nanoTime();
            this.error = error;
            closeCode.complete(-1);
        }

        /** How this publisher ended, times in ms from {@code t0} (the start of the drain). */
        String describe(long t0) {
            long lastSeq = -1;
            long dropped = 0;
            for (JsonNode m : messages) {
                lastSeq = Math.max(lastSeq, m.path("seq").asLong(-1));
                dropped += m.path("dropped").asLong();
            }
            long end = errorAt != 0 ? errorAt : closedAt;
            return String.format("%s: close %s %s at %s ms, %d sent, %d messages (last seq %d, %d dropped)%s",
                    id, closeCode.getNow(null), closeReason == null ? "" : '"' + closeReason + '"',
                    end == 0 ? "?" : String.valueOf(TimeUnit.NANOSECONDS.toMillis(end - t0)),
                    sent.get(), messages.size(), lastSeq, dropped, error == null ? "" : ", error " + error);
        }
    }

    @Test
    void aClientThatNeverReadsCannotHoldTheDrainPastTheGrace() throws Exception {
        FramewireServer server = servers.start("detector", "none", "ws.maxPendingResults", "65536", "shutdown.graceMs", String.valueOf(GRACE_MS));
        java.net.http.WebSocket stuck = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/ws/streams/stuck"), new java.net.http.WebSocket.Listener() {
                    @Override
                    public void onOpen(java.net.http.WebSocket webSocket) {
                        // no request(): never reads, so never sees the close frame
                    }
                }).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        try (WsClient healthy = WsClient.stream(server.port(), "healthy")) {
            for (int i = 0; i < 2000; i++) {
                stuck.sendBinary(ByteBuffer.wrap(TestData.messi()), true).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
            healthy.send(TestData.messi());
            healthy.next(WAIT);
            long t0 = System.nanoTime();
            server.drain();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertThat(ms).isLessThan(GRACE_MS);
            assertThat(healthy.awaitClose(WAIT).code()).isEqualTo(1001);
            assertThat(server.activeStreams()).isZero();
        } finally {
            stuck.abort();
        }
    }
}
