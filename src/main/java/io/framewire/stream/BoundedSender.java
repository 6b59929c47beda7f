package io.framewire.stream;

import io.framewire.protocol.CloseCodes;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.eclipse.jetty.websocket.api.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a connection's results without blocking the caller (an inference worker, a watch feed):
 * {@link #send} queues on Jetty's flusher and returns at once. A client that stops reading leaves
 * them unsent; past {@code maxPending} of those it is closed with 1008, so what waits for it stays bounded.
 */
public final class BoundedSender {

    private static final Logger log = LoggerFactory.getLogger(BoundedSender.class);
    // for the close frame to get out; a client that reads nothing never takes it
    private static final Duration ABORT_GRACE = Duration.ofSeconds(2);

    private final BlockingWebSocket ws;
    private final int maxPending;
    private final String who;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean notReading = new AtomicBoolean();
    private final Callback written; // one for every message: nothing allocated per send

    /**
     * {@code who} names the connection in the log ("stream cam-1"); {@code sent} and {@code failed}
     * run on Jetty's thread once a message is written or has failed, and must not block.
     */
    public BoundedSender(BlockingWebSocket ws, int maxPending, String who, Runnable sent, Consumer<Throwable> failed) {
        this.ws = ws;
        this.maxPending = maxPending;
        this.who = who;
        this.written = Callback.from(() -> {
            pending.decrementAndGet();
            sent.run();
        }, cause -> {
            pending.decrementAndGet();
            failed.accept(cause);
        });
    }

    /** Queues {@code message} on the connection; never blocks. */
    public void send(String message) {
        if (pending.incrementAndGet() > maxPending) {
            pending.decrementAndGet();
            if (notReading.compareAndSet(false, true)) {
                log.info("{}: client is not reading results ({} pending); closing", who, maxPending);
                ws.close(CloseCodes.POLICY, "results not being read", ABORT_GRACE);
            }
            return;
        }
        ws.sendAsync(message, written);
    }
}
