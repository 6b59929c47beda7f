package io.framewire.state;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A background thread that owns one Redis connection and repeats {@link #step}. On failure it
 * closes the connection, reports to the link and retries with exponential backoff (100 ms to 5 s),
 * so an outage costs one sleeping thread per loop, never a pile of blocked callers.
 */
abstract class RedisLoop implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(RedisLoop.class);
    private static final long MIN_BACKOFF_MS = 100;
    private static final long MAX_BACKOFF_MS = 5_000;

    protected final RedisLink link;
    private final String name;
    private final int blockingMillis;
    private final Thread thread;
    protected volatile boolean running = true;

    RedisLoop(RedisLink link, String name, int blockingMillis) {
        this.link = link;
        this.name = name;
        this.blockingMillis = blockingMillis;
        this.thread = Thread.ofPlatform().daemon().name("redis-" + name).unstarted(this);
    }

    String name() {
        return name;
    }

    void start() {
        thread.start();
    }

    /** One unit of work; returns normally when it succeeded (or had nothing to do). */
    abstract void step(Jedis jedis) throws InterruptedException;

    /** Runs once on each new connection before the steps. */
    void connected(Jedis jedis) {}

    /** Runs once after {@link #stop}, on a fresh connection, if Redis is reachable. */
    void finish(Jedis jedis) {}

    /** Called by {@link #stop} to wake the loop from a wait. */
    void wake() {
        LockSupport.unpark(thread);
    }

    @Override
    public void run() {
        long backoff = MIN_BACKOFF_MS;
        while (running) {
            try (Jedis jedis = link.open(name, blockingMillis)) {
                connected(jedis);
                while (running) {
                    step(jedis);
                    backoff = MIN_BACKOFF_MS;
                }
            } catch (InterruptedException e) {
                break;
            } catch (JedisException e) {
                if (!running) {
                    break;
                }
                link.failed(name, e);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoff));
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
            } catch (RuntimeException e) {
                log.error("redis-{}: unexpected failure; retrying", name, e);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(MAX_BACKOFF_MS));
            }
        }
        if (link.up()) {
            try (Jedis jedis = link.open(name + "-final", blockingMillis)) {
                finish(jedis);
            } catch (JedisException e) {
                log.info("redis-{}: final write skipped: {}", name, e.toString());
            }
        }
    }

    void stop(long waitMillis) {
        running = false;
        wake();
        try {
            thread.join(waitMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
