package io.framewire;

import static io.framewire.testing.Waits.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.testing.ServerProcess;
import io.framewire.testing.TestData;
import io.framewire.testing.WsClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar, started the way an operator starts it. */
class JarIT {

    private static final Path JAR = Path.of(System.getProperty("framewire.jar", "target/framewire.jar"));

    /** Starts the jar with its output in {@code log} (a file: a pipe could fill up and stall the server). */
    private static Process java(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @Test
    void startsWithTheBuiltInYuNetDetectorAndFindsAFace(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("server.log");
        Process server = java(log, "--port", "0", "--host", "127.0.0.1");
        try {
            int port = ServerProcess.awaitPort(server, log);
            try (WsClient client = WsClient.stream(port, "jar-test")) {
                client.send(TestData.messi());
                JsonNode r = client.next(WAIT);
                assertThat(r.path("type").asText()).isEqualTo("result");
                assertThat(r.path("detections").size()).as("the built-in YuNet finds Messi's face, and only it").isEqualTo(1);
                assertThat(r.path("detections").get(0).path("label").asText()).isEqualTo("face");
                assertThat(r.path("detections").get(0).path("score").asDouble()).as("a real score").isBetween(0.6, 0.999);
                server.destroy(); // SIGTERM: the shutdown hook drains
                WsClient.Close close = client.awaitClose(WAIT);
                assertThat(close.code()).as("a publisher is told to reconnect elsewhere").isEqualTo(1001);
                assertThat(server.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            }
        } finally {
            server.destroy();
            assertThat(server.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("exits on SIGTERM").isTrue();
        }
        String out = Files.readString(log);
        assertThat(out).contains("yunet yunet_s_640_640.onnx on cpu").contains("listening")
                .contains("AUTHENTICATION IS OFF").contains("draining: 1 stream(s)").contains("drained in");
        // the server's own clock: the drain is bounded by shutdown.graceMs (10 s by default)
        Matcher drained = Pattern.compile("drained in (\\d+) ms").matcher(out);
        assertThat(drained.find()).isTrue();
        assertThat(Long.parseLong(drained.group(1))).as("within shutdown.graceMs").isLessThan(10_000);
    }

    @Test
    void invalidSettingFailsAtStartNamingIt(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("server.log");
        Process p = java(log, "--workers", "many");
        assertThat(p.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        String out = Files.readString(log);
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(out).contains("--workers").contains("many");
    }
}
