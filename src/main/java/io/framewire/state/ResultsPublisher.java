package io.framewire.state;

import io.framewire.metrics.Metrics;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
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
 */
final class ResultsPublisher extends RedisLoop {

    static final String FIELD = "m";
    private static final int BATCH = 1024;
    /** Lets a batch gather before a round trip: a wake-up and a round trip per result would cost more. */
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** The first record write of a connection takes one records tick; longer means Redis trouble. */
    private static final long HOLD_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long HELD_RECHECK_MS = 20;

    private record Item(String stream, String message, long at) {}

    private final ArrayBlockingQueue<Item> queue;
    private final List<Item> batch = new ArrayList<>(BATCH);
    private final List<Item> incoming = new ArrayList<>(BATCH);
    private final ArrayDeque<Item> held = new ArrayDeque<>();
    private final XAddParams params;
    private final WatchedStreams watched;
    private final Metrics metrics;

    ResultsPublisher(RedisLink link, int maxLen, WatchedStreams watched, Metrics metrics) {
        super(link, "results", 0);
        this.queue = new ArrayBlockingQueue<>(link.config().publishQueue());
        this.params = XAddParams.xAddParams().maxLen(maxLen).approximateTrimming();
        this.watched = watched;
        this.metrics = metrics;
    }

    void publish(String stream, String message) {
        if (watched.state(stream) == WatchedStreams.State.UNWATCHED) {
            return; // nobody watched it within the retention: not an error, just no XADD
        }
        if (!queue.offer(new Item(stream, message, System.nanoTime()))) {
            metrics.redisResultsDropped.inc();
        }
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
                case UNWATCHED -> { }
                case UNKNOWN -> {
                    if (now - item.at() < HOLD_NANOS) {
                        held.add(item);
                    } else {
                        metrics.redisResultsDropped.inc();
                    }
                }
            }
        }
    }

    private void send(Jedis jedis) {
        Pipeline p = jedis.pipelined();
        for (Item item : batch) {
            p.xadd(Keys.results(item.stream()), params, Map.of(FIELD, item.message()));
        }
        long t0 = System.nanoTime();
        p.sync();
        link.observe(t0);
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
