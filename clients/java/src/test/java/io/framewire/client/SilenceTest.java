package io.framewire.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The silence rule against a hung host: the packaged server in a process of its own, frozen with
 * SIGSTOP. Its kernel keeps the connection open, so no close ever comes; the client must notice.
 */
class SilenceTest {

    private static final Pattern LISTENING = Pattern.compile("framewire listening on \\S*?:(\\d+)\\b");

    @TempDir
    Path dir;
    private Process server;
    private FramewireClient fw;

    @AfterEach
    void stop() throws Exception {
        if (fw != null) {
            fw.close();
        }
        if (server != null) {
            signal("CONT");
            server.destroyForcibly().waitFor();
        }
    }

    @Test
    void framesOutstandingAndNoMessageFor3sClosesAndBacksOff() throws Exception {
        Path jar = Path.of(System.getProperty("framewire.jar", "../../target/framewire.jar"));
        assertThat(jar).as("the packaged server (mvn package at the root)").exists();
        Path log = dir.resolve("server.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        server = new ProcessBuilder(java, "-Xmx256m", "--enable-native-access=ALL-UNNAMED", "-jar", jar.toString(),
                "--host", "127.0.0.1", "--port", "0", "--detector", "none")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> !server.isAlive() || LISTENING.matcher(read(log)).find());
        Matcher m = LISTENING.matcher(read(log));
        assertThat(m.find()).as(read(log)).isTrue();

        Recorder rec = new Recorder();
        fw = FramewireClient.publisher(URI.create("ws://127.0.0.1:" + m.group(1)), "cam-hung").listener(rec).start();
        try (Camera cam = new Camera(fw, 50, Servers::jpeg)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> rec.results().size() >= 5);
            long frozenAt = System.nanoTime();
            signal("STOP");
            await().atMost(Duration.ofSeconds(10)).until(() -> rec.lastClose() != null);
            long tookMs = (System.nanoTime() - frozenAt) / 1_000_000;
            Closed c = rec.lastClose();
            assertThat(c.code()).isEqualTo(FramewireClient.CLOSE_SILENCE);
            assertThat(c.delayMs()).as("backoff, not at once").isBetween(0L, 250L);
            assertThat(tookMs).as("3 s after the last message, give or take a tick").isBetween(2_500L, 6_000L);
            // it keeps trying (the upgrade to a frozen host times out) and is back once the host resumes
            signal("CONT");
            int before = rec.results().size();
            await().atMost(Duration.ofSeconds(30)).until(() -> rec.results().size() > before + 3);
        }
    }

    private void signal(String sig) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + sig, String.valueOf(server.pid())).inheritIO().start().waitFor();
    }

    private static String read(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log) : "";
    }
}
