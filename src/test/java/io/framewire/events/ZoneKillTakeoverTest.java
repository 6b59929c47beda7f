package io.framewire.events;

import static io.framewire.testing.Waits.WAIT;
import static io.framewire.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
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
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        receiver.createContext("/hook", ex -> {
            hooked.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        List<String> mqtt = Collections.synchronizedList(new ArrayList<>());
        Process a = null;
        Process b = null;
        try (RedisServer redis = RedisServer.start(); Mosquitto broker = Mosquitto.start()) {
            MqttClient sub = broker.client("watcher");
            sub.subscribe("framewire/events", 1, (t, m) -> mqtt.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
            String[] common = {"--detector", "yunet", "--model", TestData.yunet().toString(), "--workers", "1",
                    "--gating.enabled", "false", "--redis", redis.url(), "--tracking.maxAgeMs", "3000",
                    "--events.webhook", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook",
                    "--events.webhookSecret", "0123456789abcdef", "--events.mqtt", broker.url()};
            Path logA = dir.resolve("a.log");
            Path logB = dir.resolve("b.log");
            a = server(logA, concat(common, "--host.id", "kill-a"));
            b = server(logB, concat(common, "--host.id", "kill-b"));
            int portA = ServerProcess.awaitPort(a, logA);
            int portB = ServerProcess.awaitPort(b, logB);
            assertThat(ZoneEventsServerTest.send("PUT", "http://127.0.0.1:" + portA + "/api/streams/kill-cam/zones", ZONE)
                    .statusCode()).isEqualTo(200);

            List<Double> path = new ArrayList<>();
            for (double x = 0.1; x < 0.9; x += 0.015) {
                path.add(x);
            }
            path.addAll(Collections.nCopies(10, 0.9)); // stops and turns round (the tracker's velocity settles)
            for (double x = 0.9; x > 0.1; x -= 0.015) {
                path.add(x);
            }
            int inside = path.indexOf(path.stream().filter(x -> x > 0.5).findFirst().orElseThrow());
            Random noise = new Random(9);
            BufferedImage face;
            try (WsClient cam = WsClient.stream(portA, "kill-cam")) {
                face = ZoneEventsServerTest.face(cam);
                ZoneEventsServerTest.walk(cam, face, path.subList(0, inside), noise);
                // the person stands in the door; meanwhile A's periodic track snapshot (every 0.5 s) catches up
                ZoneEventsServerTest.walk(cam, face, Collections.nCopies(12, path.get(inside)), noise);
                await().until(() -> redisEvents(redis).size() == 1);
                a.destroyForcibly(); // SIGKILL: nothing of A's runs after this
                assertThat(a.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
                assertThat(cam.awaitClose(WAIT).code()).as("the camera sees its host gone, without a close frame").isIn(-1, 1006);
            }
            try (WsClient cam = WsClient.stream(portB, "kill-cam")) {
                ZoneEventsServerTest.walk(cam, face, path.subList(inside, path.size()), noise);
            }
            try {
                await().until(() -> hooked.size() >= 4 && mqtt.size() >= 4 && redisEvents(redis).size() >= 4);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("webhook " + hooked + "\nmqtt " + mqtt + "\nredis " + redisEvents(redis)
                        + "\nA:\n" + Files.readString(logA) + "\nB:\n" + Files.readString(logB), e);
            }
            List<String> ids = null;
            for (List<String> sink : List.of(List.copyOf(hooked), List.copyOf(mqtt), redisEvents(redis))) {
                List<JsonNode> events = new ArrayList<>();
                for (String s : sink) {
                    events.add(JSON.readTree(s));
                }
                assertThat(events).as(sink.toString()).extracting(e -> e.path("type").asText())
                        .containsExactly("enter", "leave", "enter", "leave");
                List<String> these = events.stream().map(e -> e.path("id").asText()).toList();
                assertThat(these).doesNotHaveDuplicates();
                assertThat(events).extracting(e -> e.path("track").asInt()).as("B continued A's track").containsOnly(events.getFirst().path("track").asInt());
                if (ids != null) {
                    assertThat(these).as("the same events on every sink").isEqualTo(ids);
                }
                ids = these;
            }
            String prefix = ids.getFirst().replaceAll(":enter:1$", "");
            assertThat(ids).as("one epoch over both hosts")
                    .containsExactly(prefix + ":enter:1", prefix + ":leave:1", prefix + ":enter:2", prefix + ":leave:2");
            try (Jedis j = redis.client()) {
                assertThat(j.get(Events.stateKey("kill-cam"))).as("the state B left").startsWith("z1 ");
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

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static List<String> redisEvents(RedisServer redis) {
        try (Jedis j = redis.client()) {
            return j.xrange("fw:events", "-", "+").stream().map(e -> e.getFields().get("event")).toList();
        }
    }
}
