package io.framewire.state;

import static io.framewire.testing.MetricsText.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.server.FramewireServer;
import io.framewire.testing.Http;
import io.framewire.testing.RedisServer;
import io.framewire.testing.ServerExtension;
import io.framewire.testing.TestData;
import io.framewire.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * Issue #13: with Redis, a stream's tracks follow it to the host that takes it over. Two real
 * servers with YuNet share one real redis-server; the publisher moves from one to the other.
 */
class TrackHandoverTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final byte[] MESSI = TestData.messi(); // one face
    private static RedisServer redis;

    @RegisterExtension
    final ServerExtension servers = new ServerExtension();

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    private FramewireServer yunet(String hostId) throws Exception {
        // gating off: every frame is a detector pass, so the default tracking.minHits (3) is reached by frame 3
        return servers.start("detector", "yunet", "model", TestData.yunet().toString(), "workers", "1",
                "gating.enabled", "false", "redis", redis.url(), "host.id", hostId);
    }

    private FramewireServer none(String hostId) throws Exception {
        return servers.start("detector", "none", "workers", "1", "redis", redis.url(), "host.id", hostId);
    }

    private static List<JsonNode> sendEach(WsClient client, int frames) throws Exception {
        List<JsonNode> results = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            client.send(MESSI);
            JsonNode r = client.next(WAIT);
            assertThat(r.path("type").asText()).as("%s", r).isEqualTo("result");
            results.add(r);
        }
        return results;
    }

    /**
     * Sends until the face has a track id and returns it: tracking.minHits (3) passes in a row, each
     * within tracking.maxAgeMs of the last, which a starved test machine may not give the first time.
     */
    private static int untilTracked(WsClient client) throws Exception {
        for (int i = 0; i < 20; i++) {
            JsonNode face = sendEach(client, 1).get(0).path("detections").get(0);
            if (face.has("track")) {
                return face.path("track").asInt();
            }
        }
        throw new AssertionError("no track id after 20 frames of one still face");
    }

    private static String tracksKey(String stream) {
        try (Jedis j = redis.client()) {
            return j.get("fw:{" + stream + "}:tracks");
        }
    }

    private static double handedOver(FramewireServer server) throws Exception {
        return value(Http.metrics(server.port()), "framewire_tracks_handed_over_total");
    }

    @Test
    void aStreamTakenOverByAnotherHostKeepsItsTrackIds() throws Exception {
        FramewireServer a = yunet("handover-a");
        FramewireServer b = yunet("handover-b");
        String stream = "handover-cam";
        try (WsClient onA = WsClient.stream(a.port(), stream)) {
            assertThat(sendEach(onA, 1).get(0).path("detections").get(0).has("track")).as("tentative on a fresh host").isFalse();
            int id = untilTracked(onA);
            assertThat(id).isPositive();
            await().atMost(WAIT).until(() -> tracksKey(stream) != null);
            assertThat(tracksKey(stream)).startsWith("t1 ").contains(" " + id + ",face,");
            try (Jedis j = redis.client()) {
                assertThat(j.pttl("fw:{" + stream + "}:tracks")).as("bounded by the record TTL").isBetween(1L, 10_000L);
            }
            assertThat(handedOver(a)).as("nothing to restore on the first connection").isZero();

            // the camera reconnects through the balancer to another host: a takeover
            try (WsClient onB = WsClient.stream(b.port(), stream)) {
                await().atMost(WAIT).until(() -> handedOver(b) == 1);
                JsonNode first = sendEach(onB, 1).get(0);
                assertThat(first.path("detections").size()).isEqualTo(1);
                assertThat(first.path("detections").get(0).path("track").asInt())
                        .as("the face keeps its id at once, without tracking.minHits passes on the new host").isEqualTo(id);
                assertThat(onA.awaitClose(WAIT).code()).as("the old connection was replaced").isEqualTo(4000);
                assertThat(sendEach(onB, 3)).allSatisfy(r ->
                        assertThat(r.path("detections").get(0).path("track").asInt()).isEqualTo(id));
            }
        }
    }

    @Test
    void aCleanReconnectToAnotherHostFindsTheLastTracksAndANewStreamFindsNone() throws Exception {
        FramewireServer a = yunet("handover-c");
        FramewireServer b = yunet("handover-d");
        String stream = "reconnect-cam";
        int id;
        try (WsClient onA = WsClient.stream(a.port(), stream)) {
            id = untilTracked(onA);
            assertThat(id).isPositive();
        }
        await().atMost(WAIT).until(() -> tracksKey(stream) != null);
        try (WsClient onB = WsClient.stream(b.port(), stream)) {
            await().atMost(WAIT).until(() -> handedOver(b) == 1);
            assertThat(sendEach(onB, 1).get(0).path("detections").get(0).path("track").asInt()).isEqualTo(id);
        }
        try (WsClient other = WsClient.stream(b.port(), "never-seen-cam")) {
            List<JsonNode> r = sendEach(other, 3);
            assertThat(r.get(0).path("detections").get(0).has("track")).as("no tracks to restore: tentative").isFalse();
            assertThat(handedOver(b)).isEqualTo(1);
        }
    }

    @Test
    void aStreamWithNothingToTrackWritesNoTracks() throws Exception {
        FramewireServer a = none("handover-none");
        String stream = "empty-cam";
        try (WsClient client = WsClient.stream(a.port(), stream)) {
            sendEach(client, 20);
            // the record is claimed (Redis is live for this stream) yet no tracks key appears
            await().atMost(WAIT).until(() -> {
                try (Jedis j = redis.client()) {
                    return j.exists("fw:{" + stream + "}:stream");
                }
            });
        }
        await().atMost(WAIT).until(() -> {
            try (Jedis j = redis.client()) {
                return !j.exists("fw:{" + stream + "}:stream"); // clean disconnect: the record went
            }
        });
        assertThat(tracksKey(stream)).isNull();
    }
}
