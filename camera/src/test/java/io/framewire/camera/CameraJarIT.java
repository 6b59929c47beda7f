package io.framewire.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.framewire.server.FramewireServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar as docs/operations.md runs it: {@code java -jar framewire-camera.jar --config cameras.toml}. */
class CameraJarIT {

    private static final Pattern LISTEN = Pattern.compile("/metrics and /status on [^:]+:(\\d+)");

    @RegisterExtension
    final Servers servers = new Servers();

    @TempDir
    Path dir;

    private static Path jar() {
        Path jar = Path.of(System.getProperty("camera.jar", "target/framewire-camera.jar"));
        assertThat(jar).exists();
        return jar;
    }

    private Process run(Path config, Path log) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx256m", "-jar", jar().toString(), "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @Test
    void aBadConfigExitsWith2AndNamesTheKey() throws Exception {
        Path config = Files.writeString(dir.resolve("cameras.toml"), "server = \"ws://127.0.0.1:1\"\n[[camera]]\nid = \"a\"\nsource = \"x\"\nfsp = 5\n");
        Path log = dir.resolve("bad.log");
        Process p = run(config, log);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(Files.readString(log)).contains("unknown key \"fsp\"");
    }

    @Test
    void theJarPublishesAFileCamera() throws Exception {
        FramewireServer server = servers.start();
        Path config = Files.writeString(dir.resolve("cameras.toml"), """
                server = "ws://127.0.0.1:%d"
                listen = "127.0.0.1:0"
                [[camera]]
                id = "cam-1"
                source = "%s"
                fps = 10
                width = 320
                """.formatted(server.port(), Servers.megamind()));
        Path log = dir.resolve("bridge.log");
        Process p = run(config, log);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> !p.isAlive() || LISTEN.matcher(Files.readString(log)).find());
            Matcher m = LISTEN.matcher(Files.readString(log));
            assertThat(m.find()).as(Files.readString(log)).isTrue();
            URI status = URI.create("http://127.0.0.1:" + m.group(1) + "/status");
            try (HttpClient http = HttpClient.newHttpClient()) {
                await().atMost(Duration.ofSeconds(60)).until(() -> http.send(HttpRequest.newBuilder(status).build(),
                        HttpResponse.BodyHandlers.ofString()).body().matches("(?s).*\"state\":\"streaming\".*\"results\":[1-9].*"));
            }
            assertThat(server.activeStreams()).isEqualTo(1);
        } finally {
            p.destroy(); // SIGTERM: the shutdown hook closes each camera's connection
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.activeStreams() == 0);
    }
}
