package io.framewire.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framewire.server.FramewireServer;
import io.framewire.testing.Servers;
import io.framewire.testing.TestData;
import io.framewire.testing.WsClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /metrics, /readyz and /status over real HTTP after a known load. */
class MetricsEndpointTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private FramewireServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void countersAndHistogramsMatchAKnownLoad(@TempDir Path dir) throws Exception {
        server = Servers.start("detector", "none", "workers", "1");
        byte[] good = TestData.messi();
        byte[] corrupt = Arrays.copyOf("GIF89a not what we take".getBytes(StandardCharsets.US_ASCII), 200);
        try (WsClient client = WsClient.stream(server.port(), "m-1")) {
            for (int i = 0; i < 100; i++) {
                client.send(i % 14 == 3 ? corrupt : good); // 7 corrupt: i = 3, 17, ..., 87
                client.next(WAIT); // one answer per frame: nothing is replaced
            }
        }
        awaitStreams(0);
        String text = get("/metrics", null).body();

        assertThat(value(text, "framewire_frames_received_total")).isEqualTo(100);
        assertThat(value(text, "framewire_frames_processed_total")).isEqualTo(93);
        assertThat(value(text, "framewire_frames_dropped_total{reason=\"bad_image\"}")).isEqualTo(7);
        assertThat(value(text, "framewire_frames_dropped_total{reason=\"replaced\"}")).isZero();
        assertThat(value(text, "framewire_results_sent_total")).isEqualTo(100);
        assertThat(value(text, "framewire_frame_latency_seconds_count")).isEqualTo(93);
        assertThat(value(text, "framewire_mailbox_wait_seconds_count")).isEqualTo(93);
        assertThat(value(text, "framewire_batch_size_count")).isEqualTo(93);
        assertThat(value(text, "framewire_batch_size_sum")).isEqualTo(93);
        assertThat(value(text, "framewire_frame_latency_seconds_bucket{le=\"+Inf\"}")).isEqualTo(93);
        assertThat(value(text, "framewire_ws_connects_total")).isEqualTo(1);
        assertThat(value(text, "framewire_ws_closes_total{code=\"1000\"}")).isEqualTo(1);
        assertThat(value(text, "framewire_streams_active")).isZero();
        assertThat(value(text, "framewire_workers")).isEqualTo(1);
        assertThat(text).contains("jvm_memory_used_bytes").doesNotContain("m-1");

        // A real parser and linter: Prometheus' own promtool (Debian package "prometheus").
        Path file = dir.resolve("metrics.txt");
        Files.writeString(file, text);
        Process promtool = new ProcessBuilder("promtool", "check", "metrics")
                .redirectInput(file.toFile()).redirectErrorStream(true).start();
        String lint = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(promtool.exitValue()).as("promtool check metrics: %s", lint).isZero();
    }

    @Test
    void replacedFramesAreCountedAsDropped() throws Exception {
        server = Servers.start("detector", "yunet", "model", TestData.yunet().toString(), "workers", "1");
        try (WsClient client = WsClient.stream(server.port(), "m-2")) {
            for (int i = 0; i < 40; i++) {
                client.send(TestData.messi());
            }
            long dropped = 0, results = 0;
            while (results + dropped < 40) {
                JsonNode r = client.next(WAIT);
                results++;
                dropped += r.path("dropped").asLong();
            }
            String text = get("/metrics", null).body();
            assertThat(value(text, "framewire_frames_dropped_total{reason=\"replaced\"}")).isEqualTo(dropped);
            assertThat(value(text, "framewire_frames_processed_total")).isEqualTo(results);
        }
    }

    @Test
    void readyzReportsChecksAndAtCapacityNewStreamsAreToldToTryElsewhere() throws Exception {
        server = Servers.start("detector", "none", "streams.max", "1");
        HttpResponse<String> ready = get("/readyz", null);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(ready.body()).path("checks").path("model_loaded").asBoolean()).isTrue();
        try (WsClient first = WsClient.stream(server.port(), "only");
             WsClient second = WsClient.stream(server.port(), "one-too-many")) {
            assertThat(second.awaitClose(WAIT).code()).isEqualTo(1013);
            HttpResponse<String> full = get("/readyz", null);
            assertThat(full.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(full.body()).path("checks").path("below_capacity").asBoolean()).isFalse();
            first.send(TestData.messi());
            assertThat(first.next(WAIT).path("type").asText()).isEqualTo("result");
        }
    }

    @Test
    void statusListsStreamsAndAdminPortKeepsMetricsOffThePublicPort() throws Exception {
        server = Servers.start("detector", "none", "admin.port", "0");
        try (WsClient client = WsClient.stream(server.port(), "cam-status")) {
            client.send(TestData.messi());
            client.next(WAIT);
            assertThat(get("/metrics", null).statusCode()).as("not on the public port").isEqualTo(404);
            assertThat(get("/status", null).statusCode()).isEqualTo(404);
            JsonNode status = JSON.readTree(get("/status", server.adminPort()).body());
            JsonNode stream = status.path("streams").get(0);
            assertThat(stream.path("id").asText()).isEqualTo("cam-status");
            assertThat(stream.path("frames_received").asLong()).isEqualTo(1);
            assertThat(stream.path("frames_processed").asLong()).isEqualTo(1);
            assertThat(stream.path("last_frame_at").isTextual()).isTrue();
            assertThat(get("/metrics", server.adminPort()).body()).contains("framewire_streams_active 1");
            assertThat(get("/healthz", null).statusCode()).as("health stays public").isEqualTo(200);
        }
    }

    private HttpResponse<String> get(String path, Integer port) throws IOException, InterruptedException {
        int p = port == null ? server.port() : port;
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void awaitStreams(int n) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (server.activeStreams() != n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(server.activeStreams()).isEqualTo(n);
    }

    /** The value of one sample line, e.g. {@code name{label="v"} 3.0}. */
    private static double value(String exposition, String sample) {
        Matcher m = Pattern.compile("^" + Pattern.quote(sample) + " (\\S+)$", Pattern.MULTILINE).matcher(exposition);
        assertThat(m.find()).as("sample %s in:%n%s", sample, exposition).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
