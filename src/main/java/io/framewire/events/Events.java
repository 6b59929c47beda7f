package io.framewire.events;

import io.framewire.metrics.Metrics;
import io.framewire.state.RedisCommands;
import io.framewire.state.RedisConfig;
import io.framewire.tracking.TrackListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The events side of a host: zones ({@link ZoneStore}), one {@link StreamEvents} per stream
 * connected here (the listener its worker calls after tracking), and the sinks every event is
 * offered to. With a fleet, a background thread reads the zones of this host's streams from Redis
 * every {@link #REFRESH_MS}, so a zone set through any host reaches the host serving the stream.
 */
public final class Events implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Events.class);
    static final long REFRESH_MS = 2_000;

    private final EventsConfig config;
    private final Metrics metrics;
    private final ZoneStore zones;
    private final RedisCommands redis;
    private final List<Sink> sinks;
    private final StreamEvents.Rules rules;
    private final Map<String, StreamEvents> live = new ConcurrentHashMap<>();
    private final Thread refresher;
    private final Pictures pictures;
    private final Snapshots snapshots;
    private final Thread picturePublisher;
    private final Thread stateWriter;
    private final Thread snapshotSharer;
    private volatile boolean closed;

    Events(EventsConfig config, RedisCommands redis, List<Sink> sinks, Metrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.redis = redis;
        this.sinks = sinks;
        this.zones = new ZoneStore(config.zonesFile(), redis);
        this.pictures = new Pictures(config.latestBytes());
        this.snapshots = new Snapshots(config.snapshotBytes());
        metrics.gauge("framewire_event_snapshots_bytes", "Memory holding event snapshots (cap: events.snapshotBytes)", snapshots::bytes);
        metrics.gauge("framewire_pictures_bytes", "Memory holding streams' latest pictures (cap: latest.maxBytes)", pictures::bytes);
        this.rules = new StreamEvents.Rules(config.enterFrames(), config.leaveFrames(), config.dwell().toNanos(),
                config.lost().toNanos());
        for (Sink s : sinks) {
            s.start(metrics);
        }
        refresher = redis == null ? null : Thread.ofPlatform().daemon().name("fw-zones").start(this::refresh);
        stateWriter = redis == null ? null : Thread.ofPlatform().daemon().name("fw-zonestate").start(this::writeStates);
        picturePublisher = redis == null || !pictures.enabled() ? null
                : Thread.ofPlatform().daemon().name("fw-pictures").start(this::publishWanted);
        snapshotSharer = redis == null || !snapshots.enabled() ? null
                : Thread.ofPlatform().daemon().name("fw-snapshots").start(this::shareSnapshots);
        if (snapshotSharer != null) {
            snapshots.shareTo(this::snapshotKept);
        }
    }

    /** Opens the sinks {@code config} asks for; {@code redis} null: no fleet. */
    public static Events start(EventsConfig config, RedisConfig redis, String clientId, Metrics metrics) {
        RedisCommands commands = redis == null ? null : new RedisCommands(redis, "events", metrics);
        List<Sink> sinks = new ArrayList<>();
        if (commands != null && config.redisMaxLen() > 0) {
            sinks.add(new RedisSink(new RedisCommands(redis, "events-sink", metrics), config.redisMaxLen(), config.queue(),
                    Ticker.SYSTEM));
        }
        if (config.webhook() != null) {
            sinks.add(new WebhookSink(config.webhook(), config.webhookSecret(), config.queue(), java.time.Duration.ofSeconds(5),
                    Ticker.SYSTEM));
        }
        if (config.mqtt() != null) {
            sinks.add(new MqttSink(config.mqtt(), "framewire-" + clientId, config.queue(), 5, Ticker.SYSTEM));
        }
        Events events = new Events(config, commands, sinks, metrics);
        log.info("events: {}; sinks: {}", events.zones.describe(),
                sinks.isEmpty() ? "none (events are counted only)" : sinks.stream().map(s -> s.name).toList());
        return events;
    }

    /** A stream connected here: the listener its worker tells of each detector pass. */
    public TrackListener opened(String stream) {
        List<Zone> zs;
        try {
            zs = zones.get(stream);
        } catch (IllegalStateException e) { // Redis down: the file's, until the refresh reads Redis again
            zs = zones.fallback(stream);
        }
        long wallOffset = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
        StreamEvents s = new StreamEvents(stream, zs, rules, this::emit, System.currentTimeMillis(), wallOffset)
                .pictures(pictures.enabled() ? pictures : null).snapshots(snapshots.enabled() ? snapshots : null);
        if (redis != null) {
            try {
                s.adopt(redis.get(stateKey(stream)), System.nanoTime()); // a previous connection's, on any host
            } catch (IllegalStateException e) {
                // Redis down: this connection starts afresh (an object inside may enter again)
            }
            s.stateTo(this::stateMade);
        }
        live.put(stream, s);
        return s;
    }

    /** That stream's connection ended. */
    public void closed(String stream, TrackListener listener) {
        live.remove(stream, listener);
    }

    /** The snapshot of event {@code id}: this host's; with a fleet, else the one in Redis; null when neither has it. */
    public Snapshots.Snapshot snapshot(String id) {
        Snapshots.Snapshot local = snapshots.get(id);
        if (local != null || redis == null) {
            return local;
        }
        String stream = streamOf(id);
        if (stream == null) {
            return null;
        }
        try {
            byte[] bytes = redis.getBytes(ZoneStore.utf8(SNAPSHOT_PREFIX + id));
            return bytes == null ? null : new Snapshots.Snapshot(stream, bytes);
        } catch (IllegalStateException e) {
            return null; // Redis down: only this host's
        }
    }

    /** The stream an event id names: {@code stream:epoch:track:zone:type:n}, where only the stream may hold ':'. */
    static String streamOf(String id) {
        int end = id.length();
        for (int i = 0; i < 5; i++) {
            end = id.lastIndexOf(':', end - 1);
            if (end <= 0) {
                return null;
            }
        }
        return id.substring(0, end);
    }

    /*
     * Snapshots shared through Redis: each under fw:{snapshots}:<id> for SNAPSHOT_TTL_MS, and all of
     * them together within the writing host's events.snapshotBytes, the oldest dropped first. One
     * hash slot ({snapshots}) holds them and their accounting, so one script keeps the bound atomically.
     */
    static final String SNAPSHOT_PREFIX = "fw:{snapshots}:";
    static final long SNAPSHOT_TTL_MS = 24 * 3_600_000L;
    /** At most this many bytes of snapshots wait on a host for Redis; beyond, a snapshot stays on its host only. */
    static final long SHARE_QUEUE_BYTES = 32L << 20;
    // KEYS: 1 the snapshot, 2 order (zset id -> ms), 3 sizes (hash id -> bytes), 4 total bytes.
    // ARGV: 1 the JPEG, 2 TTL ms, 3 bound in bytes, 4 now ms, 5 id, 6 the key prefix.
    static final String KEEP_SNAPSHOT = """
            local size = string.len(ARGV[1])
            local old = redis.call('HGET', KEYS[3], ARGV[5])
            if old then redis.call('DECRBY', KEYS[4], old) end
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            redis.call('ZADD', KEYS[2], ARGV[4], ARGV[5])
            redis.call('HSET', KEYS[3], ARGV[5], size)
            local total = redis.call('INCRBY', KEYS[4], size)
            while total > tonumber(ARGV[3]) do
                local oldest = redis.call('ZPOPMIN', KEYS[2])
                if #oldest == 0 then break end
                local s = tonumber(redis.call('HGET', KEYS[3], oldest[1]) or '0')
                redis.call('HDEL', KEYS[3], oldest[1])
                redis.call('DEL', ARGV[6] .. oldest[1])
                total = redis.call('DECRBY', KEYS[4], s)
            end
            return total
            """;
    private record Shared(String id, byte[] bytes) {}
    private final java.util.concurrent.LinkedBlockingQueue<Shared> toShare = new java.util.concurrent.LinkedBlockingQueue<>();
    private final java.util.concurrent.atomic.AtomicLong toShareBytes = new java.util.concurrent.atomic.AtomicLong();

    /** From a worker: a snapshot was kept here; it goes to Redis too, unless too much already waits. */
    private void snapshotKept(String id, byte[] bytes) {
        if (toShareBytes.addAndGet(bytes.length) > SHARE_QUEUE_BYTES) {
            toShareBytes.addAndGet(-bytes.length);
            return;
        }
        toShare.add(new Shared(id, bytes));
    }

    private void shareSnapshots() {
        List<byte[]> keys = new ArrayList<>(4);
        while (!closed) {
            try {
                Shared s = toShare.take();
                toShareBytes.addAndGet(-s.bytes().length);
                keys.clear();
                for (String k : List.of(SNAPSHOT_PREFIX + s.id(), SNAPSHOT_PREFIX + "order", SNAPSHOT_PREFIX + "sizes",
                        SNAPSHOT_PREFIX + "bytes")) {
                    keys.add(ZoneStore.utf8(k));
                }
                redis.eval(KEEP_SNAPSHOT, keys, List.of(s.bytes(), ZoneStore.utf8(Long.toString(SNAPSHOT_TTL_MS)),
                        ZoneStore.utf8(Long.toString(config.snapshotBytes())),
                        ZoneStore.utf8(Long.toString(System.currentTimeMillis())), ZoneStore.utf8(s.id()),
                        ZoneStore.utf8(SNAPSHOT_PREFIX)));
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.debug("snapshots to Redis: {}", e.toString()); // that one stays on this host only
            }
        }
    }

    /** Every stream's latest picture on this host. */
    public Pictures pictures() {
        return pictures;
    }

    /**
     * The stream's latest picture: this host's; with a fleet, else the one its host puts in Redis
     * while someone asks ({@link #WANTED}): the first request for a stream served elsewhere waits
     * up to {@link #REMOTE_WAIT_MS} for it. Null when there is none.
     */
    public Pictures.Picture latestPicture(String stream) throws InterruptedException {
        Pictures.Picture local = pictures.latest(stream);
        if (local != null || redis == null) {
            return local;
        }
        try {
            redis.zadd(WANTED, System.currentTimeMillis() + WANTED_FOR_MS, stream);
            long until = System.nanoTime() + REMOTE_WAIT_MS * 1_000_000L;
            while (true) {
                byte[] jpeg = redis.getBytes(ZoneStore.utf8(pictureKey(stream)));
                String meta = jpeg == null ? null : redis.get(pictureKey(stream) + ".meta");
                if (jpeg != null && meta != null) {
                    return PictureMeta.read(jpeg, meta);
                }
                if (System.nanoTime() > until) {
                    return null;
                }
                Thread.sleep(PUBLISH_EVERY_MS / 5);
            }
        } catch (IllegalStateException e) {
            return null; // Redis down: no picture from other hosts
        }
    }

    /** Streams whose pictures someone asked for lately, scored by when that interest ends (ms). */
    static final String WANTED = "fw:pictures:wanted";
    static final long WANTED_FOR_MS = 10_000;
    static final long REMOTE_WAIT_MS = 1_500;
    static final long PUBLISH_EVERY_MS = 500;
    private final Map<String, Long> published = new ConcurrentHashMap<>();

    /** A stream's latest zone state still to write, and the events (in order) that wait for it. */
    private record Pending(String state, List<Event> events) {}

    /** Per stream, what the state writer has yet to take. */
    private final Map<String, Pending> states = new ConcurrentHashMap<>();
    static final long STATE_TTL_MS = 3_600_000;
    /** Events held for their states, all streams together (at most {@code events.queue}). */
    private final java.util.concurrent.atomic.AtomicInteger held = new java.util.concurrent.atomic.AtomicInteger();

    /** From a stream's worker: a pass made events; the newer state replaces an unwritten one, the events queue up. */
    private void stateMade(String stream, String state, List<Event> events) {
        if (held.addAndGet(events.size()) > config.queue()) { // Redis is that far behind: they go without waiting for it
            held.addAndGet(-events.size());
            events.forEach(this::emit);
            events = List.of();
        }
        states.merge(stream, new Pending(state, events), (old, now) -> {
            List<Event> all = new ArrayList<>(old.events().size() + now.events().size());
            all.addAll(old.events());
            all.addAll(now.events());
            return new Pending(now.state(), all);
        });
        LockSupport.unpark(stateWriter);
    }

    static String stateKey(String stream) {
        return "fw:{" + stream + "}:zonestate";
    }

    /**
     * With a fleet: writes each stream's zone state as soon as a pass changed it, then lets that
     * pass's events out to the sinks (state first: see {@link StreamEvents#stateTo}). Redis down:
     * the events go out anyway (a takeover meanwhile could repeat an enter; losing it would be worse)
     * and the state is written when Redis is back, unless a newer one came.
     */
    private void writeStates() {
        while (!closed) {
            LockSupport.parkNanos(50_000_000L);
            if (Thread.interrupted()) {
                return;
            }
            writePending();
        }
    }

    private void writePending() {
        boolean down = false;
        for (String id : List.copyOf(states.keySet())) {
            Pending p = states.remove(id);
            if (p == null) {
                continue;
            }
            if (!down) {
                try {
                    redis.set(stateKey(id), p.state(), STATE_TTL_MS);
                } catch (IllegalStateException e) {
                    down = true; // counted by RedisCommands; no other stream's write is tried this turn
                    log.debug("zone states to Redis: {}", e.toString());
                }
            }
            if (down) {
                states.merge(id, new Pending(p.state(), List.of()), (newer, old) -> newer); // retried, unless a newer one came
            }
            held.addAndGet(-p.events().size());
            p.events().forEach(this::emit);
        }
    }

    static String pictureKey(String stream) {
        return "fw:{" + stream + "}:latest";
    }

    /** With a fleet: puts the pictures of this host's streams that someone asked for into Redis, each for a few seconds. */
    private void publishWanted() {
        while (!closed) {
            try {
                Thread.sleep(PUBLISH_EVERY_MS);
                List<String> wanted = redis.zrangeFrom(WANTED, System.currentTimeMillis());
                for (String id : wanted) {
                    Pictures.Picture p = live.containsKey(id) ? pictures.latest(id) : null;
                    if (p == null || Long.valueOf(p.atMillis()).equals(published.get(id))) {
                        continue;
                    }
                    redis.set(ZoneStore.utf8(pictureKey(id)), p.bytes(), 5_000);
                    redis.set(pictureKey(id) + ".meta", PictureMeta.write(p), 5_000);
                    published.put(id, p.atMillis());
                }
                published.keySet().retainAll(wanted);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.debug("pictures to Redis: {}", e.toString());
            }
        }
    }

    /** The zones a stream has now (for drawing): the live stream's, else the store's. */
    public List<Zone> zoneList(String stream) {
        StreamEvents s = live.get(stream);
        return s != null ? s.zones() : zones.get(stream);
    }

    /** The stream's zone document (GET). */
    public String zones(String stream) {
        return Zones.toJson(zones.get(stream));
    }

    /** Replaces the stream's zones (PUT); an invalid document changes nothing. */
    public void putZones(String stream, byte[] document) throws Zones.Invalid {
        List<Zone> zs = Zones.parse(document);
        zones.put(stream, zs);
        StreamEvents s = live.get(stream);
        if (s != null) {
            s.zones(zs);
        }
    }

    /** Removes the stream's zones (DELETE). */
    public void deleteZones(String stream) {
        zones.put(stream, List.of());
        StreamEvents s = live.get(stream);
        if (s != null) {
            s.zones(List.of());
        }
    }

    private void emit(Event e) {
        metrics.eventMade(e.type()).inc();
        for (Sink s : sinks) {
            s.offer(e);
        }
    }

    private void refresh() {
        while (!closed) {
            try {
                Thread.sleep(REFRESH_MS);
                List<String> ids = new ArrayList<>(live.keySet());
                if (ids.isEmpty()) {
                    continue;
                }
                List<String> docs = zones.stored(ids);
                for (int i = 0; i < ids.size(); i++) {
                    StreamEvents s = live.get(ids.get(i));
                    if (s == null) {
                        continue;
                    }
                    List<Zone> zs = docs.get(i) == null ? zones.fallback(ids.get(i)) : Zones.parseStored(docs.get(i));
                    if (!Zones.toJson(zs).equals(Zones.toJson(s.zones()))) {
                        s.zones(zs);
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.debug("zones refresh: {}", e.toString()); // counted by RedisCommands; next turn retries
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        if (refresher != null) {
            refresher.interrupt();
        }
        if (picturePublisher != null) {
            picturePublisher.interrupt();
        }
        if (snapshotSharer != null) {
            snapshotSharer.interrupt();
        }
        if (stateWriter != null) {
            stateWriter.interrupt();
            try {
                stateWriter.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            writePending(); // the last ones, before the sinks close
            states.forEach((id, p) -> p.events().forEach(this::emit)); // left behind by a failed write
        }
        for (Sink s : sinks) {
            s.close();
        }
        if (redis != null) {
            redis.close();
        }
    }
}
