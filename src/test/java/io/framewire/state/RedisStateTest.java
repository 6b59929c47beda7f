package io.framewire.state;

import static io.framewire.testing.Waits.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framewire.server.FramewireServer;
import io.framewire.testing.Http;
import io.framewire.testing.MetricsText;
import io.framewire.testing.RedisServer;
import io.framewire.testing.ServerExtension;
import io.framewire.testing.TestData;
import io.framewire.testing.Waits;
import io.framewire.testing.WsClient;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.params.XAddParams;

/** Shared state through a real redis-server: records, takeover, resume, watchers, outages. */
class RedisStateTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger HOSTS = new AtomicInteger();
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

    private FramewireServer server(RedisServer r, String hostId, String... more) throws Exception {
        List<String> kv = new ArrayList<>(List.of("detector", "none", "workers", "1", "redis", r.url(), "host.id", hostId));
        kv.addAll(List.of(more));
        return servers.start(kv.toArray(String[]::new));
    }

    private static String hostId(String name) {
        return name + "-" + HOSTS.incrementAndGet();
    }

    private static Map<String, String> hash(RedisServer r, String key) {
        try (Jedis j = r.client()) {
            return j.hgetAll(key);
        }
    }

    /** Sends {@code n} frames, each answered before the next. */
    private static List<JsonNode> publish(WsClient client, int n) throws Exception {
        List<JsonNode> results = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            client.send(TestData.messi());
            JsonNode r = client.next(WAIT);
            assertThat(r.path("type").asText()).isEqualTo("result");
            results.add(r);
        }
        return results;
    }

    @Test
    void recordsDescribeStreamsAndHostsAndExpireWithThem() throws Exception {
        String host = hostId("rec");
        FramewireServer a = server(redis, host, "redis.recordTtlMs", "4000");
        long before = System.currentTimeMillis();
        try (WsClient cam = WsClient.stream(a.port(), "rec-1")) {
            publish(cam, 5);
            Map<String, String> rec = Waits.until(() -> hash(redis, "fw:{rec-1}:stream"),
                    h -> "5".equals(h.get("received")) && "5".equals(h.get("processed")));
            assertThat(rec).containsEntry("stream", "rec-1").containsEntry("owner", host)
                    .containsEntry("received", "5").containsEntry("processed", "5").containsEntry("dropped", "0");
            assertThat(rec.get("client")).contains("127.0.0.1");
            assertThat(Long.parseLong(rec.get("connected_at"))).isBetween(before - 1000, System.currentTimeMillis());
            assertThat(Long.parseLong(rec.get("last_frame_at"))).isGreaterThanOrEqualTo(Long.parseLong(rec.get("connected_at")));
            assertThat(rec.get("first_seen")).isEqualTo(rec.get("connected_at"));
            try (Jedis j = redis.client()) {
                assertThat(j.pttl("fw:{rec-1}:stream")).isBetween(1L, 4000L);
                assertThat(j.zscore("fw:hosts", host)).isNotNull();
            }
            Map<String, String> h = Waits.until(() -> hash(redis, "fw:host:" + host), m -> "1".equals(m.get("streams")));
            assertThat(h).containsEntry("id", host).containsEntry("streams", "1").containsEntry("capacity", "2000")
                    .containsKeys("address", "version", "heartbeat", "started_at");
            assertThat(Long.parseLong(h.get("heartbeat"))).isGreaterThan(System.currentTimeMillis() - 5000);
        }
        // A clean disconnect removes the live record; the totals stay for a resume.
        Map<String, String> gone = Waits.until(() -> hash(redis, "fw:{rec-1}:stream"), Map::isEmpty);
        assertThat(gone).isEmpty();
        assertThat(hash(redis, "fw:{rec-1}:totals")).containsEntry("received", "5").containsEntry("processed", "5");
        // A host that dies without a word: its records expire (TTL), nobody deletes them.
        try (Jedis j = redis.client()) {
            j.hset("fw:{ghost}:stream", Map.of("owner", "dead-host"));
            j.pexpire("fw:{ghost}:stream", 300);
        }
        assertThat(Waits.until(() -> hash(redis, "fw:{ghost}:stream"), Map::isEmpty)).isEmpty();
    }

    @Test
    void newestConnectionWinsAcrossHosts() throws Exception {
        String hostA = hostId("a");
        String hostB = hostId("b");
        FramewireServer a = server(redis, hostA);
        FramewireServer b = server(redis, hostB);
        try (WsClient onA = WsClient.stream(a.port(), "cam-x")) {
            publish(onA, 1);
            Waits.until(() -> hash(redis, "fw:{cam-x}:stream"), m -> hostA.equals(m.get("owner")));
            try (WsClient onB = WsClient.stream(b.port(), "cam-x")) {
                WsClient.Close close = onA.awaitClose(WAIT);
                assertThat(close.code()).isEqualTo(4000);
                assertThat(close.reason()).contains("replaced");
                assertThat(publish(onB, 1).get(0).path("seq").asLong()).isZero();
                assertThat(Waits.until(() -> hash(redis, "fw:{cam-x}:stream"), m -> hostB.equals(m.get("owner"))))
                        .containsEntry("owner", hostB);
                assertThat(Waits.until(a::activeStreams, n -> n == 0)).isZero();
                assertThat(onB.isOpen()).as("the newest publisher stays").isTrue();
                assertThat(b.activeStreams()).isEqualTo(1);
            }
        }
    }

    @Test
    void countersAndFirstSeenResumeOnAnotherHost() throws Exception {
        FramewireServer a = server(redis, hostId("a"));
        FramewireServer b = server(redis, hostId("b"));
        try (WsClient onA = WsClient.stream(a.port(), "resume-1")) {
            publish(onA, 3);
        }
        Map<String, String> totals = Waits.until(() -> hash(redis, "fw:{resume-1}:totals"),
                m -> "3".equals(m.get("received")));
        assertThat(totals).containsEntry("received", "3");
        String firstSeen = totals.get("first_seen");
        try (WsClient onB = WsClient.stream(b.port(), "resume-1")) {
            publish(onB, 2);
            Map<String, String> rec = Waits.until(() -> hash(redis, "fw:{resume-1}:stream"),
                    m -> "5".equals(m.get("received")));
            assertThat(rec).containsEntry("received", "5").containsEntry("processed", "5")
                    .containsEntry("first_seen", firstSeen);
            assertThat(Long.parseLong(rec.get("connected_at"))).isGreaterThan(Long.parseLong(firstSeen));
        }
    }

    /** Publishes until the watcher gets results (a first watcher starts within about a second); the last it got. */
    private static JsonNode untilWatched(WsClient cam, WsClient watcher) {
        List<JsonNode> got = Waits.await().until(() -> {
            publish(cam, 1);
            return watcher.drain(Duration.ofMillis(50)); // what came so far; later ones stay queued in order
        }, g -> !g.isEmpty());
        long first = got.get(0).path("seq").asLong();
        for (int i = 0; i < got.size(); i++) {
            assertThat(got.get(i).path("seq").asLong()).as("consecutive once started").isEqualTo(first + i);
        }
        return got.get(got.size() - 1);
    }

    private static long updatedAt(String stream) {
        return Long.parseLong(hash(redis, "fw:{" + stream + "}:stream").getOrDefault("updated_at", "0"));
    }

    private static long redisMillis(RedisServer r) {
        try (Jedis j = r.client()) {
            List<String> t = j.time();
            return Long.parseLong(t.get(0)) * 1000 + Long.parseLong(t.get(1)) / 1000;
        }
    }

    @Test
    void watcherOnOneHostFollowsAStreamPublishedToAnotherAndCatchesUpAfterReconnecting() throws Exception {
        FramewireServer a = server(redis, hostId("a"));
        FramewireServer b = server(redis, hostId("b"));
        URI watch = URI.create("ws://127.0.0.1:" + b.port() + "/ws/watch/w-1");
        try (WsClient cam = WsClient.stream(a.port(), "w-1")) {
            publish(cam, 2); // nobody watches yet: not kept
            String lastSeen;
            long lastSeq;
            try (WsClient watcher = new WsClient(watch)) {
                assertThat(watcher.next(WAIT).path("type").asText()).isEqualTo("watching");
                long first = untilWatched(cam, watcher).path("seq").asLong();
                assertThat(first).as("a never-watched stream: from live results").isGreaterThanOrEqualTo(2);
                publish(cam, 4);
                List<JsonNode> got = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    got.add(watcher.next(WAIT));
                }
                assertThat(got).extracting(r -> r.path("seq").asLong())
                        .containsExactly(first + 1, first + 2, first + 3, first + 4);
                assertThat(got).allSatisfy(r -> {
                    assertThat(r.path("type").asText()).isEqualTo("result");
                    assertThat(r.path("stream").asText()).isEqualTo("w-1");
                    assertThat(r.path("entry").asText()).matches("\\d+-\\d+");
                });
                lastSeen = got.get(3).path("entry").asText();
                lastSeq = got.get(3).path("seq").asLong();
            }
            // Missed by the watcher. Host A rewrites its record (and re-reads the marker) after the
            // watcher left: the stream stays watched for the retention, so the gap is kept.
            long left = redisMillis(redis);
            AtomicInteger published = new AtomicInteger();
            Waits.await().pollInterval(Duration.ofMillis(100)).until(() -> {
                publish(cam, 1);
                published.incrementAndGet();
                return updatedAt("w-1") > left;
            });
            int gap = published.get();
            assertThat(updatedAt("w-1")).as("host A re-read the marker").isGreaterThan(left);
            publish(cam, 3);
            gap += 3;
            try (WsClient again = new WsClient(URI.create(watch + "?last=" + lastSeen))) {
                JsonNode hello = again.next(WAIT);
                assertThat(hello.path("type").asText()).isEqualTo("watching");
                assertThat(hello.path("from").asText()).isEqualTo(lastSeen);
                List<Long> seqs = new ArrayList<>();
                List<Long> expected = new ArrayList<>();
                for (int i = 1; i <= gap; i++) {
                    seqs.add(again.next(WAIT).path("seq").asLong());
                    expected.add(lastSeq + i);
                }
                assertThat(seqs).as("the gap, in order").isEqualTo(expected);
                publish(cam, 1);
                assertThat(again.next(WAIT).path("seq").asLong()).as("then live").isEqualTo(lastSeq + gap + 1);
                publish(cam, 1); // a marker: anything sent twice would arrive before it
                assertThat(again.next(WAIT).path("seq").asLong()).as("nothing twice").isEqualTo(lastSeq + gap + 2);
            }
        }
    }

    @Test
    void onlyWatchedStreamsAreAppendedToRedis() throws Exception {
        FramewireServer a = server(redis, hostId("a"));
        FramewireServer b = server(redis, hostId("b"));
        try (WsClient quiet = WsClient.stream(a.port(), "unw-1"); WsClient seen = WsClient.stream(a.port(), "wat-1");
             WsClient watcher = new WsClient(URI.create("ws://127.0.0.1:" + b.port() + "/ws/watch/wat-1"))) {
            assertThat(watcher.next(WAIT).path("type").asText()).isEqualTo("watching");
            long last = untilWatched(seen, watcher).path("seq").asLong();
            publish(quiet, 5);
            publish(seen, 5);
            for (int i = 1; i <= 5; i++) {
                assertThat(watcher.next(WAIT).path("seq").asLong()).isEqualTo(last + i);
            }
            assertThat(Waits.until(() -> metricsUnchecked(a), m -> m.contains("framewire_redis_watched_streams 1.0")))
                    .as("one of host A's two streams is watched").contains("framewire_redis_watched_streams 1.0");
            try (Jedis j = redis.client()) {
                assertThat(j.exists("fw:{unw-1}:results")).as("an unwatched stream costs no XADD").isFalse();
                assertThat(j.exists("fw:{unw-1}:watched")).isFalse();
                assertThat(j.xlen("fw:{wat-1}:results")).isGreaterThanOrEqualTo(6);
                assertThat(j.pttl("fw:{wat-1}:watched")).as("marked for the retention").isBetween(1L, 86_400_000L);
            }
            assertThat(Waits.until(() -> {
                try (Jedis j = redis.client()) {
                    return j.pttl("fw:{wat-1}:results");
                }
            }, ttl -> ttl > 0)).as("results expire with the retention").isPositive();
        }
    }

    @Test
    void aWatchedStreamThatMovesToAnotherHostLosesNoResults() throws Exception {
        FramewireServer a = server(redis, hostId("a"));
        FramewireServer b = server(redis, hostId("b"));
        try (WsClient watcher = new WsClient(URI.create("ws://127.0.0.1:" + a.port() + "/ws/watch/mv-1"))) {
            assertThat(watcher.next(WAIT).path("type").asText()).isEqualTo("watching");
            try (WsClient onA = WsClient.stream(a.port(), "mv-1")) {
                untilWatched(onA, watcher);
                // Host B learns that the stream is watched with its first record write; results that
                // come before it are held, not dropped. Pausing Redis' writes delays that write.
                try (Jedis j = redis.client()) {
                    j.sendCommand(Protocol.Command.CLIENT, "PAUSE", "700", "WRITE");
                }
                try (WsClient onB = WsClient.stream(b.port(), "mv-1")) {
                    publish(onB, 3);
                    assertThat(onA.awaitClose(WAIT).code()).isEqualTo(4000);
                    List<JsonNode> got = List.of(watcher.next(WAIT), watcher.next(WAIT), watcher.next(WAIT));
                    assertThat(got).extracting(r -> r.path("seq").asLong()).containsExactly(0L, 1L, 2L);
                }
            }
        }
    }

    @Test
    void manyWatchersShareOneReader() throws Exception {
        FramewireServer a = server(redis, hostId("a"));
        List<WsClient> watchers = new ArrayList<>();
        try (WsClient cam1 = WsClient.stream(a.port(), "many-1"); WsClient cam2 = WsClient.stream(a.port(), "many-2")) {
            for (int i = 0; i < 40; i++) {
                WsClient w = new WsClient(URI.create("ws://127.0.0.1:" + a.port() + "/ws/watch/many-" + (1 + i % 2)));
                watchers.add(w);
                assertThat(w.next(WAIT).path("type").asText()).isEqualTo("watching");
            }
            int before = Thread.activeCount();
            publish(cam1, 3);
            publish(cam2, 3);
            for (int i = 0; i < watchers.size(); i++) {
                String stream = "many-" + (1 + i % 2);
                for (long seq = 0; seq < 3; seq++) {
                    JsonNode r = watchers.get(i).next(WAIT);
                    assertThat(r.path("stream").asText()).isEqualTo(stream);
                    assertThat(r.path("seq").asLong()).isEqualTo(seq);
                }
            }
            assertThat(Thread.activeCount()).as("no platform thread per watcher").isLessThan(before + 5);
        } finally {
            for (WsClient w : watchers) {
                w.close();
            }
        }
    }

    @Test
    void publishersKeepGoingThroughARedisCrashAndTheRecordsAreReconciled() throws Exception {
        try (RedisServer own = RedisServer.start()) {
            String host = hostId("crash");
            FramewireServer a = server(own, host, "redis.publishQueue", "16");
            try (WsClient cam = WsClient.stream(a.port(), "crash-1");
                 WsClient watcher = new WsClient(URI.create("ws://127.0.0.1:" + a.port() + "/ws/watch/crash-1"))) {
                assertThat(watcher.next(WAIT).path("type").asText()).isEqualTo("watching"); // watched: results go to Redis
                publish(cam, 3);
                Waits.until(() -> hash(own, "fw:{crash-1}:stream"), m -> "3".equals(m.get("received")));
                assertThat(readiness(a).path("checks").path("redis").asText()).isEqualTo("up");

                own.kill();
                publish(cam, 4);
                JsonNode ready = Waits.until(() -> readiness(a), r -> "degraded".equals(r.path("checks").path("redis").asText()));
                assertThat(ready.path("checks").path("redis").asText()).isEqualTo("degraded");
                assertThat(ready.path("ready").asBoolean()).as("a Redis outage does not take the host out").isTrue();
                assertThat(Http.metrics(a.port())).contains("framewire_redis_up 0.0");
                publish(cam, 26); // 30 frames while Redis is down, every one answered

                own.restart(); // empty: everything Redis knew is gone
                publish(cam, 2);
                // Reconciled: the record is back, and the totals hold every frame Redis did not see.
                Map<String, String> rec = Waits.until(() -> hash(own, "fw:{crash-1}:stream"),
                        m -> "32".equals(m.get("received")));
                assertThat(rec).containsEntry("owner", host).containsEntry("received", "32").containsEntry("processed", "32");
                assertThat(Waits.until(() -> readiness(a), r -> "up".equals(r.path("checks").path("redis").asText()))
                        .path("checks").path("redis").asText()).isEqualTo("up");
                assertThat(Waits.until(() -> hash(own, "fw:host:" + host), m -> !m.isEmpty())).containsEntry("id", host);
                assertThat(cam.isOpen()).as("the publisher never noticed").isTrue();
                String text = Http.metrics(a.port());
                assertThat(text).contains("framewire_redis_up 1.0").doesNotContain("framewire_redis_errors_total 0.0")
                        .as("the publish queue (16) overflowed during the outage")
                        .doesNotContain("framewire_redis_results_dropped_total 0.0")
                        .contains("framewire_redis_results_dropped_total");
            }
        }
    }

    @Test
    void afterRedisLosesItsDataTheWatcherIsFedAgainWithinSecondsAndWhatItMissedIsCounted() throws Exception {
        try (RedisServer own = RedisServer.start()) {
            FramewireServer a = server(own, hostId("a"));
            FramewireServer b = server(own, hostId("b"));
            try (WsClient cam = WsClient.stream(a.port(), "f2-1");
                 WsClient watcher = new WsClient(URI.create("ws://127.0.0.1:" + b.port() + "/ws/watch/f2-1"))) {
                assertThat(watcher.next(WAIT).path("type").asText()).isEqualTo("watching");
                long last = untilWatched(cam, watcher).path("seq").asLong();
                try (Jedis j = own.client()) {
                    j.flushAll(); // a failover to an empty replica looks the same to the hosts
                }
                long lost = System.nanoTime();
                // one frame at a time, each answered: no frame is dropped, so every gap is a lost result
                long sent = 0;
                List<JsonNode> back = new ArrayList<>();
                while (back.isEmpty()) {
                    assertThat(Duration.ofNanos(System.nanoTime() - lost)).as("fed again within seconds").isLessThan(Duration.ofSeconds(5));
                    publish(cam, 1);
                    sent++;
                    back.addAll(watcher.drain(Duration.ofMillis(50)));
                }
                // Host A appends nothing from the moment its records write finds the marker gone until
                // host B has written it again: none, or a few, depending on which of the two came first.
                long missed = back.get(0).path("seq").asLong() - last - 1;
                assertThat(missed).as("results published while the marker was gone").isBetween(0L, sent - 1);
                assertThat(metric(b, "framewire_watch_results_missed_total")).as("counted on the watcher's host, exactly")
                        .isEqualTo((double) missed);
                assertThat(Waits.until(() -> metric(a, "framewire_redis_watched_streams"), n -> n == 1.0))
                        .as("host A appends again").isEqualTo(1.0);
            }
        }
    }

    @Test
    void resultsThatNeverReachedTheWatchReaderAreCountedAndOnesAppendedTwiceGoOutOnce() throws Exception {
        FramewireServer b = server(redis, hostId("b"));
        try (WsClient watcher = new WsClient(URI.create("ws://127.0.0.1:" + b.port() + "/ws/watch/gap-1"))) {
            assertThat(watcher.next(WAIT).path("type").asText()).isEqualTo("watching");
            Waits.until(() -> {
                try (Jedis j = redis.client()) {
                    return j.exists("fw:{gap-1}:watched");
                }
            }, marked -> marked);
            // as a publishing host appends them: seq 3 and 4 never appended, one frame of the gap
            // accounted for by the next result's dropped, seq 6 appended twice (a retry after a lost
            // reply), then a new connection of the camera (seq 0)
            long[][] seqDropped = {{0, 0}, {1, 0}, {2, 0}, {5, 1}, {6, 0}, {0, 0}, {1, 0}};
            try (Jedis j = redis.client()) {
                for (long[] m : new long[][] {{0, 0}, {1, 0}, {2, 0}, {5, 1}, {6, 0}, {6, 0}, {0, 0}, {1, 0}}) {
                    j.xadd("fw:{gap-1}:results", XAddParams.xAddParams(),
                            Map.of(ResultsPublisher.FIELD, "{\"type\":\"result\",\"stream\":\"gap-1\",\"seq\":" + m[0] + ",\"width\":1,"
                                    + "\"height\":1,\"dropped\":" + m[1] + ",\"gated\":false,\"detections\":[]}"));
                }
            }
            for (long[] m : seqDropped) {
                assertThat(watcher.next(WAIT).path("seq").asLong()).as("each once, in order").isEqualTo(m[0]);
            }
            assertThat(watcher.drain(Duration.ofMillis(300))).as("the second seq 6 never went out").isEmpty();
            assertThat(metric(b, "framewire_watch_results_missed_total")).as("seq 3 or 4: one").isEqualTo(1.0);
        }
    }

    @Test
    void aTakeoverMadeWhileRedisWasDownIsEnforcedWhenItReturns() throws Exception {
        try (RedisServer own = RedisServer.start()) {
            String hostB = hostId("b");
            FramewireServer a = server(own, hostId("a"));
            FramewireServer b = server(own, hostB);
            try (WsClient onA = WsClient.stream(a.port(), "split-1")) {
                publish(onA, 1);
                Waits.until(() -> hash(own, "fw:{split-1}:stream"), m -> !m.isEmpty());
                own.kill();
                try (WsClient onB = WsClient.stream(b.port(), "split-1")) {
                    publish(onB, 1);
                    publish(onA, 1);
                    assertThat(onA.isOpen()).as("no way to tell host A while Redis is down").isTrue();
                    own.restart();
                    WsClient.Close close = onA.awaitClose(WAIT);
                    assertThat(close.code()).isEqualTo(4000);
                    assertThat(close.reason()).contains("replaced");
                    assertThat(Waits.until(() -> hash(own, "fw:{split-1}:stream"), m -> hostB.equals(m.get("owner"))))
                            .containsEntry("owner", hostB);
                    assertThat(publish(onB, 1).get(0).path("seq").asLong()).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void resultsStreamsAreCapped() throws Exception {
        try (Jedis j = redis.client()) {
            j.set("fw:{cap-1}:watched", "1"); // as a watcher on some host would
        }
        FramewireServer a = server(redis, hostId("cap"), "results.maxLen", "10");
        try (WsClient cam = WsClient.stream(a.port(), "cap-1")) {
            publish(cam, 300);
            String newest = Waits.until(() -> {
                try (Jedis j = redis.client()) {
                    return j.xrevrange("fw:{cap-1}:results", "+", "-", 1).get(0).getFields().get("m");
                }
            }, m -> m.contains("\"seq\":299,"));
            assertThat(newest).contains("\"seq\":299,");
            try (Jedis j = redis.client()) {
                // MAXLEN ~ trims whole macro nodes (100 entries by default): about 10, not exactly
                assertThat(j.xlen("fw:{cap-1}:results")).isBetween(10L, 110L);
            }
        }
    }

    @Test
    void aHostStartsWithoutRedisAndCatchesUpWhenItAppears() throws Exception {
        try (RedisServer own = RedisServer.start()) {
            own.kill();
            String host = hostId("late");
            FramewireServer a = server(own, host);
            assertThat(readiness(a).path("checks").path("redis").asText()).isEqualTo("degraded");
            try (WsClient cam = WsClient.stream(a.port(), "late-1")) {
                publish(cam, 4);
                own.restart();
                publish(cam, 1);
                assertThat(Waits.until(() -> hash(own, "fw:{late-1}:stream"),
                        m -> "5".equals(m.get("received")))).containsEntry("owner", host).containsEntry("received", "5");
                assertThat(readiness(a).path("checks").path("redis").asText()).isEqualTo("up");
            }
        }
    }

    private static JsonNode readiness(FramewireServer s) {
        try {
            HttpResponse<String> r = Http.get(s.port(), "/readyz");
            assertThat(r.statusCode()).isEqualTo(200);
            return JSON.readTree(r.body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static double metric(FramewireServer s, String sample) {
        return MetricsText.value(metricsUnchecked(s), sample);
    }

    private static String metricsUnchecked(FramewireServer s) {
        try {
            return Http.metrics(s.port());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
