package io.framewire.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.framewire.metrics.Metrics;
import io.framewire.protocol.CloseCodes;
import io.framewire.testing.RedisServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Issue #25 F5, eviction and return, with a real redis-server and two hosts' shared state: a host
 * that goes away (hung, evicted) right after it joined must not get streams back while it is gone
 * (they would bounce straight back and stay), and gets them once it is back.
 */
class RebalanceHangTest {

    /** A publishing connection as the shared state sees it; records how it was closed. */
    private static final class Connection implements Publisher {
        final String id;
        final Instant upgradedAt = Instant.now();
        volatile Integer closedWith;
        volatile String reason;

        Connection(String id) {
            this.id = id;
        }

        @Override public String id() { return id; }
        @Override public Instant connectedAt() { return upgradedAt; }
        @Override public Instant lastFrameAt() { return null; }
        @Override public String remoteAddress() { return "127.0.0.1:1"; }
        @Override public long framesReceived() { return 0; }
        @Override public long framesProcessed() { return 0; }
        @Override public long framesDropped() { return 0; }
        @Override public void close(int code, String why) { reason = why; closedWith = code; }
    }

    /** Handbacks from 200 ms after a join, spread over 6 s. */
    private static RedisState host(RedisServer redis, String id) {
        RedisConfig config = RedisConfig.parse(redis.url(), null, null, null, Duration.ofMillis(500), 65_536, 64 << 20,
                Duration.ofSeconds(10), Duration.ofSeconds(300)).withRebalance(Duration.ofMillis(200), Duration.ofSeconds(6));
        RedisState state = new RedisState(config, ResultsLimits.ofLength(100), new Metrics());
        state.start(new HostInfo(id, "127.0.0.1:1", 10, "test", () -> 0));
        return state;
    }

    private static void until(Jedis j, String stream, String owner) {
        await().atMost(Duration.ofSeconds(20)).until(() -> owner.equals(j.hget(Keys.record(stream), "owner")));
    }

    /** Streams that start on {@code from}, then move to {@code to} while {@code from} is gone: their path names it. */
    private static List<Connection> moved(Jedis j, RedisServer redis, String from, RedisState to, String toId, String... ids) {
        try (RedisState first = host(redis, from)) {
            for (String id : ids) {
                first.opened(new Connection(id));
                until(j, id, from);
            }
        }
        List<Connection> there = new ArrayList<>();
        for (String id : ids) {
            Connection c = new Connection(id);
            to.opened(c);
            until(j, id, toId);
            there.add(c);
        }
        return there;
    }

    @Test
    void aHostThatGoesAwayRightAfterJoiningGetsNothingBackUntilItIsBack() throws Exception {
        try (RedisServer redis = RedisServer.start(); RedisState b = host(redis, "B"); Jedis j = redis.client()) {
            List<Connection> probes = moved(j, redis, "A", b, "B", "probe-1", "probe-2", "probe-3", "probe-4", "probe-5");
            RedisState a = host(redis, "A"); // A joins: B hands the probes back over the window
            await().atMost(Duration.ofSeconds(20)).until(() -> probes.stream().anyMatch(p -> p.closedWith != null));
            Connection onA = new Connection("hang-1"); // A joined, in B's eyes, within the window
            a.opened(onA);
            until(j, "hang-1", "A");
            a.close(); // A goes away (hung, evicted: its heartbeat stops); its camera moves to B
            Connection onB = new Connection("hang-1");
            b.opened(onB);
            until(j, "hang-1", "B");
            assertThat(j.hget(Keys.totals("hang-1"), "path")).isEqualTo("A");

            await().during(Duration.ofMillis(6_500)).atMost(Duration.ofSeconds(8))
                    .until(() -> onB.closedWith == null); // the rest of the window: nothing goes to a host that is gone

            try (RedisState back = host(redis, "A")) {
                await().atMost(Duration.ofSeconds(20)).until(() -> onB.closedWith != null);
                assertThat(onB.closedWith).isEqualTo(CloseCodes.GOING_AWAY);
                assertThat(onB.reason).isEqualTo(CloseCodes.REBALANCING + "A");
            }
        }
    }
}
