package io.framewire.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.framewire.testing.RedisServer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The records script, run on a real redis-server as {@link StreamRecords} runs it. Stream ownership
 * follows the order of the upgrades, not the order in which the claims reach Redis (issue #25 F1): a
 * host that paused right after accepting an upgrade (SIGSTOP, a long GC) writes its first claim only
 * when it resumes, after the camera has moved on to another host. And a write applied twice (retried
 * after its reply was lost: packet loss, F7) counts its frames once.
 */
class StreamRecordsScriptTest {

    private static RedisServer redis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    /** One write of {@code conn}'s counts, as a record tick sends it; returns {status, ..., claimed_at, watched}. */
    private static List<?> sync(Jedis j, String stream, String conn, String claimedAt, long connectedAt, String owner) {
        return sync(j, stream, conn, claimedAt, connectedAt, owner, 1, 1, 0);
    }

    /** The same with this connection's counts so far (none of them acknowledged before). */
    private static List<?> sync(Jedis j, String stream, String conn, String claimedAt, long connectedAt, String owner,
                                long received, long processed, long dropped) {
        return sync(j, stream, conn, claimedAt, connectedAt, owner, new long[] {received, processed, dropped},
                new long[] {received, processed, dropped});
    }

    /** The same with the counts so far and those not seen acknowledged. */
    private static List<?> sync(Jedis j, String stream, String conn, String claimedAt, long connectedAt, String owner,
                                long[] counts, long[] unacknowledged) {
        long received = counts[0], processed = counts[1], dropped = counts[2];
        List<String> keys = List.of(Keys.record(stream), Keys.totals(stream), Keys.results(stream), Keys.watched(stream),
                Keys.connectionCounts(stream, conn));
        List<String> args = List.of(conn, claimedAt, owner, "127.0.0.1:1", "", Long.toString(received),
                Long.toString(processed), Long.toString(dropped),
                Long.toString(connectedAt), "10000", "60000", "0", stream, Keys.TAKEOVER,
                Long.toString(unacknowledged[0]), Long.toString(unacknowledged[1]), Long.toString(unacknowledged[2]));
        return (List<?>) j.eval(StreamRecords.SYNC, keys, args);
    }

    @Test
    void aConnectionUpgradedBeforeTheOwnersCannotTakeTheStreamWhenItsFirstClaimComesLate() {
        try (Jedis j = redis.client()) {
            long now = System.currentTimeMillis();
            // the camera's live connection on host B, upgraded just now, claims first
            List<?> live = sync(j, "f1-cam", "conn-b", "", now, "host-b");
            assertThat(live.get(0)).as("B claims it (2: a claim the other hosts are told of)").isEqualTo(2L);
            assertThat(live.get(4)).as("claimed with its upgrade's time").isEqualTo(now);

            // host A resumes: its connection was upgraded 5 s earlier, its first claim arrives now
            List<?> stale = sync(j, "f1-cam", "conn-a", "", now - 5_000, "host-a");
            assertThat(stale.get(0)).as("a newer connection owns the stream: A's is closed, B's stays").isEqualTo(0L);
            assertThat(j.hget(Keys.record("f1-cam"), "conn")).isEqualTo("conn-b");
            assertThat(j.hget(Keys.record("f1-cam"), "owner")).isEqualTo("host-b");

            // and B keeps it on its next refresh
            assertThat(sync(j, "f1-cam", "conn-b", Long.toString(now), now, "host-b").get(0)).isEqualTo(1L);
        }
    }

    @Test
    void aNewerUpgradeStillTakesOver() {
        try (Jedis j = redis.client()) {
            long now = System.currentTimeMillis();
            assertThat(sync(j, "f1-move", "conn-a", "", now - 5_000, "host-a").get(0)).isEqualTo(2L);
            // the camera reconnects through another host: its later upgrade wins, and the hosts are told
            assertThat(sync(j, "f1-move", "conn-b", "", now, "host-b").get(0)).as("taken over").isEqualTo(2L);
            assertThat(j.hget(Keys.record("f1-move"), "owner")).isEqualTo("host-b");
            assertThat(sync(j, "f1-move", "conn-a", Long.toString(now - 5_000), now - 5_000, "host-a").get(0))
                    .as("the old connection learns it was replaced").isEqualTo(0L);
        }
    }

    @Test
    void aWriteAppliedTwiceCountsItsFramesOnce() {
        try (Jedis j = redis.client()) {
            long now = System.currentTimeMillis();
            sync(j, "f7-cam", "conn-1", "", now, "host-a", 10, 9, 1);
            String claimed = Long.toString(now);
            // the reply was lost: the same write again, then the next one with more frames
            sync(j, "f7-cam", "conn-1", claimed, now, "host-a", 10, 9, 1);
            List<?> next = sync(j, "f7-cam", "conn-1", claimed, now, "host-a", 15, 13, 2);
            assertThat(next.subList(1, 4)).as("received, processed, dropped: the connection's own counts").isEqualTo(List.of(15L, 13L, 2L));
            // the camera reconnects: a new connection's counts add to the totals
            List<?> after = sync(j, "f7-cam", "conn-2", "", now + 1_000, "host-b", 4, 4, 0);
            assertThat(after.subList(1, 4)).as("totals across the two connections").isEqualTo(List.of(19L, 17L, 2L));
            assertThat(j.pttl(Keys.connectionCounts("f7-cam", "conn-1"))).as("three record TTLs").isBetween(1L, 30_000L);
            // its counts gone (an outage longer than their TTL, a Redis that lost its data): what this
            // host had not seen acknowledged is added, not the connection's whole count again
            j.del(Keys.connectionCounts("f7-cam", "conn-2"));
            List<?> late = sync(j, "f7-cam", "conn-2", Long.toString(now + 1_000), now + 1_000, "host-b",
                    new long[] {6, 6, 0}, new long[] {2, 2, 0});
            assertThat(late.subList(1, 4)).isEqualTo(List.of(21L, 19L, 2L));
        }
    }

    /** A new connection's first claim on {@code owner}; returns the stream's path (the hosts it left, oldest first). */
    private static String claim(Jedis j, String stream, String owner, long connectedAt, boolean cameBack) {
        String conn = owner + "-" + connectedAt;
        List<String> keys = List.of(Keys.record(stream), Keys.totals(stream), Keys.results(stream), Keys.watched(stream),
                Keys.connectionCounts(stream, conn));
        List<String> args = List.of(conn, "", owner, "127.0.0.1:1", "", "0", "0", "0", Long.toString(connectedAt),
                "10000", "60000", "0", stream, Keys.TAKEOVER, "0", "0", "0", cameBack ? "1" : "0");
        List<?> reply = (List<?>) j.eval(StreamRecords.SYNC, keys, args);
        assertThat(reply.get(0)).as("%s claims %s", owner, stream).isNotEqualTo(0L);
        return (String) reply.get(6);
    }

    /**
     * Issue #25 F5: the path a stream takes when hosts go away is the order the balancer's ring
     * prefers them in; going back to one of them cuts the path there, and a stream handed back
     * that the balancer sent to the same host again stays there with no path.
     */
    @Test
    void aStreamRemembersTheHostsItLeftUntilItGoesBack() {
        try (Jedis j = redis.client()) {
            long t = System.currentTimeMillis() - 10_000;
            assertThat(claim(j, "f5-path", "host-a", t, false)).as("a new stream left no host").isEmpty();
            assertThat(claim(j, "f5-path", "host-a", t + 1, false)).as("a reconnect to the same host").isEmpty();
            assertThat(claim(j, "f5-path", "host-b", t + 2, false)).as("host-a went away").isEqualTo("host-a");
            assertThat(claim(j, "f5-path", "host-c", t + 3, false)).as("then host-b").isEqualTo("host-a host-b");
            assertThat(claim(j, "f5-path", "host-b", t + 4, false)).as("back to host-b, host-a still away")
                    .isEqualTo("host-a");
            assertThat(claim(j, "f5-path", "host-a", t + 5, false)).as("home").isEmpty();
            assertThat(claim(j, "f5-path", "host-b", t + 6, false)).isEqualTo("host-a");
            assertThat(claim(j, "f5-path", "host-b", t + 7, true))
                    .as("handed back to host-a, the balancer sent it to host-b again: it belongs there now").isEmpty();
            assertThat(j.hget(Keys.totals("f5-path"), "path")).isEmpty();
            assertThat(j.hget(Keys.totals("f5-path"), "owner")).isEqualTo("host-b");
        }
    }
}
