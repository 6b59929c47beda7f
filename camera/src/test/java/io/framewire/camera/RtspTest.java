package io.framewire.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.framewire.client.FramewireClient;
import io.framewire.client.Message;
import io.framewire.server.FramewireServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two RTSP cameras (TCP and UDP) from GStreamer's RTSP server and a file camera (looped, at its own
 * rate, paced to its fps), through the bridge into a YuNet server: faces come back, scaled to the
 * width asked with the aspect kept; the RTSP server is killed and restarted mid-run, the RTSP cameras
 * come back by themselves and the file camera never notices.
 */
class RtspTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    final Servers servers = new Servers();

    @TempDir
    static Path media;

    @Test
    void rtspCamerasPublishSurviveAServerRestartAndTheOthersKeepFlowing() throws Exception {
        RtspServer rtsp = servers.track(RtspServer.start(media, 2));
        FramewireServer server = servers.start("detector", "yunet", "model", Servers.yunet().toString(), "workers", "1");
        List<Message.Result> lobby = new CopyOnWriteArrayList<>();
        servers.track(FramewireClient.watcher(Servers.uri(server), "lobby")
                .onMessage(m -> { if (m instanceof Message.Result r) lobby.add(r); }).start());
        Servers.Running bridge = servers.bridge(server, """
                [[camera]]
                id = "lobby"
                source = "%s"
                fps = 5
                width = 320
                [[camera]]
                id = "door"
                source = "%s"
                transport = "udp"
                fps = 5
                width = 320
                timeout_ms = 2000
                [[camera]]
                id = "file"
                source = "%s"
                fps = 5
                width = 320
                """.formatted(rtsp.url(0), rtsp.url(1), Servers.megamind()));
        CameraLoop a = bridge.camera("lobby");
        CameraLoop b = bridge.camera("door");
        CameraLoop file = bridge.camera("file");

        await().atMost(WAIT).until(() -> lobby.stream().anyMatch(r -> !r.detections().isEmpty()));
        assertThat(lobby.getFirst().width()).isEqualTo(320);
        assertThat(lobby.getFirst().height()).as("aspect kept: 640x480 -> 320x240").isEqualTo(240);
        await().atMost(WAIT).until(() -> a.up() && b.up() && file.up());
        assertThat(a.description()).contains("h264 640x480 -> 320x240");

        // the file camera: played at the file's own rate (Megamind.avi: 24 FPS), not as fast as it decodes,
        // and sent at its fps = 5 (over the last 5 whole seconds), which is an upper bound
        await().atMost(WAIT).until(() -> file.fpsOut.perSecond() >= 4);
        assertThat(file.fpsOut.perSecond()).isLessThanOrEqualTo(5.4);
        assertThat(file.fpsIn.perSecond()).as("not faster than the file's 24 FPS").isLessThanOrEqualTo(30.0);

        rtsp.kill();
        await().atMost(WAIT).until(() -> !a.up() && !b.up());
        assertThat(a.error()).isNotBlank();
        long fileOut = file.framesOut.get();
        long aIn = a.framesIn.get();
        await().atMost(WAIT).until(() -> file.framesOut.get() > fileOut + 10);
        assertThat(a.framesIn.get()).as("nothing from a dead server").isEqualTo(aIn);

        long restartedAt = System.nanoTime();
        rtsp.restart();
        await().atMost(WAIT).until(() -> a.up() && b.up());
        long backMs = (System.nanoTime() - restartedAt) / 1_000_000;
        assertThat(backMs).as("both back within a few seconds of the server's return").isLessThan(10_000);
        assertThat(a.reopens.get()).isPositive();
        assertThat(b.reopens.get()).isPositive();
        assertThat(a.error()).isNull();
        int before = lobby.size();
        await().atMost(WAIT).until(() -> lobby.size() > before + 5);
        assertThat(file.reopens.get()).as("the file camera was not touched").isZero();
        assertThat(file.client.stats().connections()).isEqualTo(1);
        assertThat(a.client.stats().connections()).as("the WebSocket stayed up while the source was away").isEqualTo(1);
    }
}
