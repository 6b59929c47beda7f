package io.framewire.state;

import io.framewire.metrics.Metrics;
import io.framewire.tracking.TrackHandover;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Tracks follow a stream to the host that takes it over (best effort). Every {@link #TICK_MS} it
 * pipelines, in one round trip: the last snapshot of each stream that ended here (so a clean
 * reconnect elsewhere finds the latest), a read of {@code fw:{ID}:tracks} for each stream that
 * connected here since (handed to its worker, which adopts it if it has no ids of its own yet),
 * and the snapshot of each live stream whose tracks changed, at most once a second, or whose key
 * would expire. A host writes only while no other host owns the stream's record, so a replaced
 * connection cannot overwrite its successor's tracks. The key lives {@code redis.recordTtlMs}:
 * tracks older than a dead host's records are not worth restoring. Streams that never had a
 * track id (an empty scene, {@code --detector none}) cost nothing here.
 */
final class TrackStore extends RedisLoop {

    static final long TICK_MS = 250;
    private static final long WRITE_EVERY_MS = 1_000;
    private static final int MAX_ENDED = 10_000;
    private static final int MAX_PER_TICK = 5_000;

    // KEYS: record, tracks. ARGV: 1 this host's id, 2 the snapshot, 3 TTL ms.
    static final String SAVE = """
            local owner = redis.call('HGET', KEYS[1], 'owner')
            if owner and owner ~= ARGV[1] then return 0 end
            redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
            return 1
            """;

    /** One stream connection's side of the exchange; fields are touched by the loop thread only. */
    private static final class Entry {
        final String streamId;
        final TrackHandover tracks;
        volatile boolean restorePending = true;
        String written;
        long writtenAt;

        Entry(String streamId, TrackHandover tracks) {
            this.streamId = streamId;
            this.tracks = tracks;
        }
    }

    private final ConcurrentHashMap<Publisher, Entry> live = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Entry> ended = new ConcurrentLinkedQueue<>();
    private final AtomicInteger endedCount = new AtomicInteger();
    private final ConcurrentLinkedQueue<Entry> arrived = new ConcurrentLinkedQueue<>();
    private final long ttlMs;
    private final Metrics metrics;
    private volatile HostInfo host;
    private String sha;

    TrackStore(RedisLink link, Metrics metrics) {
        super(link, "tracks", 0);
        this.ttlMs = link.config().recordTtl().toMillis();
        this.metrics = metrics;
    }

    void start(HostInfo host) {
        this.host = host;
        start();
    }

    void opened(Publisher session, TrackHandover tracks) {
        Entry e = new Entry(session.id(), tracks);
        live.put(session, e);
        arrived.add(e);
        wake(); // read before the first frames are processed, if Redis answers that fast
    }

    void closed(Publisher session) {
        Entry e = live.remove(session);
        if (e == null) {
            return;
        }
        e.restorePending = false;
        if (e.tracks.tracksSnapshot() == null) {
            return;
        }
        if (endedCount.incrementAndGet() > MAX_ENDED && ended.poll() != null) {
            endedCount.decrementAndGet(); // a long outage: the oldest last words are given up
        }
        ended.add(e);
        wake();
    }

    @Override
    void connected(Jedis jedis) {
        sha = jedis.scriptLoad(SAVE);
    }

    @Override
    void step(Jedis jedis) {
        HostInfo h = host;
        if (h != null) {
            exchange(jedis, h, System.currentTimeMillis());
        }
        if (h == null || arrived.isEmpty()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(TICK_MS));
        }
    }

    /** Shutting down: the streams still here leave their last tracks for the hosts they reconnect to. */
    @Override
    void finish(Jedis jedis) {
        HostInfo h = host;
        if (h == null) {
            return;
        }
        connected(jedis);
        for (Publisher s : List.copyOf(live.keySet())) {
            closed(s);
        }
        exchange(jedis, h, System.currentTimeMillis());
    }

    private void exchange(Jedis jedis, HostInfo h, long now) {
        List<Entry> finals = new ArrayList<>();
        for (Entry e : ended) {
            if (finals.size() >= MAX_PER_TICK) {
                break;
            }
            finals.add(e);
        }
        List<Entry> reads = new ArrayList<>();
        for (Entry e; reads.size() < MAX_PER_TICK && (e = arrived.poll()) != null; ) {
            if (e.restorePending) {
                reads.add(e);
            }
        }
        List<Entry> writes = new ArrayList<>();
        List<String> snapshots = new ArrayList<>();
        for (Entry e : live.values()) {
            String s = e.tracks.tracksSnapshot();
            if (writes.size() >= MAX_PER_TICK || e.restorePending || s == null) {
                continue; // a new connection writes only after it read what the previous one left
            }
            boolean changed = !s.equals(e.written) && now - e.writtenAt >= WRITE_EVERY_MS;
            if (changed || now - e.writtenAt >= ttlMs / 3) {
                writes.add(e);
                snapshots.add(s);
            }
        }
        if (finals.isEmpty() && reads.isEmpty() && writes.isEmpty()) {
            return;
        }
        Pipeline p = jedis.pipelined();
        List<Response<Object>> saved = new ArrayList<>();
        for (Entry e : finals) {
            saved.add(p.evalsha(sha, List.of(Keys.record(e.streamId), Keys.tracks(e.streamId)),
                    List.of(h.id(), e.tracks.tracksSnapshot(), Long.toString(ttlMs))));
        }
        List<Response<String>> read = new ArrayList<>(reads.size());
        for (Entry e : reads) {
            read.add(p.get(Keys.tracks(e.streamId)));
        }
        for (int i = 0; i < writes.size(); i++) {
            Entry e = writes.get(i);
            saved.add(p.evalsha(sha, List.of(Keys.record(e.streamId), Keys.tracks(e.streamId)),
                    List.of(h.id(), snapshots.get(i), Long.toString(ttlMs))));
        }
        long t0 = System.nanoTime();
        try {
            p.sync();
        } catch (RuntimeException e) {
            arrived.addAll(reads); // read again on the next connection
            throw e;
        }
        link.observe(t0);
        boolean[] ok = new boolean[saved.size()];
        for (int i = 0; i < saved.size(); i++) {
            try {
                saved.get(i).get();
                ok[i] = true;
            } catch (JedisDataException e) {
                if (String.valueOf(e.getMessage()).startsWith("NOSCRIPT")) {
                    sha = jedis.scriptLoad(SAVE); // a restarted Redis: written again next tick
                } else {
                    link.failed(name(), e);
                }
            }
        }
        for (int i = 0; i < finals.size(); i++) {
            if (ok[i]) {
                ended.remove(finals.get(i));
                endedCount.decrementAndGet();
            }
        }
        for (int i = 0; i < reads.size(); i++) {
            Entry e = reads.get(i);
            String s = read.get(i).get();
            if (s != null && e.restorePending) {
                e.tracks.adoptTracks(s);
                metrics.tracksHandedOver.inc();
            }
            e.restorePending = false;
        }
        for (int i = 0; i < writes.size(); i++) {
            if (ok[finals.size() + i]) {
                writes.get(i).written = snapshots.get(i);
                writes.get(i).writtenAt = now;
            }
        }
        link.ok(name());
    }
}
