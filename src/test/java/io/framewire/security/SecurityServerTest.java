package io.framewire.security;

import static io.framewire.testing.Waits.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.server.FramewireServer;
import io.framewire.testing.Http;
import io.framewire.testing.RawWs;
import io.framewire.testing.ServerExtension;
import io.framewire.testing.TestData;
import io.framewire.testing.Tokens;
import io.framewire.testing.Upgrade;
import io.framewire.testing.WsClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Refusals at the upgrade over real sockets: the HTTP status, and no WebSocket opened. */
class SecurityServerTest {

    @RegisterExtension
    final ServerExtension servers = new ServerExtension();

    private FramewireServer startWithJwt(String... more) throws Exception {
        String[] base = {"detector", "none", "security.auth", "jwt", "security.jwt.secret", Tokens.SECRET};
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return servers.start(all);
    }

    private static String token(List<String> publish, List<String> watch) {
        return Tokens.hs256(Tokens.claims(publish, watch, Duration.ofMinutes(5)).build());
    }

    private static int status(FramewireServer server, String pathAndQuery, Map<String, String> headers) throws Exception {
        return Upgrade.request(server.port(), pathAndQuery, headers).status();
    }

    @Test
    void publishingNeedsAValidTokenGrantingTheStream() throws Exception {
        FramewireServer server = startWithJwt("admin.port", "0");
        String cams = token(List.of("cam-*"), List.of());
        assertThat(status(server, "/ws/streams/cam-1", Map.of())).as("no token").isEqualTo(401);
        Upgrade.Answer noToken = Upgrade.request(server.port(), "/ws/streams/cam-1", Map.of());
        assertThat(noToken.headers().get("www-authenticate")).startsWith("Bearer");
        assertThat(status(server, "/ws/streams/cam-1", Map.of("Authorization", "Bearer garbage"))).isEqualTo(401);
        String expired = Tokens.hs256(Tokens.claims(List.of("cam-*"), List.of(), Duration.ofMinutes(-5)).build());
        assertThat(status(server, "/ws/streams/cam-1", Map.of("Authorization", "Bearer " + expired))).isEqualTo(401);
        String forged = Tokens.hs256(Tokens.claims(List.of("*"), List.of(), Duration.ofMinutes(5)).build(),
                "not-the-server-secret-0123456789abc");
        assertThat(status(server, "/ws/streams/cam-1", Map.of("Authorization", "Bearer " + forged))).isEqualTo(401);
        assertThat(status(server, "/ws/streams/dog-1", Map.of("Authorization", "Bearer " + cams))).as("not granted").isEqualTo(403);
        String watcher = token(List.of(), List.of("cam-*"));
        assertThat(status(server, "/ws/streams/cam-1", Map.of("Authorization", "Bearer " + watcher))).as("watch only").isEqualTo(403);
        assertThat(status(server, "/ws/streams/cam-1", Map.of("Authorization", "Bearer " + cams))).isEqualTo(101);
        assertThat(status(server, "/ws/streams/cam-2?token=" + cams, Map.of())).as("query parameter").isEqualTo(101);
        assertThat(status(server, "/ws/streams/dog-2?token=" + cams, Map.of())).isEqualTo(403);
        assertThat(server.activeStreams()).as("refused upgrades opened no stream").isLessThanOrEqualTo(2);

        String metrics = Http.metrics(server.adminPort());
        assertThat(metrics).contains("framewire_ws_refused_total{status=\"401\"} 5.0")
                .contains("framewire_ws_refused_total{status=\"403\"} 3.0");
    }

    @Test
    void aGrantedPublisherStreamsNormally() throws Exception {
        FramewireServer server = startWithJwt();
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
        FramewireServer server = servers.start("detector", "none", "security.allowedOrigins", "https://app.example.com, http://localhost:3000");
        assertThat(status(server, "/ws/streams/cam-1", Map.of("Origin", "https://evil.example"))).isEqualTo(403);
        assertThat(status(server, "/ws/streams/cam-1", Map.of("Origin", "https://app.example.com"))).isEqualTo(101);
        assertThat(status(server, "/ws/streams/cam-2", Map.of())).as("no Origin: not a browser").isEqualTo(101);
        try (WsClient ok = new WsClient(URI.create("ws://127.0.0.1:" + server.port() + "/ws/streams/cam-3"),
                Map.of("Origin", "http://localhost:3000"))) {
            ok.send(TestData.messi());
            assertThat(ok.next(WAIT).path("type").asText()).isEqualTo("result");
        }
    }

    @Test
    void originIsCheckedBeforeTheToken() throws Exception {
        FramewireServer server = startWithJwt("security.allowedOrigins", "https://app.example.com");
        String t = token(List.of("*"), List.of());
        assertThat(status(server, "/ws/streams/cam-1?token=" + t, Map.of("Origin", "https://evil.example"))).isEqualTo(403);
        assertThat(status(server, "/ws/streams/cam-1?token=" + t, Map.of("Origin", "https://app.example.com"))).isEqualTo(101);
    }

    @Test
    void authenticationIsOffByDefault() throws Exception {
        FramewireServer server = servers.start("detector", "none");
        assertThat(server.authorizer().enabled()).isFalse();
        assertThat(status(server, "/ws/streams/anyone", Map.of())).isEqualTo(101);
    }

    @Test
    void browsersPassTheTokenAsASubprotocolAndGetTheFixedOneBack() throws Exception {
        FramewireServer server = startWithJwt();
        String t = token(List.of("cam-*"), List.of());
        Upgrade.Answer ok = Upgrade.request(server.port(), "/ws/streams/cam-1",
                Map.of("Sec-WebSocket-Protocol", "framewire, framewire.bearer." + t));
        assertThat(ok.status()).isEqualTo(101);
        assertThat(ok.headers().get("sec-websocket-protocol")).as("the token is never echoed").isEqualTo("framewire");
        assertThat(status(server, "/ws/streams/cam-1", Map.of("Sec-WebSocket-Protocol", "framewire"))).as("no token").isEqualTo(401);
        assertThat(status(server, "/ws/streams/cam-1", Map.of("Sec-WebSocket-Protocol", "framewire, framewire.bearer.garbage")))
                .isEqualTo(401);
        try (RawWs browser = RawWs.open(server.port(), "/ws/streams/cam-2",
                Map.of("Sec-WebSocket-Protocol", "framewire, framewire.bearer." + t), 0)) {
            assertThat(browser.status).isEqualTo(101);
            browser.send(true, RawWs.BINARY, TestData.messi());
            assertThat(new String(browser.read().payload(), StandardCharsets.UTF_8)).contains("\"type\":\"result\"");
        }
    }

    @Test
    void tokensLivingLongerThanTheMaximumAreRefused() throws Exception {
        FramewireServer server = startWithJwt("security.jwt.maxLifetimeS", "3600");
        String hour = Tokens.hs256(Tokens.claims(List.of("*"), List.of(), Duration.ofMinutes(59)).build());
        String day = Tokens.hs256(Tokens.claims(List.of("*"), List.of(), Duration.ofHours(24)).build());
        String forever = Tokens.hs256(Tokens.claims(List.of("*"), List.of(), Duration.ofMinutes(5))
                .issueTime(null).expirationTime(new Date(1_000_000_000_000_000L)).build());
        assertThat(status(server, "/ws/streams/a", Map.of("Authorization", "Bearer " + hour))).isEqualTo(101);
        assertThat(status(server, "/ws/streams/b", Map.of("Authorization", "Bearer " + day))).isEqualTo(401);
        assertThat(status(server, "/ws/streams/c", Map.of("Authorization", "Bearer " + forever))).as("exp 10^15 s").isEqualTo(401);
        FramewireServer unbounded = startWithJwt();
        assertThat(status(unbounded, "/ws/streams/d", Map.of("Authorization", "Bearer " + day))).as("no maximum by default").isEqualTo(101);
    }

    @Test
    void statusAndMetricsAreNotPublicWhenAuthenticationIsOn() throws Exception {
        FramewireServer server = startWithJwt();
        assertThat(Http.get(server.port(), "/status").statusCode()).isEqualTo(403);
        assertThat(Http.get(server.port(), "/metrics").statusCode()).isEqualTo(403);
        assertThat(Http.get(server.port(), "/dashboard").statusCode()).as("the dashboard names streams too").isEqualTo(403);
        assertThat(Http.get(server.port(), "/dashboard.json").statusCode()).isEqualTo(403);
        assertThat(Http.get(server.port(), "/").statusCode()).as("the publisher page stays public").isEqualTo(200);
        assertThat(Http.get(server.port(), "/status").body()).contains("admin.port");
        assertThat(Http.get(server.port(), "/healthz").statusCode()).isEqualTo(200);
        FramewireServer admin = startWithJwt("admin.port", "0");
        assertThat(Http.get(admin.port(), "/status").statusCode()).isEqualTo(404);
        assertThat(Http.get(admin.adminPort(), "/status").statusCode()).isEqualTo(200);
        FramewireServer optedIn = startWithJwt("security.publicStatus", "true");
        assertThat(Http.get(optedIn.port(), "/metrics").statusCode()).isEqualTo(200);
        assertThat(Http.get(optedIn.port(), "/dashboard.json").statusCode()).isEqualTo(200);
    }

    @Test
    void noTokenEverReachesTheLog() throws Exception {
        String t = token(List.of("cam-*"), List.of("cam-*"));
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            FramewireServer server = startWithJwt();
            for (String path : List.of("/ws/streams", "/ws/watch", "/ws/streams/", "/ws/streams/a/b", "/ws/streams/%00",
                    "/ws/streams/cam-1", "/ws/streams/dog-1", "/ws/watch/cam-1")) {
                Upgrade.request(server.port(), path + "?token=" + t, Map.of());
                Upgrade.request(server.port(), path + "?token=" + t + "x", Map.of());
                Upgrade.request(server.port(), path, Map.of("Sec-WebSocket-Protocol", "framewire, framewire.bearer." + t + "x"));
            }
            servers.close(server);
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        original.print(log);
        assertThat(log).as("the log was captured").contains("framewire listening");
        assertThat(log).doesNotContain(t.substring(t.lastIndexOf('.') + 1)).doesNotContain(t.substring(0, t.indexOf('.')) + ".");
    }
}
