package io.framewire.camera;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.framewire.client.FramewireClient;
import io.framewire.client.Message;
import io.framewire.server.FramewireServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A video file as a camera: looped at its own rate, scaled, published; YuNet finds Megamind's face. */
class FileSourceTest {

    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void aFileIsPlayedAsACameraAndFacesComeBack() throws Exception {
        FramewireServer server = servers.start("detector", "yunet", "model", Servers.yunet().toString(), "workers", "1");
        List<Message.Result> watched = new CopyOnWriteArrayList<>();
        servers.track(FramewireClient.watcher(Servers.uri(server), "file-cam")
                .onMessage(m -> { if (m instanceof Message.Result r) watched.add(r); }).start());
        Servers.Running bridge = servers.bridge(server, """
                [[camera]]
                id = "file-cam"
                source = "%s"
                fps = 8
                width = 320
                """.formatted(Servers.megamind()));
        CameraLoop cam = bridge.camera("file-cam");
        await().atMost(Duration.ofSeconds(30)).until(() -> watched.stream().anyMatch(r -> !r.detections().isEmpty()));
        Message.Result withFace = watched.stream().filter(r -> !r.detections().isEmpty()).findFirst().orElseThrow();
        assertThat(withFace.width()).isEqualTo(320);
        assertThat(withFace.detections().getFirst().label()).isEqualTo("face");
        assertThat(cam.description()).contains("320x");
        // the rate over the last 5 whole seconds: fps = 8 is the upper bound, and it is reached
        await().atMost(Duration.ofSeconds(20)).until(() -> cam.fpsOut.perSecond() >= 6);
        assertThat(cam.fpsOut.perSecond()).isLessThanOrEqualTo(8.4);
        assertThat(cam.fpsIn.perSecond()).as("the file plays at its own rate (Megamind.avi: ~24 fps), not as fast as it decodes")
                .isLessThan(40);
    }
}
