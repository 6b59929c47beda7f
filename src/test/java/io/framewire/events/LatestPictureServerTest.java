package io.framewire.events;

import static io.framewire.testing.Waits.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.framewire.server.FramewireServer;
import io.framewire.testing.RedisServer;
import io.framewire.testing.ServerExtension;
import io.framewire.testing.TestData;
import io.framewire.testing.WsClient;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /api/streams/{id}/latest.jpg} on the host serving the stream and, through Redis, on another. */
class LatestPictureServerTest {

    @RegisterExtension
    final ServerExtension servers = new ServerExtension();

    private static HttpResponse<byte[]> get(int port, String path) throws Exception {
        try (HttpClient c = HttpClient.newHttpClient()) {
            return c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        }
    }

    private static BufferedImage image(HttpResponse<byte[]> r) throws Exception {
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("image/jpeg");
        return ImageIO.read(new ByteArrayInputStream(r.body()));
    }

    @Test
    void theLatestPictureIsServedScaledWithBoxesAndZonesOnEveryHostOfTheFleet() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            FramewireServer a = servers.start("detector", "yunet", "model", TestData.yunet().toString(), "workers", "1",
                    "gating.enabled", "false", "redis", redis.url(), "host.id", "pic-a");
            FramewireServer b = servers.start("detector", "none", "workers", "1", "redis", redis.url(), "host.id", "pic-b");
            assertThat(get(a.port(), "/api/streams/pic-cam/latest.jpg").statusCode()).as("nothing yet").isEqualTo(404);
            byte[] messi = TestData.messi();
            try (WsClient cam = WsClient.stream(a.port(), "pic-cam")) {
                cam.send(messi);
                assertThat(cam.next(WAIT).path("detections").size()).isEqualTo(1);
                HttpResponse<byte[]> raw = get(a.port(), "/api/streams/pic-cam/latest.jpg");
                assertThat(raw.statusCode()).isEqualTo(200);
                assertThat(raw.body()).as("as the camera sent it").isEqualTo(messi);
                BufferedImage original = image(raw);

                BufferedImage small = image(get(a.port(), "/api/streams/pic-cam/latest.jpg?h=100"));
                assertThat(small.getHeight()).isEqualTo(100);
                assertThat(small.getWidth()).isEqualTo(Math.round((float) original.getWidth() * 100 / original.getHeight()));
                BufferedImage drawn = image(get(a.port(), "/api/streams/pic-cam/latest.jpg?boxes=1&zones=1"));
                assertThat(drawn.getWidth()).isEqualTo(original.getWidth());

                // another host of the fleet serves it through Redis
                BufferedImage remote = image(get(b.port(), "/api/streams/pic-cam/latest.jpg?h=120"));
                assertThat(remote.getHeight()).isEqualTo(120);
                assertThat(get(b.port(), "/api/streams/pic-cam/latest.jpg").body()).isEqualTo(messi);

                for (String bad : new String[] {"?h=abc", "?h=-1", "?h=99999", "?boxes=maybe"}) {
                    HttpResponse<byte[]> r = get(a.port(), "/api/streams/pic-cam/latest.jpg" + bad);
                    assertThat(r.statusCode()).as(bad).isEqualTo(400);
                    assertThat(new ObjectMapper().readTree(r.body()).path("error").asText()).contains("?h=");
                }
                assertThat(get(b.port(), "/api/streams/nobody/latest.jpg").statusCode()).isEqualTo(404);

                // a watcher on the other host asks for 2 pictures a second beside the results
                try (WsClient watcher = new WsClient(URI.create("ws://127.0.0.1:" + b.port() + "/ws/watch/pic-cam?frames=2"))) {
                    assertThat(watcher.next(WAIT).path("type").asText()).isEqualTo("watching");
                    long t0 = System.nanoTime();
                    int pictures = 0;
                    java.util.List<String> types = new java.util.ArrayList<>();
                    while (pictures < 3) {
                        cam.send(messi); // a camera keeps sending
                        cam.next(WAIT);
                        var m = watcher.drain(java.time.Duration.ofMillis(100));
                        for (var n : m) {
                            types.add(n.path("type").asText());
                            if (n.path("type").asText().equals("frame")) {
                                assertThat(n.path("width").asInt()).isEqualTo(original.getWidth());
                            }
                            if (n.path("type").asText().equals("binary")) {
                                assertThat(watcher.nextBinary(WAIT)).isEqualTo(messi);
                                pictures++;
                            }
                        }
                    }
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    assertThat(types).contains("result");
                    assertThat(types.indexOf("frame")).as("each picture announced first").isLessThan(types.indexOf("binary"));
                    assertThat(pictures / seconds).as("at most 2 a second").isLessThanOrEqualTo(2.0 + 1e-9 + 2 / seconds);
                }
                for (String bad : new String[] {"?frames=99", "?frames=-1", "?frames=x"}) {
                    assertThat(io.framewire.testing.Upgrade.request(b.port(), "/ws/watch/pic-cam" + bad, java.util.Map.of()).status())
                            .as(bad).isEqualTo(400);
                }
                assertThat(io.framewire.testing.Upgrade.request(b.port(), "/ws/watch/pic-cam?frames=1", java.util.Map.of()).status())
                        .isEqualTo(101);
            }
        }
    }
}
