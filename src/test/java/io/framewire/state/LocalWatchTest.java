package io.framewire.state;

import static io.framewire.testing.Waits.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.server.FramewireServer;
import io.framewire.testing.Http;
import io.framewire.testing.MetricsText;
import io.framewire.testing.ServerExtension;
import io.framewire.testing.TestData;
import io.framewire.testing.Waits;
import io.framewire.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Watchers without Redis: one host, in memory, same protocol. */
class LocalWatchTest {

    @RegisterExtension
    final ServerExtension servers = new ServerExtension();

    private static URI watch(FramewireServer server, String rest) {
        return URI.create("ws://127.0.0.1:" + server.port() + "/ws/watch/" + rest);
    }

    @Test
    void watcherGetsLiveResultsAndReplaysFromItsLastEntry() throws Exception {
        FramewireServer server = servers.start("detector", "none", "workers", "1");
        try (WsClient cam = WsClient.stream(server.port(), "loc-1")) {
            String last;
            try (WsClient w = new WsClient(watch(server, "loc-1"))) {
                assertThat(w.next(WAIT).path("type").asText()).isEqualTo("watching");
                for (int i = 0; i < 3; i++) {
                    cam.send(TestData.messi());
                    cam.next(WAIT);
                }
                JsonNode r = null;
                for (long seq = 0; seq < 3; seq++) {
                    r = w.next(WAIT);
                    assertThat(r.path("seq").asLong()).isEqualTo(seq);
                    assertThat(r.path("stream").asText()).isEqualTo("loc-1");
                }
                last = r.path("entry").asText();
            }
            for (int i = 0; i < 2; i++) {
                cam.send(TestData.messi());
                cam.next(WAIT);
            }
            try (WsClient again = new WsClient(watch(server, "loc-1?last=" + last))) {
                assertThat(again.next(WAIT).path("from").asText()).isEqualTo(last);
                assertThat(again.next(WAIT).path("seq").asLong()).isEqualTo(3);
                assertThat(again.next(WAIT).path("seq").asLong()).isEqualTo(4);
                again.sendText("hello");
                assertThat(again.next(WAIT).path("code").asText()).isEqualTo("unexpected_message");
                assertThat(again.isOpen()).isTrue();
            }
        }
    }

    @Test
    void lastEntryMayComeAsALastEventIdHeader() throws Exception {
        FramewireServer server = servers.start("detector", "none");
        var first = new CompletableFuture<String>();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .header("Last-Event-ID", "1764080000000-7")
                .buildAsync(watch(server, "hdr-1"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        first.complete(data.toString());
                        return null;
                    }
                }).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        try {
            assertThat(first.get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
                    .contains("\"type\":\"watching\"").contains("\"from\":\"1764080000000-7\"");
        } finally {
            ws.abort();
        }
    }

    @Test
    void badWatchRequestsAreRefusedAtTheUpgrade() throws Exception {
        FramewireServer server = servers.start("detector", "none");
        assertThatThrownBy(() -> new WsClient(watch(server, "bad%20id"))).hasMessageContaining("400");
        assertThatThrownBy(() -> new WsClient(watch(server, "ok-id?last=yesterday"))).hasMessageContaining("400");
        HttpResponse<String> plain = Http.get(server.port(), "/ws/watch/cam-1");
        assertThat(plain.statusCode()).isEqualTo(400);
        HttpResponse<String> ready = Http.get(server.port(), "/readyz");
        assertThat(ready.body()).contains("\"redis\":\"not configured\"");
    }

    @Test
    void aWatcherThatStopsReadingIsClosedWithoutHurtingThePublisher() throws Exception {
        FramewireServer server = servers.start("detector", "none", "ws.maxPendingResults", "8");
        try (WsClient cam = WsClient.stream(server.port(), "slow-w")) {
            // the JDK client reads only what it is asked for: nothing, so results pile up unsent
            WebSocket stuck = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(watch(server, "slow-w"), new WebSocket.Listener() {
                        @Override
                        public void onOpen(WebSocket webSocket) {
                            // no request(): never read
                        }
                    }).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            try {
                // answered with errors, which watchers get too: 200 at a time until the stuck one is let go
                Waits.await(WAIT.multipliedBy(2)).until(() -> {
                    for (int i = 0; i < 200; i++) {
                        cam.send(new byte[0]);
                    }
                    return watchers(server) != 1;
                });
                Waits.until(() -> watchers(server), n -> n == 0);
                assertThat(watchers(server)).as("the watcher that stopped reading is gone").isZero();
                cam.send(TestData.messi());
                JsonNode r;
                do {
                    r = cam.next(WAIT);
                } while (r != null && !"result".equals(r.path("type").asText()));
                assertThat(r).as("the publisher still gets its results").isNotNull();
            } finally {
                stuck.abort();
            }
        }
    }

    private static int watchers(FramewireServer server) throws Exception {
        return (int) MetricsText.value(Http.metrics(server.port()), "framewire_watchers");
    }

    @Test
    void watchingCanBeTurnedOff() throws Exception {
        FramewireServer server = servers.start("detector", "none", "results.maxLen", "0");
        assertThatThrownBy(() -> new WsClient(watch(server, "cam-1"))).hasMessageContaining("404");
    }
}
