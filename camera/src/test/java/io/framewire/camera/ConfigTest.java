package io.framewire.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** cameras.toml: the example as written, defaults, and errors that name the key. */
class ConfigTest {

    @Test
    void theContractExample() throws Exception {
        Config c = Config.parse("""
                server = "ws://127.0.0.1:8080"      # or wss://; token = "…" optional, also per camera
                token = "top"
                [[camera]]
                id = "cam-1"                         # the framewire stream id
                source = "rtsp://127.0.0.1:8554/lobby"   # rtsp://, http(s):// (MJPEG), file path, /dev/videoN
                fps = 10                             # upper bound; the bridge sends min(fps, advice.fps)
                width = 640                          # optional: scale before JPEG encoding
                [[camera]]
                id = "usb"
                source = "/dev/video0"
                token = "own"
                transport = "udp"
                """, "cameras.toml");
        assertThat(c.server().toString()).isEqualTo("ws://127.0.0.1:8080");
        assertThat(c.listen()).isEqualTo(Config.DEFAULT_LISTEN);
        Config.Camera cam = c.cameras().getFirst();
        assertThat(cam).isEqualTo(new Config.Camera("cam-1", "rtsp://127.0.0.1:8554/lobby", 10, 640, 0, 80, "tcp", "top",
                null, 8_388_608, 5_000));
        assertThat(cam.isFile()).isFalse();
        assertThat(c.cameras().get(1).isDevice()).isTrue();
        assertThat(c.cameras().get(1).token()).isEqualTo("own");
        assertThat(Config.parse("server = \"wss://h\"\n[[camera]]\nid = \"a\"\nsource = \"clip.mp4\"", "x").cameras()
                .getFirst().isFile()).isTrue();
    }

    @Test
    void theDocumentedExample() throws Exception {
        String readme = java.nio.file.Files.readString(java.nio.file.Path.of("../docs/operations.md"));
        int at = readme.indexOf("## Connect your cameras");
        assertThat(at).as("docs/operations.md, Connect your cameras").isNotNegative();
        String toml = readme.substring(readme.indexOf("```toml\n", at) + 8, readme.indexOf("```", readme.indexOf("```toml\n", at) + 8));
        assertThat(toml.strip().lines()).hasSize(3);
        Config c = Config.parse(toml, "docs/operations.md");
        assertThat(c.cameras()).extracting(Config.Camera::id).containsExactly("lobby", "desk");
        assertThat(c.cameras().getFirst().width()).isEqualTo(640);
        assertThat(c.cameras().get(1).isDevice()).isTrue();
    }

    @Test
    void errorsNameTheKey() {
        assertThatThrownBy(() -> Config.parse("[[camera]]\nid=\"a\"\nsource=\"x\"", "c.toml"))
                .hasMessageContaining("server is required");
        assertThatThrownBy(() -> Config.parse("server=\"http://x\"\n[[camera]]\nid=\"a\"\nsource=\"x\"", "c.toml"))
                .hasMessageContaining("ws://host:port");
        assertThatThrownBy(() -> Config.parse("server=\"ws://x:1\"", "c.toml")).hasMessageContaining("no [[camera]]");
        assertThatThrownBy(() -> Config.parse("server=\"ws://x:1\"\n[[camera]]\nid=\"a b\"\nsource=\"x\"", "c.toml"))
                .hasMessageContaining("camera[0].id");
        assertThatThrownBy(() -> Config.parse("server=\"ws://x:1\"\n[[camera]]\nid=\"a\"\nsource=\"x\"\nfps=0", "c.toml"))
                .hasMessageContaining("camera \"a\".fps must be a number in 0.1..120");
        assertThatThrownBy(() -> Config.parse("server=\"ws://x:1\"\n[[camera]]\nid=\"a\"\nsource=\"x\"\nwidht=640", "c.toml"))
                .hasMessageContaining("unknown key \"widht\"");
        assertThatThrownBy(() -> Config.parse("server=\"ws://x:1\"\n[[camera]]\nid=\"a\"\nsource=\"x\"\n[[camera]]\nid=\"a\"\nsource=\"y\"", "c.toml"))
                .hasMessageContaining("used twice");
        assertThatThrownBy(() -> Config.parse("server=\"ws://x:1\"\n[[camera]]\nid=\"a\"\nsource=\"x\"\ntransport=\"http\"", "c.toml"))
                .hasMessageContaining("transport");
        assertThatThrownBy(() -> Config.parse("server = [", "c.toml")).hasMessageContaining("not valid TOML");
    }

    @Test
    void credentialsStayOutOfStatus() {
        assertThat(Endpoints.redact("rtsp://admin:pa55@10.0.0.7:554/stream")).isEqualTo("rtsp://***@10.0.0.7:554/stream");
        assertThat(Source.plain("avformat_open_input() error -111: Could not open input \"rtsp://h/x\". (For more details, make sure FFmpegLogCallback.set() has been called.)"))
                .isEqualTo("Could not open input \"rtsp://h/x\": Connection refused (avformat_open_input)");
    }
}
