package io.framewire.server;

import static io.framewire.testing.Waits.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framewire.testing.Http;
import io.framewire.testing.RedisServer;
import io.framewire.testing.ServerExtension;
import io.framewire.testing.TestData;
import io.framewire.testing.Waits;
import io.framewire.testing.WsClient;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The pages and /dashboard.json over plain HTTP: what is served where, with which headers. */
class WebUiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final ServerExtension servers = new ServerExtension();

    @Test
    void servesThePagesAndTheClientModule() throws Exception {
        FramewireServer server = servers.start("detector", "none");
        HttpResponse<String> index = Http.get(server.port(), "/");
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(index.headers().firstValue("Content-Security-Policy").orElseThrow()).contains("script-src 'self'");
        assertThat(index.body()).contains("<script type=\"module\" src=\"/publish.js\">");

        HttpResponse<String> js = Http.get(server.port(), "/framewire.js");
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        assertThat(js.body()).contains("export class FramewireClient");

        assertThat(Http.get(server.port(), "/watch/cam-7").body()).contains("/watch.js");
        assertThat(Http.get(server.port(), "/dashboard").body()).contains("/dashboard.js");
        assertThat(Http.get(server.port(), "/style.css").statusCode()).isEqualTo(200);
        // no other files, and no way out of the web folder
        assertThat(Http.get(server.port(), "/watch/bad%20id").statusCode()).isEqualTo(404);
        assertThat(Http.get(server.port(), "/nope.js").statusCode()).isEqualTo(404);
        assertThat(Http.get(server.port(), "/index.html/../simplelogger.properties").statusCode()).isEqualTo(404);
        assertThat(Http.get(server.port(), "/watch.html").statusCode()).as("pages only at their paths").isEqualTo(404);
    }

    @Test
    void dashboardJsonCountsTheStreams() throws Exception {
        FramewireServer server = servers.start("detector", "none");
        try (WsClient client = WsClient.stream(server.port(), "dash-1")) {
            for (int i = 0; i < 3; i++) {
                client.send(TestData.messi());
                client.next(WAIT);
            }
            JsonNode d = JSON.readTree(Http.get(server.port(), "/dashboard.json").body());
            assertThat(d.path("streams_active").asInt()).isEqualTo(1);
            assertThat(d.path("capacity").asInt()).isEqualTo(2000);
            assertThat(d.path("totals").path("processed").asLong()).isEqualTo(3);
            assertThat(d.path("totals").path("received").asLong()).isEqualTo(3);
            JsonNode s = d.path("streams").get(0);
            assertThat(s.path("id").asText()).isEqualTo("dash-1");
            assertThat(s.path("processed").asLong()).isEqualTo(3);
            JsonNode buckets = d.path("latency").path("buckets");
            assertThat(buckets.get(buckets.size() - 1).get(0).asText()).isEqualTo("+Inf");
            assertThat(buckets.get(buckets.size() - 1).get(1).asLong()).isEqualTo(3);
            assertThat(d.path("fleet").isNull()).as("no Redis: no fleet").isTrue();
        }
    }

    @Test
    void dashboardGoesWhereStatusGoes() throws Exception {
        FramewireServer server = servers.start("detector", "none", "admin.port", "0");
        for (String path : new String[] {"/dashboard", "/dashboard.json", "/status"}) {
            assertThat(Http.get(server.port(), path).statusCode()).as("public " + path).isEqualTo(404);
            assertThat(Http.get(server.adminPort(), path).statusCode()).as("admin " + path).isEqualTo(200);
        }
        assertThat(Http.get(server.port(), "/").statusCode()).isEqualTo(200);
        assertThat(Http.get(server.adminPort(), "/framewire.js").statusCode()).isEqualTo(200);
    }

    @Test
    void dashboardListsTheFleetFromRedis() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            FramewireServer a = servers.start("detector", "none", "redis", redis.url(), "host.id", "host-a");
            FramewireServer b = servers.start("detector", "none", "redis", redis.url(), "host.id", "host-b");
            JsonNode hosts = Waits.until(() -> {
                try {
                    return JSON.readTree(Http.get(a.port(), "/dashboard.json").body()).path("fleet").path("hosts");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, h -> h.size() == 2);
            assertThat(hosts).extracting(h -> h.path("id").asText()).containsExactlyInAnyOrder("host-a", "host-b");
            assertThat(hosts.get(0).path("capacity").asInt()).isEqualTo(2000);
            servers.close(b); // before Redis goes: a host that leaves removes its record
            servers.close(a);
        }
    }
}
