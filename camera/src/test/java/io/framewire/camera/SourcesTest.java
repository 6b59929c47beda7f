package io.framewire.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framewire.server.FramewireServer;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * An HTTP MJPEG camera and an HLS stream publish while bad sources beside them (a server that accepts and never answers,
 * for a long and a short timeout_ms, a wrong URL, a missing file, a stream of garbage, an 8K picture,
 * a text file posing as video) each get a clear error of their own in
 * /status and /metrics, and none of them takes the bridge or the good camera down.
 */
class SourcesTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final Servers servers = new Servers();

    @TempDir
    Path dir;

    @Test
    void anMjpegCameraFlowsWhileBadSourcesFailClearly() throws Exception {
        // HLS: Megamind as H.264 640x480 in 2 s segments (ffmpeg), served as static files
        Path hls = Files.createDirectories(dir.resolve("hls"));
        Process segmenter = new ProcessBuilder("ffmpeg", "-v", "error", "-y", "-i", RtspServer.h264(dir).toString(),
                "-c", "copy", "-f", "hls", "-hls_time", "2", "-hls_list_size", "0", hls.resolve("index.m3u8").toString())
                .inheritIO().start();
        assertThat(segmenter.waitFor()).isZero();
        MjpegServer mjpeg = servers.track(new MjpegServer(dir));
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort(); // nothing listens there once closed
        }
        Path huge = dir.resolve("8k.jpg");
        Process p = new ProcessBuilder("ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=gray:s=7680x4320",
                "-frames:v", "1", huge.toString()).inheritIO().start();
        assertThat(p.waitFor()).isZero();
        Path text = Files.writeString(dir.resolve("notes.mp4"), "this is not a video\n".repeat(500));

        // a camera that accepts the connection and never says a word: its open blocks for timeout_ms,
        // which must not hold up any other camera's open
        ServerSocket silent = servers.track(new ServerSocket(0));
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    servers.track(silent.accept());
                }
            } catch (java.io.IOException e) {
                // closed after the test
            }
        });

        FramewireServer server = servers.start();
        Servers.Running bridge = servers.bridge(server, """
                [[camera]]
                id = "silent"
                source = "rtsp://127.0.0.1:%d/stream"
                timeout_ms = 60000
                [[camera]]
                id = "stalled"
                source = "rtsp://127.0.0.1:%d/stream"
                timeout_ms = 1500
                [[camera]]
                id = "mjpeg"
                source = "%s"
                fps = 5
                [[camera]]
                id = "hls"
                source = "%s"
                fps = 5
                width = 320
                [[camera]]
                id = "wrong-url"
                source = "rtsp://user:secret@127.0.0.1:%d/nothing"
                [[camera]]
                id = "missing-file"
                source = "%s"
                [[camera]]
                id = "garbage"
                source = "%s"
                timeout_ms = 2000
                [[camera]]
                id = "eight-k"
                source = "%s"
                [[camera]]
                id = "text"
                source = "%s"
                """.formatted(silent.getLocalPort(), silent.getLocalPort(), mjpeg.url("/video"), mjpeg.url("/files/hls/index.m3u8"), closedPort, dir.resolve("nope.mp4"), mjpeg.url("/garbage"), huge, text));
        CameraLoop good = bridge.camera("mjpeg");

        CameraLoop hlsCam = bridge.camera("hls");
        await().atMost(WAIT).until(() -> good.up() && good.client.stats().results() >= 5);
        await().atMost(WAIT).until(() -> hlsCam.client.stats().results() >= 5);
        assertThat(hlsCam.description()).contains("hls/h264 640x480 -> 320x240");
        await().atMost(WAIT).until(() -> List.of("stalled", "wrong-url", "missing-file", "garbage", "eight-k", "text").stream()
                .allMatch(id -> bridge.camera(id).error() != null));

        JsonNode status = JSON.readTree(get(bridge, "/status"));
        assertThat(camera(status, "mjpeg").path("state").asText()).isEqualTo("streaming");
        assertThat(camera(status, "mjpeg").path("input").asText()).contains("320x240");
        assertThat(camera(status, "wrong-url").path("error").asText()).contains("Connection refused").doesNotContain("secret");
        assertThat(camera(status, "wrong-url").path("source").asText()).doesNotContain("secret");
        assertThat(camera(status, "missing-file").path("error").asText()).contains("no such file");
        assertThat(camera(status, "garbage").path("error").asText()).containsIgnoringCase("invalid data");
        assertThat(camera(status, "eight-k").path("error").asText()).contains("7680x4320").contains("max_pixels");
        assertThat(camera(status, "text").path("error").asText()).containsIgnoringCase("invalid data");
        assertThat(camera(status, "silent").path("state").asText()).isEqualTo("starting");
        assertThat(camera(status, "stalled").path("error").asText()).as("timeout_ms ends a silent open").contains("no answer within timeout_ms (1500 ms)");
        for (String bad : List.of("stalled", "wrong-url", "missing-file", "garbage", "eight-k", "text")) {
            assertThat(camera(status, bad).path("state").asText()).as(bad).isEqualTo("retrying");
            assertThat(camera(status, bad).path("up").asBoolean()).isFalse();
        }

        String metrics = get(bridge, "/metrics");
        assertThat(metrics).contains("framewire_camera_up{camera=\"mjpeg\"} 1.0")
                .contains("framewire_camera_up{camera=\"eight-k\"} 0.0")
                .contains("framewire_camera_frames_out_total{camera=\"mjpeg\"}")
                .contains("framewire_camera_reconnects_total{camera=\"garbage\"}")
                .contains("framewire_camera_decode_errors_total{camera=\"mjpeg\"} 0.0");
        long sent = good.framesOut.get();
        await().atMost(WAIT).until(() -> good.framesOut.get() > sent + 5);
        assertThat(good.reopens.get()).isZero();
    }

    private static JsonNode camera(JsonNode status, String id) {
        for (JsonNode c : status.path("cameras")) {
            if (c.path("id").asText().equals(id)) {
                return c;
            }
        }
        throw new AssertionError("no camera " + id + " in " + status);
    }

    private static String get(Servers.Running bridge, String path) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(bridge.http(path)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            return r.body();
        }
    }
}
