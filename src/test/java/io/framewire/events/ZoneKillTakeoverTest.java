package io.framewire.events;

import static io.framewire.testing.Waits.WAIT;
import static io.framewire.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.framewire.testing.Http;
import io.framewire.testing.MetricsText;
import io.framewire.testing.Mosquitto;
import io.framewire.testing.RedisServer;
import io.framewire.testing.ServerProcess;
import io.framewire.testing.TestData;
import io.framewire.testing.WsClient;
import java.awt.image.BufferedImage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

/**
 * Issue #24's "done when", with real processes: two framewire servers in JVMs of their own sharing a
 * redis-server, a webhook receiver and mosquitto. A face walks into the zone on host A; while it
 * stands inside, A is killed with SIGKILL (no drain, no last write); the camera reconnects to host
 * B (as a load balancer would send it) and walks on, out, back in and out. Every sink ends with
 * exactly 2 enter + 2 leave, the same ids on all three, none twice.
 */
class ZoneKillTakeoverTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ZONE = """
            {"zones":[{"name":"door","polygon":[[0.4,0.0],[0.6,0.0],[0.6,1.0],[0.4,1.0]],"labels":["face"],"minScore":0.5}]}""";

    private static Process server(Path log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), "io.framewire.Main",
                "--host", "127.0.0.1", "--port", "0"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @Test
    void aHostKilledMidCrossingLeavesExactlyTwoEntersAndTwoLeavesOnEverySink(@TempDir Path dir) throws Exception {
        List<String> hooked = Collections.synchronizedList(new ArrayList<>());
        List<String> stateAtFirstEnter = Collections.synchronizedList(new ArrayList<>());
        List<String> mqtt = Collections.synchronizedList(new ArrayList<>());
        Process a = null;
        Process b = null;
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        try (RedisServer redis = RedisServer.start(); Mosquitto broker = Mosquitto.start()) {
            receiver.createContext("/hook", ex -> {
                String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                if (hooked.isEmpty()) { // what a host taking over would find at the moment the first event is out
                    try (Jedis j = redis.client()) {
                        stateAtFirstEnter.add(String.valueOf(j.get(Events.stateKey("kill-cam"))));
                    }
                }
                hooked.add(body);
                ex.sendResponseHeaders(204, -1);
                ex.close();
            });
            receiver.start();
            MqttClient sub = broker.client("watcher");
            sub.subscribe("framewire/events", 1, (t, m) -> mqtt.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
            String[] common = {"--detector", "yunet", "--model", TestData.yunet().toString(), "--workers", "1",
                    "--gating.enabled", "false", "--redis", redis.url(), "--tracking.maxAgeMs", "3000",
                    "--events.webhook", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook",
                    "--events.webhookSecret", "0123456789abcdef", "--events.mqtt", broker.url(), "--events.snapshotBytes", "4000000"};
            Path logA = dir.resolve("a.log");
            Path logB = dir.resolve("b.log");
            a = server(logA, ZoneEventsServerTest.concat(common, "--host.id", "kill-a"));
            b = server(logB, ZoneEventsServerTest.concat(common, "--host.id", "kill-b"));
            int portA = ServerProcess.awaitPort(a, logA, java.time.Duration.ofSeconds(90));
            int portB = ServerProcess.awaitPort(b, logB, java.time.Duration.ofSeconds(90));
            assertThat(ZoneEventsServerTest.send("PUT", "http://127.0.0.1:" + portA + "/api/streams/kill-cam/zones", ZONE)
                    .statusCode()).isEqualTo(200);

            Random noise = new Random(9);
            BufferedImage face;
            try (WsClient cam = WsClient.stream(portA, "kill-cam")) {
                face = ZoneEventsServerTest.face(cam);
                walk(cam, face, 0.1, 0.52, noise); // into the door (its left edge is at 0.4)
                // the person stands in the door until A's periodic track snapshot (at most once a second) has it
                // standing: a killed host says no last word, B predicts from that snapshot, and a track caught
                // mid-stride would be predicted on past where it stands (B would start a new one)
                for (int i = 0; i < 20 && !standing(redis); i++) {
                    walk(cam, face, 0.52, 0.52, noise);
                }
                assertThat(standing(redis)).as("A's track snapshot shows the face standing").isTrue();
                try {
                    await().until(() -> ZoneEventsServerTest.redisEvents(redis).size() >= 1 && hooked.size() >= 1);
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    throw new AssertionError("no enter: webhook " + hooked + "\nredis " + ZoneEventsServerTest.redisEvents(redis) + "\nA:\n"
                            + Files.readString(logA), e);
                }
                assertThat(ZoneEventsServerTest.redisEvents(redis)).as("only the enter so far").hasSize(1);
                assertThat(stateAtFirstEnter.getFirst()).as("the state that holds the enter is stored before the enter is sent")
                        .matches("z1 \\d+ \\d+,door,face,1,1,.*");
                a.destroyForcibly(); // SIGKILL: nothing of A's runs after this
                assertThat(a.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
                assertThat(cam.awaitClose(WAIT).code()).as("the camera sees its host gone, without a close frame").isIn(-1, 1006);
            }
            try (WsClient cam = WsClient.stream(portB, "kill-cam")) {
                await().until(() -> MetricsText.value(Http.metrics(portB), "framewire_tracks_handed_over_total") == 1);
                walk(cam, face, 0.52, 0.9, noise); // out of the door
                walk(cam, face, 0.9, 0.9, noise); // turns round
                walk(cam, face, 0.9, 0.1, noise); // through it again
            }
            try {
                await().until(() -> hooked.size() >= 4 && mqtt.size() >= 4 && ZoneEventsServerTest.redisEvents(redis).size() >= 4);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("webhook " + hooked + "\nmqtt " + mqtt + "\nredis " + ZoneEventsServerTest.redisEvents(redis)
                        + "\nA:\n" + Files.readString(logA) + "\nB:\n" + Files.readString(logB), e);
            }
            List<String> ids = null;
            for (List<String> sink : List.of(List.copyOf(hooked), List.copyOf(mqtt), ZoneEventsServerTest.redisEvents(redis))) {
                List<JsonNode> events = new ArrayList<>();
                for (String s : sink) {
                    events.add(JSON.readTree(s));
                }
                assertThat(events).as(sink.toString()).extracting(e -> e.path("type").asText())
                        .containsExactly("enter", "leave", "enter", "leave");
                List<String> these = events.stream().map(e -> e.path("id").asText()).toList();
                assertThat(these).doesNotHaveDuplicates();
                assertThat(events.get(1).path("track").asInt()).as("B continued A's track: the leave of A's enter")
                        .isEqualTo(events.get(0).path("track").asInt());
                if (ids != null) {
                    assertThat(these).as("the same events on every sink").isEqualTo(ids);
                }
                ids = these;
            }
            // stream:epoch:track:zone:type:n: each leave closes its enter; one epoch over both hosts (B took A's on);
            // the way back may be a new track (a starved machine can lose a face that stops and turns round)
            assertThat(ids.get(0)).endsWith(":door:enter:1");
            assertThat(ids.get(1)).isEqualTo(ids.get(0).replace(":enter:", ":leave:"));
            assertThat(ids.get(3)).isEqualTo(ids.get(2).replace(":enter:", ":leave:"));
            assertThat(ids).extracting(id -> id.split(":")[1]).containsOnly(ids.get(0).split(":")[1]);
            try (Jedis j = redis.client()) {
                assertThat(j.get(Events.stateKey("kill-cam"))).as("the state B left").startsWith("z1 ");
            }
            // the first enter's frame, kept by A, which is dead: B serves it from Redis
            JsonNode first = JSON.readTree(hooked.getFirst());
            try (java.net.http.HttpClient c = java.net.http.HttpClient.newHttpClient()) {
                java.net.http.HttpResponse<byte[]> snap = c.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                        "http://127.0.0.1:" + portB + first.path("snapshot").asText())).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
                assertThat(snap.statusCode()).as("A's snapshot from B").isEqualTo(200);
                assertThat(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(snap.body())).getWidth()).isEqualTo(640);
            }
            sub.disconnect();
        } finally {
            receiver.stop(0);
            for (Process p : new Process[] {a, b}) {
                if (p != null) {
                    p.destroyForcibly().waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        }
    }

    /** The face's speed across the picture: 15 % of its width a second (a walk, at 640 px wide). */
    private static final double SPEED = 0.15;

    /**
     * The face walks from {@code from} to {@code to} (fractions of the width) in real time, as in front
     * of a camera: where it is in a frame depends on when the frame is taken, not on how many the
     * server had time for (a starved test machine answers some frames late). At most 15 frames a second,
     * each answered before the next; standing ({@code from == to}) lasts a second.
     */
    private static void walk(WsClient cam, BufferedImage face, double from, double to, Random noise) throws Exception {
        long nanos = from == to ? 1_000_000_000L : (long) (Math.abs(to - from) / SPEED * 1e9);
        long start = System.nanoTime();
        for (long t = 0; t < nanos; t = System.nanoTime() - start) {
            long frameAt = System.nanoTime();
            cam.send(ZoneEventsServerTest.frame(face, from + (to - from) * t / nanos, noise));
            cam.next(WAIT);
            java.util.concurrent.locks.LockSupport.parkNanos(66_666_666L - (System.nanoTime() - frameAt));
        }
    }

    /** A's snapshot of the stream's tracks ({@code t1 NEXT id,label,score,age,cx,cy,w,h,vx,vy,vw,vh ...}) has one standing still. */
    private static boolean standing(RedisServer redis) {
        try (Jedis j = redis.client()) {
            String s = j.get("fw:{kill-cam}:tracks");
            if (s == null) {
                return false;
            }
            String[] parts = s.trim().split(" ");
            for (int i = 2; i < parts.length; i++) {
                String[] f = parts[i].split(",");
                if (f.length == 12 && Math.abs(Double.parseDouble(f[8])) < 15) {
                    return true;
                }
            }
            return false;
        }
    }

}
