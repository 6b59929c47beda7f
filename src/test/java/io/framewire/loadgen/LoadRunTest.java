package io.framewire.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import io.framewire.server.FramewireServer;
import io.framewire.testing.Servers;
import io.framewire.testing.TestData;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A short real run against the in-process server, with each client. */
class LoadRunTest {

    private FramewireServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"--client nio", "--client nio --io-threads 2", "--client jetty"})
    void everySentFrameIsAccountedFor(String client) throws Exception {
        server = Servers.start("detector", "none");
        LoadGenConfig cfg = LoadGenConfig.parse((client + " --url ws://127.0.0.1:" + server.port()
                + " --source unused --streams 4 --fps 15 --ramp 200ms --warmup 300ms --duration 2s --drain 1s")
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
}
