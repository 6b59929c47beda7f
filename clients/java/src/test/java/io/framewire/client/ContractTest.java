package io.framewire.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.framewire.server.FramewireServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The client contract (docs/protocol.md, "Client side of the contract") against the real server over loopback:
 * each close code and refusal the server really produces, and what the client does about it.
 */
class ContractTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    final Servers servers = new Servers();

    private FramewireClient publisher(FramewireServer server, String stream, Listener l) {
        return servers.track(FramewireClient.publisher(Servers.uri(server), stream).listener(l).start());
    }

    @Test
    void publishesFramesAndGetsTypedResultsWithAdvice() throws Exception {
        FramewireServer server = servers.start();
        Inbox inbox = new Inbox(64);
        FramewireClient fw = servers.track(FramewireClient.publisher(Servers.uri(server), "cam-1").listener(inbox).start());
        await().atMost(WAIT).until(fw::isOpen);
        try (Camera cam = new Camera(fw, 50, Servers::jpeg)) {
            Message.Result first = null;
            for (int i = 0; i < 40 && (first == null || fw.advisedFps() <= 0); i++) {
                Message m = inbox.poll(WAIT);
                assertThat(m).isInstanceOf(Message.Result.class);
                first = first == null ? (Message.Result) m : first;
            }
            assertThat(first.stream()).isEqualTo("cam-1");
            assertThat(first.width()).isEqualTo(320);
            assertThat(first.height()).isEqualTo(240);
            assertThat(fw.advisedFps()).isPositive();
            assertThat(fw.pace(1)).isEqualTo(1);
        }
        assertThat(fw.stats().results()).isPositive();
    }

    @Test
    void detectionsAreTyped() throws Exception {
        byte[] messi = Servers.messi();
        FramewireServer server = servers.start("detector", "haar", "gating.enabled", "false");
        Inbox inbox = new Inbox(16);
        FramewireClient fw = servers.track(FramewireClient.publisher(Servers.uri(server), "messi").listener(inbox).start());
        await().atMost(WAIT).until(fw::isOpen);
        assertThat(fw.send(messi)).isZero();
        Message.Result r = (Message.Result) inbox.poll(WAIT);
        assertThat(r.seq()).isZero();
        assertThat(r.detections()).isNotEmpty().allSatisfy(d -> {
            assertThat(d.label()).isEqualTo("face");
            assertThat(d.width()).isPositive();
            assertThat(d.score()).isPositive();
        });
    }

    @Test
    void aBadFrameIsATypedErrorAndTheConnectionStays() throws Exception {
        FramewireServer server = servers.start("detector", "haar");
        Inbox inbox = new Inbox(16);
        FramewireClient fw = servers.track(FramewireClient.publisher(Servers.uri(server), "cam-bad").listener(inbox).start());
        await().atMost(WAIT).until(fw::isOpen);
        fw.send("not an image".getBytes());
        Message.FrameError e = (Message.FrameError) inbox.poll(WAIT);
        assertThat(e.code()).isEqualTo("bad_image");
        assertThat(e.seq()).isZero();
        await().atMost(WAIT).until(() -> fw.send(Servers.jpeg()) == 1);
        assertThat(inbox.poll(WAIT)).isInstanceOf(Message.Result.class);
        assertThat(fw.stats().connections()).isEqualTo(1);
    }

    @Test
    void drain1001ReconnectsAtOnceToTheHostThatComesBack() throws Exception {
        FramewireServer server = servers.start();
        int port = server.port();
        Recorder rec = new Recorder();
        FramewireClient fw = publisher(server, "cam-drain", rec);
        try (Camera cam = new Camera(fw, 50, Servers::jpeg)) {
            await().atMost(WAIT).until(() -> !rec.results().isEmpty());
            server.close();
            await().atMost(WAIT).until(() -> rec.closes.stream().anyMatch(c -> c.code() == 1001));
            Closed drained = rec.closes.stream().filter(c -> c.code() == 1001).findFirst().orElseThrow();
            assertThat(drained.delayMs()).isBetween(0L, 250L);
            int before = rec.results().size();
            servers.start("port", String.valueOf(port));
            await().atMost(WAIT).until(() -> rec.results().size() > before + 3);
        }
        assertThat(fw.stats().connections()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void full503HonoursRetryAfterThenGetsIn() throws Exception {
        FramewireServer server = servers.start("streams.max", "1");
        Recorder first = new Recorder();
        FramewireClient a = publisher(server, "cam-a", first);
        await().atMost(WAIT).until(a::isOpen);
        a.send(Servers.jpeg());
        await().atMost(WAIT).until(() -> !first.results().isEmpty()); // the host has counted it
        Recorder second = new Recorder();
        FramewireClient b = publisher(server, "cam-b", second);
        await().atMost(WAIT).until(() -> second.lastClose() != null);
        Closed refused = second.lastClose();
        assertThat(refused.httpStatus()).isEqualTo(503);
        assertThat(refused.delayMs()).as("Retry-After: 5 is a floor").isGreaterThanOrEqualTo(5_000);
        assertThat(b.state()).isEqualTo(State.WAITING);
        a.close();
        await().atMost(Duration.ofSeconds(5 + 15)).until(b::isOpen);
    }

    @Test
    void outOfFrameMemory1013BacksOffAndReconnects() throws Exception {
        FramewireServer server = servers.start("ws.maxBufferedBytes", "1048576");
        Recorder rec = new Recorder();
        FramewireClient fw = publisher(server, "cam-1013", rec);
        await().atMost(WAIT).until(fw::isOpen);
        fw.send(new byte[1_500_000]); // more than the whole frame memory
        await().atMost(WAIT).until(() -> rec.lastClose() != null);
        Closed c = rec.lastClose();
        assertThat(c.code()).isEqualTo(1013);
        assertThat(c.delayMs()).as("the first backoff step: up to 250 ms").isBetween(0L, 250L);
        await().atMost(WAIT).until(() -> fw.stats().connections() == 2 && fw.isOpen());
    }

    @Test
    void replaced4000WaitsFiveSecondsAndSaysSo() throws Exception {
        FramewireServer server = servers.start();
        Recorder first = new Recorder();
        FramewireClient a = publisher(server, "cam-same", first);
        await().atMost(WAIT).until(a::isOpen);
        FramewireClient b = publisher(server, "cam-same", new Recorder());
        await().atMost(WAIT).until(() -> first.lastClose() != null);
        assertThat(first.lastClose().code()).isEqualTo(4000);
        assertThat(first.lastClose().delayMs()).isBetween(5_000L, 6_000L);
        assertThat(a.state()).isEqualTo(State.WAITING);
        assertThat(b.isOpen()).isTrue();
    }

    @Test
    void tooBig1009StopsAndSurfaces() throws Exception {
        FramewireServer server = servers.start("ws.maxMessageBytes", "1024");
        Recorder rec = new Recorder();
        FramewireClient fw = publisher(server, "cam-big", rec);
        await().atMost(WAIT).until(fw::isOpen);
        fw.send(Servers.jpeg());
        await().atMost(WAIT).until(() -> fw.state() == State.STOPPED);
        assertThat(rec.lastClose().code()).isEqualTo(1009);
        assertThat(rec.lastClose().delayMs()).isEqualTo(-1);
        assertThat(fw.stats().connections()).isEqualTo(1);
    }

    @Test
    void tokenTravelsAsASubprotocolAndABadOneStops() throws Exception {
        String secret = "client-test-secret-0123456789abcdef";
        FramewireServer server = servers.start("security.auth", "jwt", "security.jwt.secret", secret);
        String token = Jwt.hs256(secret, List.of("cam-*"), 300);
        Inbox inbox = new Inbox(8);
        FramewireClient good = servers.track(FramewireClient.publisher(Servers.uri(server), "cam-t")
                .token(token).listener(inbox).start());
        await().atMost(WAIT).until(good::isOpen);
        good.send(Servers.jpeg());
        assertThat(inbox.poll(WAIT)).isInstanceOf(Message.Result.class);

        Recorder rec = new Recorder();
        FramewireClient other = servers.track(FramewireClient.publisher(Servers.uri(server), "other")
                .token(token).listener(rec).start());
        await().atMost(WAIT).until(() -> other.state() == State.STOPPED);
        assertThat(rec.lastClose().httpStatus()).isEqualTo(403);
    }

    @Test
    void watchesAStreamAndResumesAfterTheLastEntry() throws Exception {
        FramewireServer server = servers.start();
        Recorder watched = new Recorder();
        FramewireClient watcher = servers.track(FramewireClient.watcher(Servers.uri(server), "cam-w").listener(watched).start());
        await().atMost(WAIT).until(watcher::isOpen);
        FramewireClient fw = publisher(server, "cam-w", new Recorder());
        try (Camera cam = new Camera(fw, 50, Servers::jpeg)) {
            await().atMost(WAIT).until(() -> watched.results().size() >= 3);
        }
        assertThat(watched.messages.getFirst()).isInstanceOf(Message.Watching.class);
        assertThat(watched.results()).allSatisfy(r -> {
            assertThat(r.entry()).isNotBlank();
            assertThat(r.stream()).isEqualTo("cam-w");
        });
        assertThat(watcher.send(Servers.jpeg())).as("a watcher sends nothing").isEqualTo(-1);
    }
}
