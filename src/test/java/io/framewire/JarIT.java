package io.framewire;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.testing.TestData;
import io.framewire.testing.WsClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
    void startsWithTheDefaultHaarDetectorAndFindsAFace(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("server.log");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process server = java(log, "--port", String.valueOf(port), "--host", "127.0.0.1");
        try {
            awaitPort(port, server, log, Duration.ofSeconds(60));
            try (WsClient client = WsClient.stream(port, "jar-test")) {
                client.send(TestData.messi());
                JsonNode r = client.next(Duration.ofSeconds(20));
                assertThat(r.path("type").asText()).isEqualTo("result");
                assertThat(r.path("detections").size()).as("haar finds Messi's face").isGreaterThanOrEqualTo(1);
                assertThat(r.path("detections").get(0).path("label").asText()).isEqualTo("face");
                long t0 = System.nanoTime();
                server.destroy(); // SIGTERM: the shutdown hook drains
                WsClient.Close close = client.awaitClose(Duration.ofSeconds(15));
                assertThat(close.code()).as("a publisher is told to reconnect elsewhere").isEqualTo(1001);
                assertThat(server.waitFor(20, TimeUnit.SECONDS)).isTrue();
                assertThat(System.nanoTime() - t0).as("within shutdown.graceMs plus stopping").isLessThan(TimeUnit.SECONDS.toNanos(15));
            }
        } finally {
            server.destroy();
            assertThat(server.waitFor(20, TimeUnit.SECONDS)).as("exits on SIGTERM").isTrue();
        }
        assertThat(Files.readString(log)).contains("haar").contains("listening")
                .contains("AUTHENTICATION IS OFF").contains("draining: 1 stream(s)").contains("drained in");
    }

    @Test
    void invalidSettingFailsAtStartNamingIt(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("server.log");
        Process p = java(log, "--workers", "many");
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(log);
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(out).contains("--workers").contains("many");
    }

    private static void awaitPort(int port, Process server, Path log, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new AssertionError("server exited: " + Files.readString(log));
            }
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new AssertionError("server did not open port " + port + " within " + timeout);
    }
}
