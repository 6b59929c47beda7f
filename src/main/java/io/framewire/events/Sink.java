package io.framewire.events;

import io.framewire.metrics.Metrics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where events go, each sink on its own thread behind its own bounded queue: {@link #offer} never
 * blocks (a full queue drops the event and counts it), so a dead or slow receiver never slows the
 * frame path nor the other sinks. Delivery is at least once: a batch is retried, with exponential
 * backoff from {@code minBackoff} to {@code maxBackoff} on the sink's {@link Ticker}, until it is
 * delivered or the sink is closed; only a receiver's final refusal ({@link Refused}) gives an event up.
 */
abstract class Sink implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Sink.class);

    /** The receiver refused these events for good (a webhook's 4xx): retrying cannot help. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    final String name;
    private final ArrayBlockingQueue<Event> queue;
    private final int maxBatch;
    private final Ticker ticker;
    private final long minBackoff;
    private final long maxBackoff;
    private final AtomicInteger inFlight = new AtomicInteger();
    private Metrics.Sink metrics;
    private Thread thread;
    private volatile boolean closed;

    Sink(String name, int queueBound, int maxBatch, Ticker ticker, long minBackoffNanos, long maxBackoffNanos) {
        this.name = name;
        this.queue = new ArrayBlockingQueue<>(queueBound);
        this.maxBatch = maxBatch;
        this.ticker = ticker;
        this.minBackoff = minBackoffNanos;
        this.maxBackoff = maxBackoffNanos;
    }

    /** Delivers the batch; removes from it what it delivered, and throws at the first failure. */
    abstract void deliver(List<Event> batch) throws Exception;

    /** Starts the sink's thread. */
    void start(Metrics m) {
        metrics = m.eventSink(name, this::backlog);
        thread = Thread.ofPlatform().daemon().name("fw-events-" + name).start(this::run);
    }

    /** Queues an event; false (and counted) when the queue is full. Never blocks. */
    boolean offer(Event e) {
        if (queue.offer(e)) {
            return true;
        }
        metrics.dropped().inc();
        return false;
    }

    /** Events queued or in flight. */
    int backlog() {
        return queue.size() + inFlight.get();
    }

    private void run() {
        List<Event> batch = new ArrayList<>(maxBatch);
        try {
            while (!closed) {
                Event first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                inFlight.set(batch.size());
                send(batch);
                batch.clear();
                inFlight.set(0);
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    private void send(List<Event> batch) throws InterruptedException {
        long backoff = minBackoff;
        while (!batch.isEmpty()) {
            int before = batch.size();
            try {
                deliver(batch);
                metrics.delivered().inc(before - batch.size());
                return;
            } catch (Refused e) {
                metrics.delivered().inc(before - batch.size());
                metrics.dropped().inc();
                log.warn("event sink {} refused event {}: {}", name, batch.getFirst().id(), e.getMessage());
                batch.removeFirst();
                inFlight.set(batch.size());
            } catch (Exception e) {
                metrics.delivered().inc(before - batch.size());
                metrics.failures().inc();
                inFlight.set(batch.size());
                if (backoff == minBackoff) {
                    log.warn("event sink {}: delivery failed ({}); retrying with backoff, {} queued", name, e.toString(), backlog());
                }
                if (closed) {
                    return;
                }
                ticker.sleep(backoff);
                backoff = Math.min(maxBackoff, backoff * 2);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
