package io.framewire.events;

import static io.framewire.testing.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.framewire.metrics.Metrics;
import io.framewire.state.RedisCommands;
import io.framewire.state.RedisConfig;
import io.framewire.testing.Mosquitto;
import io.framewire.testing.RedisServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XReadGroupParams;

/** The Redis Streams and MQTT sinks against a real redis-server and a real mosquitto. */
class BrokerSinksTest {

    static RedisConfig redisConfig(String url) {
        return RedisConfig.parse(url, null, null, null, Duration.ofMillis(500), 1024, 64L << 20, Duration.ofSeconds(10),
                Duration.ofHours(1));
    }

    @Test
    void eventsGoToTheRedisStreamOncePerEventTrimmedAndSurviveARedisRestart() throws Exception {
        try (RedisServer redis = RedisServer.start(); Jedis reader = redis.client()) {
            Metrics metrics = new Metrics();
            RedisSink sink = new RedisSink(new RedisCommands(redisConfig(redis.url()), "test-sink", metrics), 1000, 5000,
                    new SinksTest.FakeTicker(null));
            sink.start(metrics);
            try {
                reader.xgroupCreate(RedisSink.KEY, "alarms", new StreamEntryID(0, 0), true);
                for (int i = 1; i <= 10; i++) {
                    sink.offer(SinksTest.event(i));
                }
                await().until(() -> reader.xlen(RedisSink.KEY) == 10);
                var read = reader.xreadGroup("alarms", "c1", XReadGroupParams.xReadGroupParams().count(100),
                        Map.of(RedisSink.KEY, StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY));
                var entries = read.getFirst().getValue();
                assertThat(entries).hasSize(10);
                assertThat(entries.getFirst().getFields()).containsOnlyKeys(RedisSink.FIELD);
                assertThat(entries.getFirst().getFields().get(RedisSink.FIELD)).isEqualTo(SinksTest.event(1).json());

                redis.kill(); // events made while Redis is down wait in the queue and go once it is back
                for (int i = 11; i <= 3000; i++) {
                    sink.offer(SinksTest.event(i));
                }
                redis.restart();
                try (Jedis again = redis.client()) {
                    // MAXLEN ~ 1000 trims in whole macro nodes: about 1000, never all 2,990
                    await().until(() -> sink.backlog() == 0);
                    long len = again.xlen(RedisSink.KEY);
                    assertThat(len).isBetween(1000L, 1200L);
                    var last = again.xrevrange(RedisSink.KEY, "+", "-", 1).getFirst();
                    assertThat(last.getFields().get(RedisSink.FIELD)).isEqualTo(SinksTest.event(3000).json());
                }
            } finally {
                sink.close();
            }
        }
    }

    @Test
    void eventsAndRetainedCountsGoToMosquitto() throws Exception {
        Mosquitto broker = Mosquitto.start();
        String url = broker.url();
        Metrics metrics = new Metrics();
        MqttSink sink = new MqttSink(url, "framewire-test", 100, 5, new SinksTest.FakeTicker(null));
        try {
            List<String> events = Collections.synchronizedList(new ArrayList<>());
            MqttClient live = broker.client("live");
            live.subscribe(MqttSink.EVENTS_TOPIC, 1, (topic, m) -> events.add(new String(m.getPayload(), StandardCharsets.UTF_8)));
            sink.start(metrics);
            Event enter = SinksTest.event(1);
            Event leave = new Event("cam-1:1:1:door:leave:1", "leave", "cam-1", "door", 1, "face", 0.9f, new int[] {1, 2, 3, 4},
                    640, 480, 1_700_000_000_500L, 0, 500, false);
            Event enter2 = new Event("cam-1:1:2:door:enter:1", "enter", "cam-1", "door", 2, "face", 0.8f, new int[] {1, 2, 3, 4},
                    640, 480, 1_700_000_000_600L, 1, 0, false);
            sink.offer(enter);
            sink.offer(leave);
            sink.offer(enter2);
            await().until(() -> events.size() == 3);
            assertThat(events).containsExactly(enter.json(), leave.json(), enter2.json());
            // a subscriber that comes later reads the zone's count at once (retained)
            Map<String, String> retained = new ConcurrentHashMap<>();
            MqttClient late = broker.client("late");
            late.subscribe("framewire/#", 1, (topic, m) -> {
                if (m.isRetained()) {
                    retained.put(topic, new String(m.getPayload(), StandardCharsets.UTF_8));
                }
            });
            await().until(() -> "1".equals(retained.get("framewire/cam-1/door/face")));
            live.disconnect();
            late.disconnect();
        } finally {
            sink.close();
            broker.close();
        }
    }

    /**
     * A takeover can trust fw:{ID}:zonestate: an event reaches a sink only after the state that holds
     * it is in Redis (a host killed between the two leaves a state whose event was not sent, never an
     * event sent whose state is not there). The sink reads the state as it delivers each event.
     */
    @Test
    void anEventReachesTheSinksOnlyAfterItsZoneStateIsInRedis() throws Exception {
        try (RedisServer redis = RedisServer.start(); Jedis reader = redis.client()) {
            Metrics metrics = new Metrics();
            List<String> seen = Collections.synchronizedList(new ArrayList<>());
            Sink recording = new Sink("recording", 100, 10, new SinksTest.FakeTicker(null), 1, 1) {
                @Override
                void deliver(List<Event> batch) {
                    for (Event e : batch) {
                        seen.add(e.type() + " " + reader.get(Events.stateKey("door-cam")));
                    }
                    batch.clear();
                }
            };
            EventsConfig c = new EventsConfig(null, 3, 5, Duration.ofSeconds(30), Duration.ofSeconds(1), 0, null, null, null,
                    100, 0, 0);
            try (Events events = new Events(c, new RedisCommands(redisConfig(redis.url()), "events", metrics), List.of(recording),
                    metrics)) {
                events.putZones("door-cam", """
                        {"zones":[{"name":"door","polygon":[[0.4,0.0],[0.6,0.0],[0.6,1.0],[0.4,1.0]]}]}""".getBytes(StandardCharsets.UTF_8));
                io.framewire.tracking.TrackListener cam = events.opened("door-cam");
                long now = System.nanoTime();
                for (double x = 0.2; x <= 0.8; x += 0.02) { // through the door
                    now += 66_666_667L;
                    io.framewire.tracking.Box b = new io.framewire.tracking.Box(x * 1000 - 20, 200, 40, 100);
                    cam.tracked(List.of(new io.framewire.tracking.Tracker.Observation("person", 0.9f, b)), new int[] {5}, 1000, 500,
                            null, now);
                }
                await().until(() -> seen.size() == 2);
            }
            // the state read may already be newer than the event (written once for a few passes), never older
            assertThat(seen.get(0)).as("the enter, sent once the state holds it").matches("enter z1 \\d+ 5,door,person,1,[01],.*");
            assertThat(seen.get(1)).as("the leave, sent once the state holds it").matches("leave z1 \\d+ 5,door,person,1,0,.*");
        }
    }

    /**
     * With a fleet, an event's snapshot is served by any host: host A keeps it and puts it in Redis,
     * host B (another Events on the same redis-server) finds it there. Redis holds at most
     * events.snapshotBytes of them, the oldest dropped first, each with a TTL.
     */
    @Test
    void snapshotsGoThroughRedisToEveryHostWithinTheirBytes() throws Exception {
        try (RedisServer redis = RedisServer.start(); Jedis reader = redis.client()) {
            Metrics metrics = new Metrics();
            List<Event> made = Collections.synchronizedList(new ArrayList<>());
            Sink recording = new Sink("recording", 100, 10, new SinksTest.FakeTicker(null), 1, 1) {
                @Override
                void deliver(List<Event> batch) {
                    made.addAll(batch);
                    batch.clear();
                }
            };
            EventsConfig c = new EventsConfig(null, 1, 1, Duration.ofSeconds(30), Duration.ofSeconds(1), 0, null, null, null,
                    100, 0, 2_500);
            try (Events a = new Events(c, new RedisCommands(redisConfig(redis.url()), "events-a", metrics), List.of(recording), metrics);
                 Events b = new Events(c, new RedisCommands(redisConfig(redis.url()), "events-b", new Metrics()), List.of(),
                         new Metrics())) { // another host: its own registry
                a.putZones("snap:cam", """
                        {"zones":[{"name":"door","polygon":[[0.4,0.0],[0.6,0.0],[0.6,1.0],[0.4,1.0]]}]}""".getBytes(StandardCharsets.UTF_8));
                io.framewire.tracking.TrackListener cam = a.opened("snap:cam");
                long now = System.nanoTime();
                for (int track = 1; track <= 5; track++) { // five people step into the door, one after another
                    byte[] frame = new byte[1_000];
                    java.util.Arrays.fill(frame, (byte) track);
                    now += 66_666_667L;
                    io.framewire.tracking.Box box = new io.framewire.tracking.Box(480, 200, 40, 100);
                    cam.tracked(List.of(new io.framewire.tracking.Tracker.Observation("person", 0.9f, box)), new int[] {track}, 1000, 500,
                            java.nio.ByteBuffer.wrap(frame), now);
                }
                await().until(() -> made.size() == 5 && reader.exists(Events.SNAPSHOT_PREFIX + made.get(4).id()));
                Snapshots.Snapshot last = b.snapshot(made.get(4).id());
                assertThat(last).as("host B serves host A's snapshot").isNotNull();
                assertThat(last.stream()).isEqualTo("snap:cam");
                assertThat(last.bytes()).hasSize(1_000).containsOnly((byte) 5);
                assertThat(b.snapshot(made.get(3).id()).bytes()).containsOnly((byte) 4);
                assertThat(b.snapshot(made.get(0).id())).as("dropped: Redis keeps 2,500 bytes of them").isNull();
                assertThat(Long.parseLong(reader.get(Events.SNAPSHOT_PREFIX + "bytes"))).isEqualTo(2_000);
                assertThat(reader.pttl(Events.SNAPSHOT_PREFIX + made.get(4).id())).isBetween(1L, Events.SNAPSHOT_TTL_MS);
                assertThat(b.snapshot("snap:cam:1:1:door:enter:9")).isNull();
                assertThat(b.snapshot("no-colons")).isNull();
            }
        }
        assertThat(Events.streamOf("a:b:c:1:2:door:enter:1")).isEqualTo("a:b:c");
    }
}
