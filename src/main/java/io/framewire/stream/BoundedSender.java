package io.framewire.stream;

import io.framewire.protocol.CloseCodes;
import io.framewire.protocol.Encoded;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.eclipse.jetty.websocket.api.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a connection's results without blocking the caller (an inference worker, a watch feed):
 * {@link #send} queues on Jetty's flusher and returns at once. A client that stops reading leaves
 * them unsent; past {@code maxPending} messages or {@code maxPendingBytes} bytes of those it is
 * closed with 1008, so what waits for it stays bounded in bytes, whatever the size of a result.
 * When the host's {@link OutputBudget} is spent, a message is dropped (counted) for a client that
 * keeps up, and a client that is behind (a quarter of its own budget unsent) is closed with 1008.
 */
public final class BoundedSender {

    private static final Logger log = LoggerFactory.getLogger(BoundedSender.class);
    // for the close frame to get out; a client that reads nothing never takes it
    private static final Duration ABORT_GRACE = Duration.ofSeconds(2);

    private final BlockingWebSocket ws;
    private final int maxPending;
    private final long maxPendingBytes;
    private final OutputBudget total;
    private final String who;
    private final LongConsumer sent;
    private final Consumer<Throwable> failed;
    private final Runnable dropped;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicLong pendingBytes = new AtomicLong();
    private final AtomicBoolean notReading = new AtomicBoolean();

    /**
     * {@code who} names the connection in the log ("stream cam-1"); {@code sent} and {@code failed}
     * run on Jetty's thread once a message is written or has failed, and must not block;
     * {@code dropped} counts a message not sent for a budget (this connection closed, or the host's spent).
     */
    public BoundedSender(BlockingWebSocket ws, OutputLimits limits, String who, Runnable sent, Consumer<Throwable> failed) {
        this(ws, limits, who, (LongConsumer) nanos -> sent.run(), failed);
    }

    /** As above; {@code sent} gets the nanoseconds from {@link #send} to written (the write stage of a frame's hop). */
    public BoundedSender(BlockingWebSocket ws, OutputLimits limits, String who, LongConsumer sent, Consumer<Throwable> failed) {
        this.ws = ws;
        this.maxPending = limits.maxPending();
        this.maxPendingBytes = limits.maxPendingBytes();
        this.total = limits.total();
        this.who = who;
        this.sent = sent;
        this.failed = failed;
        this.dropped = limits.dropped();
    }

    /** Queues {@code message} on the connection; never blocks. */
    public void send(String message) {
        send(Encoded.of(message));
    }

    /** Queues {@code message} (shared with other connections, never copied) on the connection; never blocks. */
    public void send(Encoded message) {
        int size = message.size();
        if (notReading.get()) {
            dropped.run();
            return;
        }
        long bytes = pendingBytes.addAndGet(size);
        if (pending.incrementAndGet() > maxPending || bytes > maxPendingBytes) {
            undo(size);
            notReading(String.format("%d results or %,d bytes pending", maxPending, maxPendingBytes));
            return;
        }
        if (!total.tryAcquire(size)) {
            undo(size);
            if (bytes - size > maxPendingBytes / 4) {
                notReading("host's output budget spent (ws.maxPendingBytesTotal) with this client behind");
            } else {
                dropped.run();
            }
            return;
        }
        long queuedAt = System.nanoTime();
        ws.sendAsync(message, Callback.from(() -> {
            written(size);
            sent.accept(System.nanoTime() - queuedAt);
        }, cause -> {
            written(size);
            failed.accept(cause);
        }));
    }

    /** Bytes queued on the connection and not yet written. */
    public long pendingBytes() {
        return pendingBytes.get();
    }

    private void undo(int size) {
        pending.decrementAndGet();
        pendingBytes.addAndGet(-size);
    }

    private void written(int size) {
        undo(size);
        total.release(size);
    }

    private void notReading(String why) {
        dropped.run();
        if (notReading.compareAndSet(false, true)) {
            log.info("{}: client is not reading results ({}); closing", who, why);
            ws.close(CloseCodes.POLICY, "results not being read", ABORT_GRACE);
        }
    }
}
