package io.framewire.state;

import io.framewire.metrics.Metrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.params.XAddParams;

/**
 * Appends results to their streams' capped Redis Streams off the workers' threads: workers only
 * offer to a bounded queue (a full queue drops and counts), and this thread writes whatever has
 * queued up (waiting 2 ms for more when little has) as one pipelined batch of XADDs per round trip. While Redis is down the queue holds
 * the newest {@code redis.publishQueue} results' worth and the batch in hand is retried, so a
 * short outage loses nothing (a batch cut off mid-write may be appended twice).
 */
final class ResultsPublisher extends RedisLoop {

    static final String FIELD = "m";
    private static final int BATCH = 1024;
    /** Lets a batch gather before a round trip: a wake-up and a round trip per result would cost more. */
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private record Item(String stream, String message) {}

    private final ArrayBlockingQueue<Item> queue;
    private final List<Item> batch = new ArrayList<>(BATCH);
    private final XAddParams params;
    private final Metrics metrics;

    ResultsPublisher(RedisLink link, int maxLen, Metrics metrics) {
        super(link, "results", 0);
        this.queue = new ArrayBlockingQueue<>(link.config().publishQueue());
        this.params = XAddParams.xAddParams().maxLen(maxLen).approximateTrimming();
        this.metrics = metrics;
    }

    void publish(String stream, String message) {
        if (!queue.offer(new Item(stream, message))) {
            metrics.redisResultsDropped.inc();
        }
    }

    @Override
    void step(Jedis jedis) throws InterruptedException {
        if (batch.isEmpty()) {
            Item first = queue.poll(200, TimeUnit.MILLISECONDS);
            if (first == null) {
                return;
            }
            batch.add(first);
            if (queue.size() < BATCH / 4) {
                LockSupport.parkNanos(LINGER_NANOS);
            }
            queue.drainTo(batch, BATCH - 1);
        }
        send(jedis);
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
            queue.drainTo(batch, BATCH - batch.size());
            send(jedis);
        }
    }
}
