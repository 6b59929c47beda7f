package io.framewire.metrics;

import static io.framewire.testing.MetricsText.value;
import static io.framewire.testing.Waits.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framewire.server.FramewireServer;
import io.framewire.testing.Http;
import io.framewire.testing.ServerExtension;
import io.framewire.testing.TestData;
import io.framewire.testing.Upgrade;
import io.framewire.testing.Waits;
import io.framewire.testing.WsClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** /metrics, /readyz and /status over real HTTP after a known load. */
class MetricsEndpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final ServerExtension servers = new ServerExtension();

    @Test
    void countersAndHistogramsMatchAKnownLoad(@TempDir Path dir) throws Exception {
        FramewireServer server = servers.start("detector", "none", "workers", "1");
        byte[] good = TestData.messi();
        byte[] corrupt = Arrays.copyOf("GIF89a not what we take".getBytes(StandardCharsets.US_ASCII), 200);
        try (WsClient client = WsClient.stream(server.port(), "m-1")) {
            for (int i = 0; i < 100; i++) {
                client.send(i % 14 == 3 ? corrupt : good); // 7 corrupt: i = 3, 17, ..., 87
                client.next(WAIT); // one answer per frame: nothing is replaced
            }
        }
        awaitStreams(server, 0);
        String text = Http.metrics(server.port());

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
        // the hop's stages: every frame, refused ones too, is taken and answered; every message is written
        assertThat(value(text, "framewire_frame_stage_seconds_count{stage=\"wait\"}")).isEqualTo(100);
        assertThat(value(text, "framewire_frame_stage_seconds_count{stage=\"work\"}")).isEqualTo(100);
        assertThat(value(text, "framewire_frame_stage_seconds_count{stage=\"write\"}")).isEqualTo(100);
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
        FramewireServer server = servers.start("detector", "yunet", "model", TestData.yunet().toString(), "workers", "1");
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
            String text = Http.metrics(server.port());
            assertThat(value(text, "framewire_frames_dropped_total{reason=\"replaced\"}")).isEqualTo(dropped);
            // a repeated frame is mostly gated: answered without the detector
            assertThat(value(text, "framewire_frames_processed_total") + value(text, "framewire_frames_gated_total"))
                    .isEqualTo(results);
            assertThat(value(text, "framewire_frames_processed_total")).isPositive();
        }
    }

    @Test
    void readyzReportsChecksAndAtCapacityNewStreamsAreToldToTryElsewhere() throws Exception {
        FramewireServer server = servers.start("detector", "none", "streams.max", "1");
        HttpResponse<String> ready = Http.get(server.port(), "/readyz");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(ready.body()).path("checks").path("model_loaded").asBoolean()).isTrue();
        try (WsClient first = WsClient.stream(server.port(), "only")) {
            // the client sees the 101 before the server has registered the stream: wait for that
            awaitStreams(server, 1);
            Upgrade.Answer second = Upgrade.request(server.port(), "/ws/streams/one-too-many", Map.of());
            assertThat(second.status()).as("refused at the upgrade").isEqualTo(503);
            assertThat(second.headers()).containsEntry("retry-after", "5");
            assertThat(value(Http.metrics(server.port()), "framewire_ws_refused_total{status=\"503\"}")).isEqualTo(1.0);
            HttpResponse<String> full = Http.get(server.port(), "/readyz");
            assertThat(full.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(full.body()).path("checks").path("below_capacity").asBoolean()).isFalse();
            first.send(TestData.messi());
            assertThat(first.next(WAIT).path("type").asText()).isEqualTo("result");
        }
    }

    @Test
    void statusListsStreamsAndAdminPortKeepsMetricsOffThePublicPort() throws Exception {
        FramewireServer server = servers.start("detector", "none", "admin.port", "0");
        try (WsClient client = WsClient.stream(server.port(), "cam-status")) {
            client.send(TestData.messi());
            client.next(WAIT);
            assertThat(Http.get(server.port(), "/metrics").statusCode()).as("not on the public port").isEqualTo(404);
            assertThat(Http.get(server.port(), "/status").statusCode()).isEqualTo(404);
            JsonNode status = JSON.readTree(Http.get(server.adminPort(), "/status").body());
            JsonNode stream = status.path("streams").get(0);
            assertThat(stream.path("id").asText()).isEqualTo("cam-status");
            assertThat(stream.path("frames_received").asLong()).isEqualTo(1);
            assertThat(stream.path("frames_processed").asLong()).isEqualTo(1);
            assertThat(stream.path("last_frame_at").isTextual()).isTrue();
            assertThat(Http.get(server.adminPort(), "/metrics").body()).contains("framewire_streams_active 1");
            assertThat(Http.get(server.port(), "/healthz").statusCode()).as("health stays public").isEqualTo(200);
        }
    }

    private static void awaitStreams(FramewireServer server, int n) {
        assertThat(Waits.until(server::activeStreams, a -> a == n)).isEqualTo(n);
    }
}
