package io.framewire.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.server.FramewireServer;
import io.framewire.testing.Servers;
import io.framewire.testing.TestData;
import io.framewire.testing.Tokens;
import io.framewire.testing.Upgrade;
import io.framewire.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Refusals at the upgrade over real sockets: the HTTP status, and no WebSocket opened. */
class SecurityServerTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private FramewireServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private void startWithJwt(String... more) throws Exception {
        String[] base = {"detector", "none", "security.auth", "jwt", "security.jwt.secret", Tokens.SECRET};
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        server = Servers.start(all);
    }

    private static String token(List<String> publish, List<String> watch) {
        return Tokens.hs256(Tokens.claims(publish, watch, Duration.ofMinutes(5)).build());
    }

    private int status(String pathAndQuery, Map<String, String> headers) throws Exception {
        return Upgrade.request(server.port(), pathAndQuery, headers).status();
    }

    @Test
    void publishingNeedsAValidTokenGrantingTheStream() throws Exception {
        startWithJwt();
        String cams = token(List.of("cam-*"), List.of());
        assertThat(status("/ws/streams/cam-1", Map.of())).as("no token").isEqualTo(401);
        Upgrade.Answer noToken = Upgrade.request(server.port(), "/ws/streams/cam-1", Map.of());
        assertThat(noToken.headers().get("www-authenticate")).startsWith("Bearer");
        assertThat(status("/ws/streams/cam-1", Map.of("Authorization", "Bearer garbage"))).isEqualTo(401);
        String expired = Tokens.hs256(Tokens.claims(List.of("cam-*"), List.of(), Duration.ofMinutes(-5)).build());
        assertThat(status("/ws/streams/cam-1", Map.of("Authorization", "Bearer " + expired))).isEqualTo(401);
        String forged = Tokens.hs256(Tokens.claims(List.of("*"), List.of(), Duration.ofMinutes(5)).build(),
                "not-the-server-secret-0123456789abc");
        assertThat(status("/ws/streams/cam-1", Map.of("Authorization", "Bearer " + forged))).isEqualTo(401);
        assertThat(status("/ws/streams/dog-1", Map.of("Authorization", "Bearer " + cams))).as("not granted").isEqualTo(403);
        String watcher = token(List.of(), List.of("cam-*"));
        assertThat(status("/ws/streams/cam-1", Map.of("Authorization", "Bearer " + watcher))).as("watch only").isEqualTo(403);
        assertThat(status("/ws/streams/cam-1", Map.of("Authorization", "Bearer " + cams))).isEqualTo(101);
        assertThat(status("/ws/streams/cam-2?token=" + cams, Map.of())).as("query parameter").isEqualTo(101);
        assertThat(status("/ws/streams/dog-2?token=" + cams, Map.of())).isEqualTo(403);
        assertThat(server.activeStreams()).as("refused upgrades opened no stream").isLessThanOrEqualTo(2);

        String metrics = get("/metrics");
        assertThat(metrics).contains("framewire_ws_refused_total{status=\"401\"} 5.0")
                .contains("framewire_ws_refused_total{status=\"403\"} 3.0");
    }

    @Test
    void aGrantedPublisherStreamsNormally() throws Exception {
        startWithJwt();
        String t = token(List.of("cam-1"), List.of());
        try (WsClient bearer = new WsClient(URI.create("ws://127.0.0.1:" + server.port() + "/ws/streams/cam-1"),
                     Map.of("Authorization", "Bearer " + t))) {
            bearer.send(TestData.messi());
            JsonNode r = bearer.next(WAIT);
            assertThat(r.path("type").asText()).isEqualTo("result");
            assertThat(r.path("seq").asLong()).isZero();
        }
        try (WsClient browser = new WsClient(URI.create("ws://127.0.0.1:" + server.port() + "/ws/streams/cam-1?token=" + t))) {
            browser.send(TestData.messi());
            assertThat(browser.next(WAIT).path("type").asText()).isEqualTo("result");
        }
    }

    @Test
    void foreignBrowserOriginsAre403EvenWithoutAuthentication() throws Exception {
        server = Servers.start("detector", "none", "security.allowedOrigins", "https://app.example.com, http://localhost:3000");
        assertThat(status("/ws/streams/cam-1", Map.of("Origin", "https://evil.example"))).isEqualTo(403);
        assertThat(status("/ws/streams/cam-1", Map.of("Origin", "https://app.example.com"))).isEqualTo(101);
        assertThat(status("/ws/streams/cam-2", Map.of())).as("no Origin: not a browser").isEqualTo(101);
        try (WsClient ok = new WsClient(URI.create("ws://127.0.0.1:" + server.port() + "/ws/streams/cam-3"),
                Map.of("Origin", "http://localhost:3000"))) {
            ok.send(TestData.messi());
            assertThat(ok.next(WAIT).path("type").asText()).isEqualTo("result");
        }
    }

    @Test
    void originIsCheckedBeforeTheToken() throws Exception {
        startWithJwt("security.allowedOrigins", "https://app.example.com");
        String t = token(List.of("*"), List.of());
        assertThat(status("/ws/streams/cam-1?token=" + t, Map.of("Origin", "https://evil.example"))).isEqualTo(403);
        assertThat(status("/ws/streams/cam-1?token=" + t, Map.of("Origin", "https://app.example.com"))).isEqualTo(101);
    }

    @Test
    void authenticationIsOffByDefault() throws Exception {
        server = Servers.start("detector", "none");
        assertThat(server.authorizer().enabled()).isFalse();
        assertThat(status("/ws/streams/anyone", Map.of())).isEqualTo(101);
    }

    private String get(String path) throws Exception {
        return HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
