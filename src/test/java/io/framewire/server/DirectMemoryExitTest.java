package io.framewire.server;

import static io.framewire.testing.Waits.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.framewire.testing.RawWs;
import io.framewire.testing.ServerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Direct memory exhausted is treated like the heap: the process exits (as
 * {@code -XX:+ExitOnOutOfMemoryError} does for the heap) instead of limping on with every read
 * failing. A server in its own JVM with less direct memory than its frame-buffer cap, fed frames
 * by clients that never read.
 */
class DirectMemoryExitTest {

    @Test
    void aServerOutOfDirectMemoryExitsInsteadOfLimping(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("server.log");
        Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:MaxDirectMemorySize=24m", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "io.framewire.Main", "--host", "127.0.0.1", "--port", "0", "--detector", "none",
                "--workers", "1", "--ws.maxBufferedBytes", String.valueOf(256 << 20))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        List<RawWs> clients = new ArrayList<>();
        try {
            int port = ServerProcess.awaitPort(server, log);
            byte[] part = new byte[1 << 20];
            // fragmented messages, each growing towards 4 MiB: held until they end, which they never do
            for (int c = 0; c < 16 && server.isAlive(); c++) {
                try {
                    RawWs ws = RawWs.open(port, "/ws/streams/hog-" + c);
                    clients.add(ws);
                    ws.send(false, RawWs.BINARY, part);
                    for (int i = 0; i < 3 && server.isAlive(); i++) {
                        ws.send(false, RawWs.CONTINUATION, part);
                    }
                } catch (IOException e) {
                    break; // the server went away
                }
            }
            assertThat(server.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("the server exited").isTrue();
            String out = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(server.exitValue()).as(out).isEqualTo(3);
            assertThat(out).contains("out of memory, exiting").contains("direct buffer memory");
        } finally {
            clients.forEach(RawWs::close);
            server.destroyForcibly();
        }
    }
}
