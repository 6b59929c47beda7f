package io.framewire.state;

import static io.framewire.testing.MetricsText.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.protocol.CloseCodes;
import io.framewire.server.FramewireServer;
import io.framewire.testing.Http;
import io.framewire.testing.RedisServer;
import io.framewire.testing.ServerExtension;
import io.framewire.testing.TestData;
import io.framewire.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * Issue #25 F5: a fleet that rebalances. Real servers share a real redis-server; real WebSocket
 * cameras follow the client contract (1001: reconnect at once) through a stand-in for NGINX's
 * consistent hash: each camera goes to the first live host of its own ring order. A host leaves (its
 * cameras move to the next host), comes back, and gets its streams back: one planned bounce per
 * camera, every frame a host accepted answered, totals intact across the three connections.
 */
class RebalanceTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final byte[] FRAME = TestData.messi();
    private static RedisServer redis;

    @RegisterExtension
    final ServerExtension servers = new ServerExtension();
    private final Map<String, FramewireServer> up = new ConcurrentHashMap<>(); // the balancer's live hosts
    private final List<Camera> cameras = new ArrayList<>();

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    @AfterEach
    void stopCameras() throws Exception {
        for (Camera c : cameras) {
            c.stop();
        }
    }

    /** Short delay and window: the balancer here routes to a host as soon as it started. */
    private FramewireServer host(String id, String window) throws Exception {
        return servers.start("detector", "none", "workers", "1", "redis", redis.url(), "host.id", id,
                "redis.rebalanceDelayMs", "200", "redis.rebalanceWindowMs", window);
    }

    /** One connection of a camera: where, what it sent, what it got back, how it ended. */
    static final class Connection {
        final String host;
        volatile int sent;
        volatile int results;
        volatile long dropped;
        final List<Long> seqs = new CopyOnWriteArrayList<>();
        volatile WsClient.Close close;

        Connection(String host) {
            this.host = host;
        }
    }

    /** A camera: one frame at a time, the next once the last is answered; on a close it reconnects as the contract says. */
    final class Camera {
        final String id;
        final List<String> ring; // the balancer's order of hosts for this camera's stream id
        final List<Connection> connections = new CopyOnWriteArrayList<>();
        volatile boolean running = true;
        final Thread thread;

        Camera(String id, String... ring) {
            this.id = id;
            this.ring = List.of(ring);
            cameras.add(this);
            thread = Thread.ofVirtual().name("camera-" + id).start(this::run);
        }

        Connection current() {
            return connections.isEmpty() ? null : connections.get(connections.size() - 1);
        }

        /** On {@code host} with a few results there. */
        boolean servedBy(String host) {
            Connection c = current();
            return c != null && c.host.equals(host) && c.close == null && c.results >= 3;
        }

        private void run() {
            while (running) {
                String host = ring.stream().filter(up::containsKey).findFirst().orElse(null);
                WsClient client;
                try {
                    client = WsClient.stream(up.get(host).port(), id);
                } catch (Exception e) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // a refused upgrade: backoff
                    continue;
                }
                Connection conn = new Connection(host);
                connections.add(conn);
                try (client) {
                    publish(client, conn);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        private void publish(WsClient client, Connection conn) throws Exception {
            while (running && client.closeIfClosed() == null) {
                try {
                    client.send(FRAME);
                } catch (Exception e) {
                    break; // closed meanwhile
                }
                conn.sent++;
                JsonNode m = null;
                while (m == null && client.closeIfClosed() == null) {
                    m = client.poll(Duration.ofMillis(50));
                }
                if (m == null) {
                    m = client.poll(Duration.ZERO); // answered just before the close
                }
                if (m != null && m.path("type").asText().equals("result")) {
                    conn.results++;
                    conn.dropped += m.path("dropped").asLong();
                    conn.seqs.add(m.path("seq").asLong());
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            conn.close = running ? client.awaitClose(WAIT) : null;
        }

        void stop() throws Exception {
            running = false;
            thread.join(WAIT.toMillis());
        }

        long resultsInAll() {
            return connections.stream().mapToLong(c -> c.results).sum();
        }
    }

    @Test
    void theStreamsThatMovedGoBackToTheHostThatReturnsOncePerCameraWithTheirCountsIntact() throws Exception {
        up.put("A", host("A", "1000"));
        up.put("B", host("B", "1000"));
        List<Camera> ofA = List.of(new Camera("f5-a1", "A", "B"), new Camera("f5-a2", "A", "B"), new Camera("f5-a3", "A", "B"));
        Camera ofB = new Camera("f5-b1", "B", "A");
        await().atMost(WAIT).until(() -> ofA.stream().allMatch(c -> c.servedBy("A")) && ofB.servedBy("B"));

        FramewireServer a = up.remove("A"); // the balancer takes A out, then it drains: its cameras move to B
        servers.close(a);
        await().atMost(WAIT).until(() -> ofA.stream().allMatch(c -> c.servedBy("B")));

        FramewireServer b = up.get("B");
        up.put("A", host("A", "1000")); // A returns (a new process, the same host id)
        await().atMost(WAIT).until(() -> ofA.stream().allMatch(c -> c.servedBy("A")));

        for (Camera c : ofA) {
            assertThat(c.connections).extracting(x -> x.host).as(c.id).containsExactly("A", "B", "A");
            assertThat(c.connections.get(0).close.code()).isEqualTo(CloseCodes.GOING_AWAY);
            assertThat(c.connections.get(0).close.reason()).isEqualTo(CloseCodes.SHUTTING_DOWN);
            assertThat(c.connections.get(1).close.code()).as("one planned bounce").isEqualTo(CloseCodes.GOING_AWAY);
            assertThat(c.connections.get(1).close.reason()).isEqualTo(CloseCodes.REBALANCING + "A");
        }
        assertThat(ofB.connections).as("a stream that never moved stays").hasSize(1);
        assertThat(ofB.current().close).isNull();
        String metrics = Http.metrics(b.port());
        assertThat(value(metrics, "framewire_streams_handed_back_total")).isEqualTo(3);
        assertThat(value(metrics, "framewire_streams_handed_back_returned_total")).isZero();

        for (Camera c : ofA) {
            for (Connection conn : c.connections.subList(0, 2)) {
                // a drain answers every frame it accepted: at most the one sent after it began goes unanswered
                assertThat(conn.seqs).as("%s on %s: results in seq order, from 0, no hole", c.id, conn.host)
                        .isEqualTo(java.util.stream.LongStream.range(0, conn.seqs.size()).boxed().toList());
                assertThat(conn.sent - conn.results - conn.dropped).as("%s on %s: unanswered", c.id, conn.host)
                        .isBetween(0L, 1L);
            }
        }
        for (Camera c : cameras) {
            c.stop(); // the client's own close: final counts go to Redis
        }
        try (Jedis j = redis.client()) {
            for (Camera c : cameras) {
                await().atMost(WAIT).untilAsserted(() -> assertThat(j.hget(Keys.totals(c.id), "processed"))
                        .as("%s: totals across its connections", c.id).isEqualTo(Long.toString(c.resultsInAll())));
            }
        }
    }
}
