package io.framewire.state;

import static io.framewire.testing.Waits.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.framewire.metrics.Metrics;
import io.framewire.protocol.CloseCodes;
import io.framewire.testing.RedisServer;
import io.framewire.testing.Waits;
import java.time.Duration;
import java.time.Instant;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Issue 25 F1 with a real redis-server and two hosts' shared state: a connection accepted before
 * its host paused claims late, after the camera's newer connection on another host, and must lose.
 */
class FencingTest {

    /** A publishing connection as the shared state sees it; records how it was closed. */
    private static final class Connection implements Publisher {
        final String id;
        final Instant upgradedAt;
        volatile Integer closedWith;

        Connection(String id, Instant upgradedAt) {
            this.id = id;
            this.upgradedAt = upgradedAt;
        }

        @Override public String id() { return id; }
        @Override public Instant connectedAt() { return upgradedAt; }
        @Override public Instant lastFrameAt() { return null; }
        @Override public String remoteAddress() { return "127.0.0.1:1"; }
        @Override public long framesReceived() { return 0; }
        @Override public long framesProcessed() { return 0; }
        @Override public long framesDropped() { return 0; }
        @Override public void close(int code, String reason) { closedWith = code; }
    }

    private static RedisState host(RedisServer redis, String id) {
        RedisConfig config = RedisConfig.parse(redis.url(), null, null, null, Duration.ofMillis(500), 65_536, 64 << 20,
                Duration.ofSeconds(10), Duration.ofSeconds(300));
        RedisState state = new RedisState(config, ResultsLimits.ofLength(100), new Metrics());
        state.start(new HostInfo(id, "127.0.0.1:1", 10, "test", () -> 0));
        return state;
    }

    @Test
    void aConnectionAcceptedBeforeAPauseNeverReplacesTheNewerOne() throws Exception {
        try (RedisServer redis = RedisServer.start(); RedisState paused = host(redis, "paused"); RedisState live = host(redis, "live")) {
            Instant beforePause = Instant.now().minusSeconds(5); // accepted, then SIGSTOPped for 5 s
            Connection camera = new Connection("fence-1", Instant.now()); // the camera moved on
            live.opened(camera);
            try (Jedis j = redis.client()) {
                Waits.until(() -> j.hget(Keys.record("fence-1"), "owner"), "live"::equals);
            }
            Connection stale = new Connection("fence-1", beforePause);
            paused.opened(stale); // the paused host resumes and claims
            assertThat(Waits.until(() -> stale.closedWith, c -> c != null)).isEqualTo(CloseCodes.REPLACED);
            Awaitility.await().during(Duration.ofSeconds(1)).atMost(WAIT).until(() -> camera.closedWith == null);
            try (Jedis j = redis.client()) {
                assertThat(j.hget(Keys.record("fence-1"), "owner")).isEqualTo("live");
            }
        }
    }

    @Test
    void aNewerConnectionStillTakesOver() throws Exception {
        try (RedisServer redis = RedisServer.start(); RedisState a = host(redis, "a"); RedisState b = host(redis, "b")) {
            Connection old = new Connection("fence-2", Instant.now().minusSeconds(1));
            a.opened(old);
            try (Jedis j = redis.client()) {
                Waits.until(() -> j.hget(Keys.record("fence-2"), "owner"), "a"::equals);
                Connection newer = new Connection("fence-2", Instant.now());
                b.opened(newer);
                assertThat(Waits.until(() -> old.closedWith, c -> c != null)).isEqualTo(CloseCodes.REPLACED);
                assertThat(Waits.until(() -> j.hget(Keys.record("fence-2"), "owner"), "b"::equals)).isEqualTo("b");
                assertThat(newer.closedWith).isNull();
            }
        }
    }
}
