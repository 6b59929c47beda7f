package io.framewire.events;

import static io.framewire.testing.Waits.WAIT;
import static io.framewire.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.framewire.server.FramewireServer;
import io.framewire.testing.Mosquitto;
import io.framewire.testing.RedisServer;
import io.framewire.testing.ServerExtension;
import io.framewire.testing.TestData;
import io.framewire.testing.WsClient;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * Issue #24 end to end: a real server with YuNet, zones set through the admin API, and a clip of
 * messi5.jpg's face walking across a noisy background, through the zone and back. All three sinks
 * are real (redis-server, mosquitto, a JDK HTTP receiver); each gets exactly 2 enter + 2 leave.
 */
class ZoneEventsServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ZONE = """
            {"zones":[{"name":"door","polygon":[[0.4,0.0],[0.6,0.0],[0.6,1.0],[0.4,1.0]],"labels":["face"],"minScore":0.5}]}""";

    @RegisterExtension
    final ServerExtension servers = new ServerExtension();

    static HttpResponse<String> send(String method, String url, String body) throws Exception {
        try (HttpClient c = HttpClient.newHttpClient()) {
            return c.send(HttpRequest.newBuilder(URI.create(url))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                    .build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    /** The face of messi5.jpg (where YuNet finds it), with a margin. */
    static BufferedImage face(WsClient client) throws Exception {
        client.send(TestData.messi());
        JsonNode box = client.next(WAIT).path("detections").get(0).path("box");
        BufferedImage messi = ImageIO.read(new ByteArrayInputStream(TestData.messi()));
        int x = box.get(0).asInt(), y = box.get(1).asInt(), w = box.get(2).asInt(), h = box.get(3).asInt();
        int mx = w / 2, my = h / 2;
        int x0 = Math.max(0, x - mx), y0 = Math.max(0, y - my);
        BufferedImage crop = messi.getSubimage(x0, y0, Math.min(messi.getWidth() - x0, w + 2 * mx),
                Math.min(messi.getHeight() - y0, h + 2 * my));
        // twice the size: a face a camera sees walking past, not a 30-pixel speck
        BufferedImage big = new BufferedImage(crop.getWidth() * 2, crop.getHeight() * 2, BufferedImage.TYPE_INT_RGB);
        big.createGraphics().drawImage(crop, 0, 0, big.getWidth(), big.getHeight(), null);
        return big;
    }

    /** The face at {@code cx} (fraction of the width) on a background of fresh sensor noise. */
    static byte[] frame(BufferedImage face, double cx, Random noise) throws Exception {
        int width = 640, height = 360;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int g = 110 + noise.nextInt(30);
                img.setRGB(x, y, (g << 16) | (g << 8) | g);
            }
        }
        int fx = (int) Math.round(cx * width - face.getWidth() / 2.0);
        img.getGraphics().drawImage(face, fx, (height - face.getHeight()) / 2, null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "jpg", out);
        return out.toByteArray();
    }

    @Test
    void aFaceCrossingAZoneTwiceMakesTwoEntersAndTwoLeavesOnEverySink() throws Exception {
        List<String> hooked = Collections.synchronizedList(new ArrayList<>());
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        receiver.createContext("/hook", ex -> {
            hooked.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        List<String> mqtt = Collections.synchronizedList(new ArrayList<>());
        try (RedisServer redis = RedisServer.start(); Mosquitto broker = Mosquitto.start()) {
            MqttClient sub = broker.client("watcher");
            sub.subscribe("framewire/events", 1, (t, m) -> mqtt.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
            FramewireServer server = servers.start("detector", "yunet", "model", TestData.yunet().toString(), "workers", "1",
                    "gating.enabled", "false", "redis", redis.url(), "admin.port", "0",
                    // one track for the whole walk even when a starved test machine takes a second over a frame
                    "tracking.maxAgeMs", "10000",
                    "events.webhook", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook",
                    "events.webhookSecret", "0123456789abcdef", "events.mqtt", broker.url(), "events.snapshotBytes", "4000000");
            String api = "http://127.0.0.1:" + server.adminPort() + "/api/streams/walk-cam/zones";
            assertThat(send("PUT", "http://127.0.0.1:" + server.port() + "/api/streams/walk-cam/zones", ZONE).statusCode())
                    .as("not on the main port when an admin port is set").isEqualTo(404);
            HttpResponse<String> put = send("PUT", api, ZONE);
            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
            assertThat(JSON.readTree(send("GET", api, null).body())).isEqualTo(JSON.readTree(ZONE));

            Random noise = new Random(24);
            try (WsClient cam = WsClient.stream(server.port(), "walk-cam")) {
                BufferedImage face = face(cam);
                List<Double> path = new ArrayList<>();
                // 1.5 % of the width a frame: 10 px, a walk at 15 FPS
                for (double x = 0.1; x < 0.9; x += 0.015) {
                    path.add(x);
                }
                path.addAll(java.util.Collections.nCopies(10, 0.9)); // stops and turns round (the tracker's velocity settles)
                for (double x = 0.9; x > 0.1; x -= 0.015) {
                    path.add(x);
                }
                int found = walk(cam, face, path, noise);
                assertThat(found).as("YuNet finds the face in the clip's frames").isGreaterThan(path.size() * 9 / 10);
            }
            try {
                await().until(() -> hooked.size() >= 4 && mqtt.size() >= 4 && redisEvents(redis).size() >= 4);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("webhook " + hooked + "\nmqtt " + mqtt + "\nredis " + redisEvents(redis), e);
            }
            for (List<String> sink : List.of(hooked, mqtt, redisEvents(redis))) {
                List<JsonNode> events = new ArrayList<>();
                for (String s : sink) {
                    events.add(JSON.readTree(s));
                }
                assertThat(events).as(sink.toString()).extracting(e -> e.path("type").asText()).containsExactly("enter", "leave", "enter", "leave");
                assertThat(events).extracting(e -> e.path("id").asText()).doesNotHaveDuplicates();
                assertThat(events).allSatisfy(e -> {
                    assertThat(e.path("stream").asText()).isEqualTo("walk-cam");
                    assertThat(e.path("zone").asText()).isEqualTo("door");
                    assertThat(e.path("label").asText()).isEqualTo("face");
                    assertThat(e.path("v").asInt()).isEqualTo(1);
                    assertThat(e.path("box").size()).isEqualTo(4);
                });
            }
            assertThat(hooked).isEqualTo(redisEvents(redis));
            // the enters' frames are kept: served where the event names them
            JsonNode enter = JSON.readTree(hooked.getFirst());
            assertThat(JSON.readTree(hooked.get(1)).has("snapshot")).as("a leave has none").isFalse();
            try (HttpClient c = HttpClient.newHttpClient()) {
                HttpResponse<byte[]> snap = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                        + enter.path("snapshot").asText())).build(), HttpResponse.BodyHandlers.ofByteArray());
                assertThat(snap.statusCode()).isEqualTo(200);
                BufferedImage shot = ImageIO.read(new ByteArrayInputStream(snap.body()));
                assertThat(shot.getWidth()).isEqualTo(640);
                assertThat(c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                        + "/api/events/nope/snapshot.jpg")).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
            }
            assertThat(send("DELETE", api, null).statusCode()).isEqualTo(204);
            assertThat(JSON.readTree(send("GET", api, null).body()).path("zones").size()).isZero();
            sub.disconnect();
        } finally {
            receiver.stop(0);
        }
    }

    /**
     * The stream's host goes away mid-crossing (the camera's connection ends, then the host), the
     * camera reconnects to another host, and the walk goes on there: the other host continues the
     * track (its id from fw:{ID}:tracks) and the open enter (fw:{ID}:zonestate). Over both hosts:
     * exactly 2 enter + 2 leave in fw:events, the ids of one epoch, none twice.
     */
    @Test
    void aTakeoverMidCrossingNeitherDuplicatesNorLosesTheOpenEnter() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            String[] common = {"detector", "yunet", "model", TestData.yunet().toString(), "workers", "1",
                    "gating.enabled", "false", "redis", redis.url(), "tracking.maxAgeMs", "3000", "events.snapshotBytes", "4000000"};
            FramewireServer a = servers.start(concat(common, "host.id", "zone-a"));
            FramewireServer b = servers.start(concat(common, "host.id", "zone-b"));
            assertThat(send("PUT", "http://127.0.0.1:" + a.port() + "/api/streams/move-cam/zones", ZONE).statusCode()).isEqualTo(200);
            Random noise = new Random(7);
            BufferedImage face;
            List<Double> path = new ArrayList<>();
            for (double x = 0.1; x < 0.9; x += 0.015) {
                path.add(x);
            }
            path.addAll(java.util.Collections.nCopies(10, 0.9)); // stops and turns round (the tracker's velocity settles)
            for (double x = 0.9; x > 0.1; x -= 0.015) {
                path.add(x);
            }
            int half = path.indexOf(path.stream().filter(x -> x > 0.5).findFirst().orElseThrow()); // inside the zone
            double stop = path.get(half);
            try (WsClient cam = WsClient.stream(a.port(), "move-cam")) {
                face = face(cam);
                walk(cam, face, path.subList(0, half), noise);
                // the person stops in the door: a track snapshot (refreshed every 0.5 s) holds where it stands
                walk(cam, face, java.util.Collections.nCopies(12, stop), noise);
                await().until(() -> !redisEvents(redis).isEmpty());
                assertThat(redisEvents(redis)).as("the enter on the first host").hasSize(1);
            }
            try (Jedis j = redis.client()) {
                await().until(() -> j.get("fw:{move-cam}:tracks") != null && j.get("fw:{move-cam}:zonestate") != null);
            }
            servers.close(a);
            try (WsClient cam = WsClient.stream(b.port(), "move-cam")) {
                await().until(() -> io.framewire.testing.MetricsText.value(io.framewire.testing.Http.metrics(b.port()),
                        "framewire_tracks_handed_over_total") == 1);
                walk(cam, face, path.subList(half, path.size()), noise);
            }
            await().until(() -> redisEvents(redis).size() >= 4);
            List<JsonNode> events = new ArrayList<>();
            for (String e : redisEvents(redis)) {
                events.add(JSON.readTree(e));
            }
            assertThat(events).as(events.toString()).extracting(e -> e.path("type").asText())
                    .containsExactly("enter", "leave", "enter", "leave");
            String track = events.getFirst().path("track").asText();
            String prefix = events.getFirst().path("id").asText().replaceAll(":enter:1$", "");
            assertThat(events).extracting(e -> e.path("id").asText())
                    .as("one track, one epoch, over both hosts")
                    .containsExactly(prefix + ":enter:1", prefix + ":leave:1", prefix + ":enter:2", prefix + ":leave:2");
            assertThat(events).allSatisfy(e -> assertThat(e.path("track").asText()).isEqualTo(track));
            // the first enter's frame was kept by A, which is gone: B serves it from Redis
            try (HttpClient c = HttpClient.newHttpClient()) {
                HttpResponse<byte[]> snap = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + b.port()
                        + events.getFirst().path("snapshot").asText())).build(), HttpResponse.BodyHandlers.ofByteArray());
                assertThat(snap.statusCode()).isEqualTo(200);
                assertThat(ImageIO.read(new ByteArrayInputStream(snap.body())).getWidth()).isEqualTo(640);
            }
        }
    }

    /** The camera's pace: one frame every 100 ms on a fixed schedule (a camera does not wait for results), each answered. */
    private static final long PACE_NANOS = 100_000_000L;
    private static final boolean DEBUG = Boolean.getBoolean("walk.debug"); // each frame's answer on stderr

    static int walk(WsClient cam, BufferedImage face, List<Double> xs, Random noise) throws Exception {
        int found = 0;
        long next = System.nanoTime();
        for (double x : xs) {
            byte[] f = frame(face, x, noise);
            java.util.concurrent.locks.LockSupport.parkNanos(next - System.nanoTime());
            next = Math.max(next + PACE_NANOS, System.nanoTime());
            cam.send(f);
            JsonNode r = cam.next(WAIT);
            found += r.path("detections").size() > 0 ? 1 : 0;
            if (DEBUG) {
                System.err.printf("WALK x=%.3f t=%d %s%n", x, System.nanoTime() / 1_000_000, r.path("detections"));
            }
        }
        return found;
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static List<String> redisEvents(RedisServer redis) {
        try (Jedis j = redis.client()) {
            return j.xrange("fw:events", "-", "+").stream().map(e -> e.getFields().get("event")).toList();
        }
    }

    @Test
    void theZonesApiRefusesBadDocumentsClearlyAndAsksForFwAdmin() throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("zones-", ".json");
        java.nio.file.Files.writeString(file, "{\"known-cam\":" + ZONE + "}");
        FramewireServer server = servers.start("detector", "none", "events.zonesFile", file.toString(),
                "security.auth", "jwt", "security.jwt.secret", io.framewire.testing.Tokens.SECRET);
        String base = "http://127.0.0.1:" + server.port() + "/api/streams/";
        String admin = io.framewire.testing.Tokens.hs256(io.framewire.testing.Tokens.claims(List.of("known-cam"), List.of("*"),
                java.time.Duration.ofMinutes(5)).claim("fw.admin", List.of("known-cam", "new-*")).build());
        String watcher = io.framewire.testing.Tokens.hs256(io.framewire.testing.Tokens.claims(List.of("*"), List.of("*"),
                java.time.Duration.ofMinutes(5)).build());
        try (HttpClient c = HttpClient.newHttpClient()) {
            java.util.function.BiFunction<String, String, HttpRequest.Builder> req = (path, token) -> {
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
                return token == null ? b : b.header("Authorization", "Bearer " + token);
            };
            assertThat(c.send(req.apply("known-cam/zones", null).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(401);
            assertThat(c.send(req.apply("known-cam/zones", watcher).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .as("fw.watch is not fw.admin").isEqualTo(403);
            HttpResponse<String> known = c.send(req.apply("known-cam/zones", admin).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(known.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(known.body())).as("from events.zonesFile").isEqualTo(JSON.readTree(ZONE));
            String[][] bad = {
                    {"{\"zones\":[{\"name\":\"x\",\"polygon\":[[0,0],[2,0],[1,1]]}]}", "400", "0 to 1"},
                    {"{\"zones\":", "400", "not JSON"},
                    {"{\"zones\":[]}" + " ".repeat(70_000), "413", "too large"},
            };
            for (String[] b : bad) {
                HttpResponse<String> r = c.send(req.apply("new-cam/zones", admin).PUT(HttpRequest.BodyPublishers.ofString(b[0])).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(Integer.parseInt(b[1]));
                assertThat(JSON.readTree(r.body()).path("error").asText()).contains(b[2]);
            }
            HttpResponse<String> ok = c.send(req.apply("new-cam/zones", admin).PUT(HttpRequest.BodyPublishers.ofString(ZONE)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).isEqualTo(200);
            JsonNode saved = JSON.readTree(java.nio.file.Files.readString(file));
            assertThat(saved.path("new-cam")).as("kept in events.zonesFile without Redis").isEqualTo(JSON.readTree(ZONE));
            assertThat(saved.path("known-cam")).isEqualTo(JSON.readTree(ZONE));
            assertThat(c.send(req.apply("a".repeat(129) + "/zones", admin).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(400);
        }
    }
}
