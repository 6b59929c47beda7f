package io.framewire.state;

import io.framewire.protocol.CloseCodes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The one writer of stream records and the host record. Every 100 ms it pipelines, in one round
 * trip: a claim for each new connection, a refresh for each stream whose last write is a second
 * old and has news (or whose record would expire), the final counts of ended connections, and the
 * host heartbeat. Frames never wait for Redis: the counters are read from the sessions.
 *
 * <p>Each write runs {@link #SYNC}: it adds this connection's new counts to the stream's totals
 * (so totals resume on any host, and nothing is counted twice or lost while Redis is down or when a
 * write is applied twice), and
 * writes the live record only if this connection is the newest one for the stream. "Newest" is
 * the latest upgrade: a connection claims with the time its upgrade was accepted (its host's
 * clock, {@code connected_at}, capped by Redis' clock at the first claim), not the time of its
 * first write, so a host that paused after accepting an upgrade (SIGSTOP, a long GC) cannot, on
 * resuming, replace the camera's newer connection on another host (issue #25 F1). Hosts' clocks need only agree to well within a
 * reconnect (NTP does: a camera's reconnect takes a second or more). A connection that
 * finds a newer one there has been taken over (possibly while Redis was unreachable) and is
 * closed; one that takes the record from another publishes on {@link Keys#TAKEOVER}. Each write
 * also answers whether the stream is watched ({@link WatchedStreams}), so knowing it costs no extra
 * round trip.
 */
final class StreamRecords extends RedisLoop {

    private static final Logger log = LoggerFactory.getLogger(StreamRecords.class);
    private static final long TICK_MS = 100;
    private static final long REFRESH_MS = 1_000;
    private static final int MAX_PER_TICK = 5_000;

    // KEYS: record, totals, results, watched marker, this connection's counts. ARGV: 1 conn, 2 claimed_at
    // ('' before the first claim), 3 owner, 4 client, 5 last_frame_at ('' before the first),
    // 6-8 received/processed/dropped of this connection so far, 9 connected_at, 10 record TTL ms,
    // 11 retention ms, 12 final ('1': the connection ended), 13 stream id, 14 the takeover channel,
    // 15-17 received/processed/dropped since the last write this host saw acknowledged.
    // The totals grow by what this connection counted since the counts last added (KEYS[5], kept for
    // three record TTLs), so a write applied twice (retried after its reply was lost, issue #25 F7)
    // adds nothing twice; where that key is gone (an outage longer than its TTL, a Redis that lost
    // its data) by what was not acknowledged.
    // Returns {status, received, processed, dropped, claimed_at, watched}: status 0 a newer connection
    // owns the stream, 1 this connection owns it, 2 it just took it over (and told the other hosts);
    // watched 1 while the marker exists (someone watched within the retention: append results).
    static final String SYNC = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local cur = redis.call('HMGET', KEYS[1], 'conn', 'claimed_at')
            local mine = cur[1] == ARGV[1]
            -- a connection's order is its upgrade (its host's clock, never ahead of Redis'): one accepted
            -- before a pause of its host claims as the older one, however late its first write comes
            local claimed = tonumber(ARGV[2]) or math.min(now, tonumber(ARGV[9]) or now)
            local newest = true
            if not mine and cur[1] then
              local theirs = tonumber(cur[2]) or 0
              newest = theirs < claimed or (theirs == claimed and cur[1] < ARGV[1])
            end
            local added = redis.call('HMGET', KEYS[5], 'received', 'processed', 'dropped')
            local function grow(i, field)
              local before = tonumber(added[i])
              local by = before and math.max(0, tonumber(ARGV[5 + i]) - before) or tonumber(ARGV[14 + i])
              return redis.call('HINCRBY', KEYS[2], field, by)
            end
            local r = grow(1, 'received')
            local p = grow(2, 'processed')
            local d = grow(3, 'dropped')
            redis.call('HSET', KEYS[5], 'received', ARGV[6], 'processed', ARGV[7], 'dropped', ARGV[8])
            redis.call('PEXPIRE', KEYS[5], 3 * tonumber(ARGV[10]))
            redis.call('HSETNX', KEYS[2], 'first_seen', ARGV[9])
            if ARGV[5] ~= '' then redis.call('HSET', KEYS[2], 'last_frame_at', ARGV[5]) end
            redis.call('PEXPIRE', KEYS[2], ARGV[11])
            if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('PEXPIRE', KEYS[3], ARGV[11]) end
            local w = redis.call('EXISTS', KEYS[4])
            if not newest then return {0, r, p, d, claimed, w} end
            if ARGV[12] == '1' then
              if mine then redis.call('DEL', KEYS[1]) end
              return {1, r, p, d, claimed, w}
            end
            redis.call('HSET', KEYS[1], 'stream', ARGV[13], 'owner', ARGV[3], 'conn', ARGV[1],
              'connected_at', ARGV[9], 'claimed_at', claimed, 'client', ARGV[4], 'last_frame_at', ARGV[5],
              'received', r, 'processed', p, 'dropped', d,
              'first_seen', redis.call('HGET', KEYS[2], 'first_seen'), 'updated_at', now)
            redis.call('PEXPIRE', KEYS[1], ARGV[10])
            if mine then return {1, r, p, d, claimed, w} end
            redis.call('PUBLISH', ARGV[14], ARGV[13] .. ' ' .. ARGV[1] .. ' ' .. claimed .. ' ' .. ARGV[3])
            return {2, r, p, d, claimed, w}
            """;

    private final ConcurrentHashMap<Publisher, Tracked> live = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Tracked> newest = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Tracked> ended = new ConcurrentLinkedQueue<>();
    private final AtomicInteger endedCount = new AtomicInteger();
    private final int maxEnded;
    private final WatchedStreams watched;
    private final long recordTtlMs;
    private final long retentionMs;
    private volatile HostInfo host;
    private final long startedAt = System.currentTimeMillis();
    private String sha;
    private final AtomicInteger droppedFinals = new AtomicInteger();
    private long lastHeartbeat;

    StreamRecords(RedisLink link, int maxEnded, WatchedStreams watched) {
        super(link, "records", 0);
        this.maxEnded = maxEnded;
        this.watched = watched;
        this.recordTtlMs = link.config().recordTtl().toMillis();
        this.retentionMs = link.config().retention().toMillis();
    }

    void start(HostInfo host) {
        this.host = host;
        start();
    }

    void opened(Publisher session) {
        Tracked t = new Tracked(session, Long.toHexString(ThreadLocalRandom.current().nextLong()));
        live.put(session, t);
        newest.put(session.id(), t);
        wake();
    }

    void closed(Publisher session) {
        Tracked t = live.remove(session);
        if (t == null) {
            return;
        }
        newest.remove(session.id(), t);
        // Bounded: during a long outage with many reconnects the oldest final counts are given up.
        if (endedCount.incrementAndGet() > maxEnded && ended.poll() != null) {
            endedCount.decrementAndGet();
            if (droppedFinals.getAndIncrement() == 0) {
                log.warn("Redis unreachable for long: more than {} ended connections wait for their final counts; "
                        + "dropping the oldest", maxEnded);
            }
        }
        ended.add(t);
        wake();
    }

    /** Another connection (on any host) claimed {@code streamId}: close ours if it claimed before. */
    void takeover(String streamId, String conn, long claimedAt, String owner) {
        Tracked t = newest.get(streamId);
        if (t != null && t.claimedBefore(conn, claimedAt)) {
            t.session.close(CloseCodes.REPLACED, "replaced by a newer connection on " + owner);
        }
    }

    @Override
    void connected(Jedis jedis) {
        sha = jedis.scriptLoad(SYNC); // again after a reconnect: a restarted Redis has no scripts
        lastHeartbeat = 0;
    }

    @Override
    void step(Jedis jedis) {
        if (host == null) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(TICK_MS));
            return;
        }
        long now = System.currentTimeMillis();
        List<Tracked> batch = new ArrayList<>();
        List<Tracked> finals = new ArrayList<>();
        for (Tracked t : ended) {
            if (batch.size() >= MAX_PER_TICK) {
                break;
            }
            batch.add(t);
            finals.add(t);
        }
        for (Tracked t : live.values()) {
            if (batch.size() >= MAX_PER_TICK) {
                break;
            }
            if (t.due(now, recordTtlMs)) {
                batch.add(t);
            }
        }
        boolean heartbeat = now - lastHeartbeat >= REFRESH_MS;
        if (!batch.isEmpty() || heartbeat) {
            write(jedis, batch, finals.size(), heartbeat, now);
            link.ok(name());
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(TICK_MS));
    }

    private void write(Jedis jedis, List<Tracked> batch, int finals, boolean heartbeat, long now) {
        Pipeline p = jedis.pipelined();
        List<Response<Object>> responses = new ArrayList<>(batch.size());
        long[][] sent = new long[batch.size()][];
        for (int i = 0; i < batch.size(); i++) {
            Tracked t = batch.get(i);
            sent[i] = t.counts();
            responses.add(p.evalsha(sha, t.keys(), t.args(sent[i], i < finals, recordTtlMs, retentionMs, host.id())));
        }
        if (heartbeat) {
            heartbeat(p, now);
        }
        long t0 = System.nanoTime();
        p.sync();
        link.observe(t0);
        if (heartbeat) {
            lastHeartbeat = now;
        }
        for (int i = 0; i < batch.size(); i++) {
            Tracked t = batch.get(i);
            Object reply;
            try {
                reply = responses.get(i).get();
            } catch (JedisDataException e) {
                if (String.valueOf(e.getMessage()).startsWith("NOSCRIPT")) {
                    sha = jedis.scriptLoad(SYNC);
                } else {
                    link.failed("records", e);
                }
                continue; // not applied: retried next tick
            }
            List<?> fields = (List<?>) reply;
            t.written(sent[i], now, (Long) fields.get(4));
            String id = t.session.id();
            if (i < finals) {
                ended.remove(t);
                endedCount.decrementAndGet();
                if (!newest.containsKey(id)) {
                    watched.forget(id);
                }
                continue;
            }
            watched.learned(id, Long.valueOf(1).equals(fields.get(5)));
            if (fields.get(0) instanceof Long status && status == 0) {
                t.session.close(CloseCodes.REPLACED, CloseCodes.REPLACED_HERE);
            }
        }
    }

    private void heartbeat(Pipeline p, long now) {
        HostInfo h = host;
        String key = Keys.host(h.id());
        Map<String, String> fields = new HashMap<>();
        fields.put("id", h.id());
        fields.put("address", h.address());
        fields.put("streams", Integer.toString(h.streams().getAsInt()));
        fields.put("capacity", Integer.toString(h.capacity()));
        fields.put("version", h.version());
        fields.put("started_at", Long.toString(startedAt));
        fields.put("heartbeat", Long.toString(now));
        p.hset(key, fields);
        p.pexpire(key, recordTtlMs);
        p.zadd(Keys.HOSTS, now, h.id());
    }

    /** Last words: the final counts of streams that ended, and this host leaves the fleet record. */
    @Override
    void finish(Jedis jedis) {
        if (host == null) {
            return;
        }
        connected(jedis);
        List<Tracked> batch = new ArrayList<>(ended);
        batch.addAll(live.values()); // not closed yet: written as ended so the records go too
        Pipeline p = jedis.pipelined();
        long now = System.currentTimeMillis();
        for (Tracked t : batch) {
            p.evalsha(sha, t.keys(), t.args(t.counts(), true, recordTtlMs, retentionMs, host.id()));
        }
        p.del(Keys.host(host.id()));
        p.zrem(Keys.HOSTS, host.id());
        p.sync();
    }

    /** A connection as the writer sees it; its fields are the writer thread's except the final ones. */
    private static final class Tracked {
        final Publisher session;
        final String conn;
        final long connectedAt;
        final String client;
        final List<String> keys;
        long received;
        long processed;
        long dropped;
        long lastWrite;
        volatile long claimedAt; // the upgrade's time once the first claim was written; 0 before it

        Tracked(Publisher session, String conn) {
            this.session = session;
            this.conn = conn;
            this.connectedAt = session.connectedAt().toEpochMilli();
            this.client = session.remoteAddress();
            this.keys = List.of(Keys.record(session.id()), Keys.totals(session.id()), Keys.results(session.id()),
                    Keys.watched(session.id()), Keys.connectionCounts(session.id(), conn));
        }

        /** Not yet claimed: its coming claim will be the newer one. */
        boolean claimedBefore(String otherConn, long otherClaimedAt) {
            long mine = claimedAt;
            return mine != 0 && !conn.equals(otherConn)
                    && (mine < otherClaimedAt || (mine == otherClaimedAt && conn.compareTo(otherConn) < 0));
        }

        long[] counts() {
            Instant last = session.lastFrameAt();
            return new long[] {session.framesReceived(), session.framesProcessed(), session.framesDropped(),
                last == null ? 0 : last.toEpochMilli()};
        }

        boolean due(long now, long ttlMs) {
            if (claimedAt == 0) {
                return true;
            }
            if (now - lastWrite < REFRESH_MS) {
                return false;
            }
            long[] c = counts();
            boolean news = c[0] != received || c[1] != processed || c[2] != dropped;
            return news || now - lastWrite >= ttlMs / 3;
        }

        List<String> args(long[] c, boolean fin, long ttlMs, long retentionMs, String owner) {
            return List.of(conn, claimedAt == 0 ? "" : Long.toString(claimedAt), owner, client,
                    c[3] == 0 ? "" : Long.toString(c[3]),
                    Long.toString(c[0]), Long.toString(c[1]), Long.toString(c[2]),
                    Long.toString(connectedAt), Long.toString(ttlMs), Long.toString(retentionMs), fin ? "1" : "0", session.id(),
                    Keys.TAKEOVER, Long.toString(c[0] - received), Long.toString(c[1] - processed), Long.toString(c[2] - dropped));
        }

        void written(long[] c, long now, long claimed) {
            received = c[0];
            processed = c[1];
            dropped = c[2];
            lastWrite = now;
            claimedAt = claimed;
        }

        List<String> keys() {
            return keys;
        }
    }
}
