package io.framewire.state;

import io.framewire.metrics.Metrics;
import io.framewire.protocol.Messages;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.params.XAddParams;

/**
 * Appends the results of watched streams to their capped Redis Streams off the workers' threads:
 * results of unwatched streams are dropped at once (the common case in a fleet: no XADD), workers
 * only offer to a bounded queue (a full queue drops and counts), and this thread writes whatever
 * has queued up (waiting 2 ms for more when little has) as one pipelined batch of XADDs per round
 * trip. Results of a stream whose watch state is not known yet (a new connection before its first
 * record write) are held here, in order, until it is. While Redis is down the queue holds the
 * newest {@code redis.publishQueue} results' worth and the batch in hand is retried, so a short
 * outage loses nothing (a batch cut off mid-write may be appended twice).
 *
 * <p>Bounded in bytes, whatever size of result a client causes: the queue (with the held results
 * and the batch in hand) holds at most {@code redis.publishQueueBytes}; a result over
 * {@code results.maxEntryBytes} is appended as a {@code skipped} marker; and each XADD trims its
 * stream to {@code results.maxBytesPerStream} over the largest entry this host has appended to it
 * (at most {@code results.maxLen} entries), so a stream's log in Redis stays within its byte budget.
 */
final class ResultsPublisher extends RedisLoop {

    static final String FIELD = "m";
    private static final int BATCH = 1024;
    /** Lets a batch gather before a round trip: a wake-up and a round trip per result would cost more. */
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** The first record write of a connection takes one records tick; longer means Redis trouble. */
    private static final long HOLD_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long HELD_RECHECK_MS = 20;

    private record Item(String stream, String message, long at) {
        long bytes() {
            return message.length(); // JSON of ASCII-escaped text: a char is a byte
        }
    }

    private final ArrayBlockingQueue<Item> queue;
    private final List<Item> batch = new ArrayList<>(BATCH);
    private final List<Item> incoming = new ArrayList<>(BATCH);
    private final ArrayDeque<Item> held = new ArrayDeque<>();
    private final XAddParams params;
    private final WatchedStreams watched;
    private final Metrics metrics;
    private final ResultsLimits limits;
    private final long maxQueuedBytes;
    private final AtomicLong queuedBytes = new AtomicLong(); // queue, held and batch
    private final Map<String, Integer> largest = new ConcurrentHashMap<>(); // per stream published here

    ResultsPublisher(RedisLink link, ResultsLimits limits, WatchedStreams watched, Metrics metrics) {
        super(link, "results", 0);
        this.limits = limits;
        this.queue = new ArrayBlockingQueue<>(link.config().publishQueue());
        this.maxQueuedBytes = link.config().publishQueueBytes();
        this.params = XAddParams.xAddParams().maxLen(Math.max(1, limits.maxLen())).approximateTrimming();
        this.watched = watched;
        this.metrics = metrics;
    }

    void publish(String stream, String message) {
        if (watched.state(stream) == WatchedStreams.State.UNWATCHED) {
            return; // nobody watched it within the retention: not an error, just no XADD
        }
        if (message.length() > limits.maxEntryBytes()) {
            message = Messages.skipped(stream, message, message.length(), limits.maxEntryBytes());
        }
        Item item = new Item(stream, message, System.nanoTime());
        if (queuedBytes.addAndGet(item.bytes()) > maxQueuedBytes) {
            queuedBytes.addAndGet(-item.bytes());
            metrics.redisResultsDropped.inc();
            return;
        }
        if (!queue.offer(item)) {
            queuedBytes.addAndGet(-item.bytes());
            metrics.redisResultsDropped.inc();
        }
    }

    /** Bytes of results waiting for Redis (at most {@code redis.publishQueueBytes}). */
    long queuedBytes() {
        return queuedBytes.get();
    }

    /** The stream no longer publishes here. */
    void forget(String stream) {
        largest.remove(stream);
    }

    /** XADD's trim for this entry: as many entries as the stream's byte budget holds of its largest. */
    private XAddParams trimFor(Item item) {
        int size = largest.merge(item.stream(), (int) item.bytes(), Math::max);
        long fit = Math.max(1, limits.maxBytesPerStream() / Math.max(1, size));
        if (fit >= limits.maxLen()) {
            return params;
        }
        return XAddParams.xAddParams().maxLen(fit).exactTrimming(); // "~" could keep a whole node (100) more
    }

    @Override
    void step(Jedis jedis) throws InterruptedException {
        if (batch.isEmpty()) {
            Item first = queue.poll(held.isEmpty() ? 200 : HELD_RECHECK_MS, TimeUnit.MILLISECONDS);
            if (first != null) {
                incoming.add(first);
                if (queue.size() < BATCH / 4) {
                    LockSupport.parkNanos(LINGER_NANOS);
                }
                queue.drainTo(incoming, BATCH - 1);
            }
            select();
            if (batch.isEmpty()) {
                return;
            }
        }
        send(jedis);
    }

    /** Held then new results into the batch, in order; one state per stream per pass keeps each stream in order. */
    private void select() {
        held.addAll(incoming);
        incoming.clear();
        Map<String, WatchedStreams.State> states = new HashMap<>();
        long now = System.nanoTime();
        for (int n = held.size(); n > 0; n--) {
            Item item = held.poll();
            switch (states.computeIfAbsent(item.stream(), watched::state)) {
                case WATCHED -> batch.add(item);
                case UNWATCHED -> queuedBytes.addAndGet(-item.bytes());
                case UNKNOWN -> {
                    if (now - item.at() < HOLD_NANOS) {
                        held.add(item);
                    } else {
                        queuedBytes.addAndGet(-item.bytes());
                        metrics.redisResultsDropped.inc();
                    }
                }
            }
        }
    }

    private void send(Jedis jedis) {
        Pipeline p = jedis.pipelined();
        for (Item item : batch) {
            p.xadd(Keys.results(item.stream()), trimFor(item), Map.of(FIELD, item.message()));
        }
        long t0 = System.nanoTime();
        p.sync();
        link.observe(t0);
        for (Item item : batch) {
            queuedBytes.addAndGet(-item.bytes());
        }
        batch.clear();
        link.ok(name());
    }

    /** On shutdown: what is still queued, in one last round trip or a few. */
    @Override
    void finish(Jedis jedis) {
        for (int rounds = 0; rounds < 64 && (!batch.isEmpty() || !queue.isEmpty()); rounds++) {
            if (batch.isEmpty()) {
                queue.drainTo(incoming, BATCH);
                select();
            }
            if (!batch.isEmpty()) {
                send(jedis);
            }
        }
    }
}
