package io.framewire.state;

import io.framewire.protocol.Encoded;
import io.framewire.protocol.Messages;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.params.XReadParams;
import redis.clients.jedis.resps.StreamEntry;

/**
 * Feeds every watcher on this host from one connection: a single XREAD covers all watched
 * streams, each read from the oldest position any of its watchers still needs, and each entry
 * goes to the watchers that have not seen it. Hundreds of watchers cost one thread and one
 * connection. A new watcher is picked up within one XREAD block ({@value #BLOCK_MS} ms).
 *
 * <p>It also keeps each watched stream's {@link Keys#watched} marker, which tells the publishing
 * host to append results: set when the first watcher here arrives and again when the last one
 * leaves (so it lasts a full retention after that), refreshed in between every quarter retention
 * (1 s to 60 s), rewritten on every new connection (a restarted Redis is empty), and checked every
 * second: a marker gone (Redis lost its data: FLUSHALL, a failover to an empty replica) is written
 * again at once, so the publishing host appends again within about two seconds (issue #25 F2).
 * What the watchers missed meanwhile is counted ({@code framewire_watch_results_missed_total}) from
 * the gaps in {@code seq} that the results' {@code dropped} does not explain. A message appended
 * twice in a row (the publishing host retried an append whose reply was lost) reaches the live
 * watchers once; a watcher replaying history from {@code last} may still see both.
 */
final class WatchReader extends RedisLoop {

    static final int BLOCK_MS = 200;
    private static final long CHECK_MS = 1_000;
    // per stream and read: with results.maxEntryBytes (64 KiB) at most 2 MiB of one stream in a reply
    private static final int COUNT = 32;

    private record Op(boolean add, String stream, Watcher watcher, StreamEntryID from) {}

    /** A watcher and the last entry it has been given; null until its start is known. */
    private static final class Cursor {
        final Watcher watcher;
        StreamEntryID last;

        Cursor(Watcher watcher, StreamEntryID last) {
            this.watcher = watcher;
            this.last = last;
        }
    }

    private final ConcurrentLinkedQueue<Op> ops = new ConcurrentLinkedQueue<>();
    private final Map<String, List<Cursor>> streams = new HashMap<>(); // this thread only
    private final XReadParams read = XReadParams.xReadParams().count(COUNT).block(BLOCK_MS);
    private final Set<String> toMark = new HashSet<>(); // this thread only
    private final SetParams mark;
    private final long markEveryMs;
    private long lastMarkAll;
    private long lastCheck;
    /** Per watched stream: the newest entry read and its message's seq (-1: none yet); this thread only. */
    private final Map<String, Newest> newest = new HashMap<>();
    private final CounterDataPoint missed;

    private static final class Newest {
        StreamEntryID entry = new StreamEntryID(0, 0);
        long seq = -1;
        /** Frames reported dropped by status messages since the last message with a seq. */
        long reported;
        String message;
    }

    WatchReader(RedisLink link, CounterDataPoint missed) {
        super(link, "watch", (int) link.config().timeout().toMillis() + BLOCK_MS);
        this.missed = missed;
        long retentionMs = link.config().retention().toMillis();
        this.mark = SetParams.setParams().px(retentionMs);
        this.markEveryMs = Math.clamp(retentionMs / 4, 1_000, 60_000);
    }

    @Override
    void connected(Jedis jedis) {
        lastMarkAll = 0;
    }

    void add(String stream, Watcher watcher, String from) {
        EntryId id = EntryId.parse(from);
        ops.add(new Op(true, stream, watcher, id == null ? null : new StreamEntryID(id.millis(), id.seq())));
        wake();
    }

    void remove(String stream, Watcher watcher) {
        ops.add(new Op(false, stream, watcher, null));
    }

    @Override
    void step(Jedis jedis) {
        applyOps();
        markWatched(jedis);
        if (streams.isEmpty()) {
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
            return;
        }
        startNewWatchers(jedis);
        Map<String, StreamEntryID> from = new HashMap<>();
        streams.forEach((stream, cursors) -> {
            StreamEntryID min = null;
            for (Cursor c : cursors) {
                if (min == null || c.last.compareTo(min) < 0) {
                    min = c.last;
                }
            }
            from.put(Keys.results(stream), min);
        });
        List<Map.Entry<String, List<StreamEntry>>> got = jedis.xread(read, from);
        link.ok(name());
        if (got == null) {
            return;
        }
        for (Map.Entry<String, List<StreamEntry>> e : got) {
            List<Cursor> cursors = streams.get(Keys.streamOfResults(e.getKey()));
            if (cursors == null) {
                continue;
            }
            Newest seen = newest.computeIfAbsent(e.getKey(), k -> new Newest());
            for (StreamEntry entry : e.getValue()) {
                String id = entry.getID().toString();
                String message = entry.getFields().get(ResultsPublisher.FIELD);
                boolean again = false;
                Encoded watched = null; // once per entry, shared by its watchers
                if (message != null && entry.getID().compareTo(seen.entry) > 0) {
                    seen.entry = entry.getID();
                    again = message.equals(seen.message); // appended twice: a retry after a lost reply
                    if (!again) {
                        account(seen, message);
                        seen.message = message;
                    }
                }
                for (Cursor c : cursors) {
                    if (entry.getID().compareTo(c.last) > 0) {
                        c.last = entry.getID();
                        if (message != null && !again) {
                            if (watched == null) {
                                watched = Encoded.of(Messages.watched(id, message));
                            }
                            c.watcher.deliver(id, watched);
                        }
                    }
                }
            }
        }
    }

    /** Counts the messages between the last one read and {@code message} that never came. */
    private void account(Newest seen, String message) {
        long[] acc = Messages.accounting(message);
        if (acc == null) {
            return;
        }
        if (acc[0] < 0) { // a status message: drops reported now, not in the next result
            seen.reported += Math.max(0, acc[1]);
            return;
        }
        long gap = acc[0] - seen.seq - 1 - Math.max(0, acc[1]) - seen.reported;
        if (seen.seq >= 0 && acc[0] > seen.seq && gap > 0) {
            missed.inc(gap);
        }
        seen.seq = acc[0]; // a smaller seq: a new connection of the camera, counting from its start
        seen.reported = 0;
    }

    private void applyOps() {
        Op op;
        while ((op = ops.poll()) != null) {
            if (op.add()) {
                Cursor c = new Cursor(op.watcher(), op.from());
                streams.computeIfAbsent(op.stream(), s -> {
                    toMark.add(s);
                    return new ArrayList<>();
                }).add(c);
                if (c.last != null) {
                    c.watcher.ready(c.last.toString());
                }
            } else {
                List<Cursor> cursors = streams.get(op.stream());
                if (cursors != null) {
                    Watcher w = op.watcher();
                    cursors.removeIf(c -> c.watcher == w);
                    if (cursors.isEmpty()) {
                        streams.remove(op.stream());
                        newest.remove(Keys.results(op.stream()));
                        toMark.add(op.stream());
                    }
                }
            }
        }
    }

    /** Writes the markers due, in one round trip; kept pending on failure (the loop retries). */
    private void markWatched(Jedis jedis) {
        long now = System.currentTimeMillis();
        if (now - lastMarkAll >= markEveryMs) {
            toMark.addAll(streams.keySet());
            lastMarkAll = now;
        } else if (now - lastCheck >= CHECK_MS && !streams.isEmpty()) {
            lastCheck = now;
            Pipeline p = jedis.pipelined();
            Map<String, Response<Boolean>> present = new HashMap<>();
            for (String stream : streams.keySet()) {
                present.put(stream, p.exists(Keys.watched(stream)));
            }
            p.sync();
            present.forEach((stream, there) -> {
                if (!there.get()) {
                    toMark.add(stream);
                }
            });
        }
        if (toMark.isEmpty()) {
            return;
        }
        Pipeline p = jedis.pipelined();
        for (String stream : toMark) {
            p.set(Keys.watched(stream), "1", mark);
        }
        p.sync();
        toMark.clear();
    }

    /** Watchers without a start position begin after the stream's newest entry. */
    private void startNewWatchers(Jedis jedis) {
        Map<String, Response<List<StreamEntry>>> newest = new HashMap<>();
        Pipeline p = null;
        for (Map.Entry<String, List<Cursor>> e : streams.entrySet()) {
            for (Cursor c : e.getValue()) {
                if (c.last == null && !newest.containsKey(e.getKey())) {
                    if (p == null) {
                        p = jedis.pipelined();
                    }
                    newest.put(e.getKey(), p.xrevrange(Keys.results(e.getKey()), "+", "-", 1));
                }
            }
        }
        if (p == null) {
            return;
        }
        p.sync();
        for (Map.Entry<String, Response<List<StreamEntry>>> e : newest.entrySet()) {
            List<StreamEntry> last = e.getValue().get();
            StreamEntryID start = last.isEmpty() ? new StreamEntryID(0, 0) : last.get(0).getID();
            for (Iterator<Cursor> it = streams.get(e.getKey()).iterator(); it.hasNext(); ) {
                Cursor c = it.next();
                if (c.last == null) {
                    c.last = start;
                    c.watcher.ready(start.toString());
                }
            }
        }
    }
}
