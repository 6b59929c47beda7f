package io.framewire.bench.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.framewire.server.FramewireServer;
import io.framewire.testing.ServerExtension;
import io.framewire.testing.TestData;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A short real run against the in-process server, with each client. */
class LoadRunTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final ServerExtension servers = new ServerExtension();

    @ParameterizedTest
    @ValueSource(strings = {"--client nio", "--client nio --io-threads 2", "--client jetty"})
    void everySentFrameIsAccountedFor(String client) throws Exception {
        FramewireServer server = servers.start("detector", "none");
        LoadGenConfig cfg = LoadGenConfig.parse((client + " --url ws://127.0.0.1:" + server.port()
                // a warm-up of 1.5 s: on a shared 2-core box under load, 4 connects took over 0.5 s
                + " --source unused --streams 4 --fps 15 --ramp 200ms --warmup 1500ms --duration 2s --drain 1s")
                .split(" "));
        List<ByteBuffer> frames = List.of(ByteBuffer.wrap(TestData.messi()).asReadOnlyBuffer());
        RunResult r = new LoadRun(cfg, frames).run();

        assertThat(r.connections().openAtWindowStart()).isEqualTo(4);
        assertThat(r.connections().failures()).isZero();
        assertThat(r.connections().unexpectedCloses()).isZero();
        assertThat(r.connections().wsErrors()).isEmpty();
        assertThat(r.window().results()).as("~4 x 15 fps x 2 s").isGreaterThan(60);
        assertThat(r.latencyMicros().getTotalCount()).isPositive();
        assertThat(r.otherMessages()).isEmpty();
        RunResult.Accounting a = r.accounting();
        assertThat(a.streamsChecked()).isEqualTo(4);
        assertThat(a.streamsMismatched()).isZero();
        assertThat(a.unanswered()).as("all answered after the drain").isZero();
        assertThat(a.results() + a.frameErrors() + a.dropped()).isEqualTo(a.sent());
    }

    /**
     * --follow-advice against one overloaded YuNet worker: each stream sends at about the advised
     * rate instead of --fps, so most of the uplink is saved, and still every frame is accounted for.
     */
    @Test
    void followingTheAdviceSendsLessToAnOverloadedServer() throws Exception {
        FramewireServer server = servers.start("detector", "yunet", "model", TestData.yunet().toString(), "workers", "1",
                "gating.enabled", "false");
        LoadGenConfig cfg = LoadGenConfig.parse(("--url ws://127.0.0.1:" + server.port()
                + " --source unused --streams 12 --fps 60 --ramp 200ms --warmup 2s --duration 3s --drain 1s"
                + " --follow-advice true").split(" "));
        List<ByteBuffer> frames = List.of(ByteBuffer.wrap(TestData.messi()).asReadOnlyBuffer());
        RunResult r = new LoadRun(cfg, frames).run();

        RunResult.Advice advice = r.advice();
        assertThat(advice.followed()).isTrue();
        // 12 x 60 = 720 frames/s offered to a worker that answers a few hundred at most
        assertThat(advice.maxFps()).as("advised").isPositive().isLessThan(60);
        assertThat(advice.framesNotSent()).as("not sent for the advice").isGreaterThan(r.window().sent());
        assertThat(r.window().results()).isPositive();
        RunResult.Accounting a = r.accounting();
        assertThat(a.streamsMismatched()).isZero();
        assertThat(a.results() + a.frameErrors() + a.dropped() + a.unanswered()).isEqualTo(a.sent());
    }

    /**
     * --reconnect: the server goes away mid-run (a graceful close: 1001 to every stream) and a new
     * one comes up on the same port; every stream must come back on a second connection, with
     * its outage timed and every frame still accounted for across both connections.
     */
    @ParameterizedTest
    @ValueSource(strings = {"--client nio", "--client jetty"})
    void streamsReconnectWhenTheServerComesBack(String client, @TempDir Path tmp) throws Exception {
        FramewireServer server = servers.start("detector", "none");
        int port = server.port();
        Path perStream = tmp.resolve("streams.jsonl");
        LoadGenConfig cfg = LoadGenConfig.parse((client + " --url ws://127.0.0.1:" + port
                + " --source unused --streams 3 --fps 15 --ramp 100ms --warmup 200ms --duration 4s --drain 1s"
                + " --reconnect 50ms --reconnect-max 200ms --connect-timeout 1s --per-stream " + perStream)
                .split(" "));
        List<ByteBuffer> frames = List.of(ByteBuffer.wrap(TestData.messi()).asReadOnlyBuffer());
        LoadRun run = new LoadRun(cfg, frames);
        CompletableFuture<RunResult> result = CompletableFuture.supplyAsync(() -> {
            try {
                return run.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(WAIT).until(() -> run.openStreams() == 3 && run.resultsSoFar() > 0);
        servers.close(server); // every stream gets 1001; reconnects are refused meanwhile
        long closed = System.nanoTime();
        await().atMost(WAIT).until(() -> run.minFailedConnects() >= 1);
        long restarted = System.nanoTime();
        servers.start("detector", "none", "port", String.valueOf(port));
        long listening = System.nanoTime();
        RunResult r = result.get(30, TimeUnit.SECONDS);
        run.writePerStream(perStream);

        RunResult.Reconnects rc = r.reconnects();
        assertThat(rc.enabled()).isTrue();
        assertThat(rc.streamsReconnected()).isEqualTo(3);
        assertThat(rc.downAtEnd()).isZero();
        assertThat(rc.gapMicros().getMinValue()).as("down at least while no server listened")
                .isGreaterThanOrEqualTo(TimeUnit.NANOSECONDS.toMicros(restarted - closed));
        // measured from the server's start, not a fixed time: starting it can take seconds on a busy machine
        assertThat(rc.gapMicros().getMaxValue()).as("back within the 200 ms backoff cap (+ jitter, connect) of the server listening")
                .isLessThan(TimeUnit.NANOSECONDS.toMicros(listening - closed) + 1_000_000);
        assertThat(rc.offline()).as("frames due while down").isPositive();
        assertThat(r.connections().unexpectedCloses()).isEqualTo(3);
        assertThat(r.connections().closeReasons().keySet()).allMatch(k -> k.startsWith("1001") || k.startsWith("1006"));
        RunResult.Accounting a = r.accounting();
        assertThat(a.streamsMismatched()).as("seqs of both connections line up in one ledger").isZero();
        assertThat(a.results() + a.frameErrors() + a.dropped() + rc.lostOnClose() + a.unanswered()).isEqualTo(a.sent());

        List<String> lines = Files.readAllLines(perStream);
        assertThat(lines).hasSize(3);
        for (String line : lines) {
            JsonNode j = Summary.MAPPER.readTree(line);
            assertThat(j.path("connections").asInt()).isEqualTo(2);
            assertThat(j.path("gaps_ms")).hasSize(1);
            assertThat(j.path("closes")).hasSize(1);
            assertThat(j.path("accounting_gap").asLong()).isZero();
            assertThat(j.path("down").asBoolean()).isFalse();
        }
    }

    /**
     * The silence rule against a host that upgrades and then never answers (what a SIGSTOPped
     * server behind a kernel that still accepts looks like): the camera gives up after --silence
     * and reconnects; with --silence 0 it waits forever on the one connection.
     */
    @ParameterizedTest
    @ValueSource(strings = {"500ms", "0"})
    void theSilenceRuleDropsAConnectionThatNeverAnswers(String silence) throws Exception {
        try (ServerSocket hung = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            AtomicInteger upgrades = new AtomicInteger();
            Thread acceptor = Thread.ofVirtual().start(() -> {
                while (!hung.isClosed()) {
                    try {
                        Socket s = hung.accept();
                        Thread.ofVirtual().start(() -> swallow(s, upgrades));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            LoadGenConfig cfg = LoadGenConfig.parse(("--url ws://127.0.0.1:" + hung.getLocalPort()
                    + " --source unused --streams 2 --fps 15 --ramp 100ms --warmup 100ms --duration 2500ms --drain 100ms"
                    + " --reconnect 50ms --reconnect-max 200ms --connect-timeout 1s --silence " + silence).split(" "));
            RunResult r = new LoadRun(cfg, List.of(ByteBuffer.wrap(TestData.messi()).asReadOnlyBuffer())).run();
            hung.close();
            acceptor.join(2000);
            long silenced = r.connections().closeReasons().getOrDefault("0 silence", 0L);
            if (silence.equals("0")) {
                assertThat(silenced).isZero();
                assertThat(upgrades.get()).as("one connection per stream, kept").isEqualTo(2);
            } else {
                // each stream: ~0.55 s to give up, ~0.05-0.2 s to reconnect, over ~2.7 s
                assertThat(silenced).as("given up on, per stream, several times").isBetween(4L, 12L);
                // every silenced connection was upgraded; each but the last of a stream was followed by another
                assertThat((long) upgrades.get()).isBetween(silenced, silenced + 2 + 2); // + upgrades a loaded client gave up on
                assertThat(r.reconnects().gapMicros().getMaxValue()).as("reconnected within the backoff cap (+ connect)").isLessThan(1_500_000);
            }
        }
    }

    /** Answers the upgrade with a 101, then reads and drops everything: a host that hangs after the upgrade. */
    private static void swallow(Socket s, AtomicInteger upgrades) {
        try (s) {
            var in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    return;
                }
                head.append((char) b);
            }
            String key = head.toString().replaceAll("(?s).*Sec-WebSocket-Key: (\\S+)\r\n.*", "$1");
            s.getOutputStream().write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + WsFrames.acceptKey(key) + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            upgrades.incrementAndGet();
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // the client dropped it
        }
    }
}
