package io.framewire.state;

import io.framewire.protocol.Messages;
import io.framewire.stream.BlockingWebSocket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.websocket.api.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code /ws/watch/{stream}} connection: the feed pushes the stream's results to it without
 * blocking (like a publisher's writer: a watcher that stops reading is closed with 1008 once
 * {@code ws.maxPendingResults} are unsent), and its own virtual thread only waits for the close.
 */
public final class WatchSession implements Watcher {

    public static final int CLOSE_NOT_READING = 1008;
    private static final Logger log = LoggerFactory.getLogger(WatchSession.class);
    private static final Duration ABORT_GRACE = Duration.ofSeconds(2);

    private final String streamId;
    private final BlockingWebSocket ws;
    private final int maxPending;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean notReading = new AtomicBoolean();
    private final Callback written;

    public WatchSession(String streamId, BlockingWebSocket ws, int maxPending) {
        this.streamId = streamId;
        this.ws = ws;
        this.maxPending = maxPending;
        this.written = Callback.from(pending::decrementAndGet, failure -> pending.decrementAndGet());
    }

    /** Runs on the connection's virtual thread until the watcher goes away. */
    public void run(SharedState state, String lastEntry) {
        state.watch(streamId, lastEntry, this);
        try {
            BlockingWebSocket.Message m;
            while ((m = ws.next()) != null) {
                if (m instanceof BlockingWebSocket.Binary b) {
                    b.release();
                }
                send(Messages.error(-1, "unexpected_message",
                        "a watch connection only receives results; send nothing", 0));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            state.unwatch(streamId, this);
        }
    }

    @Override
    public void ready(String from) {
        send(Messages.watching(streamId, from));
    }

    @Override
    public void deliver(String entry, String message) {
        send(Messages.watched(entry, message));
    }

    private void send(String message) {
        if (pending.incrementAndGet() > maxPending) {
            pending.decrementAndGet();
            if (notReading.compareAndSet(false, true)) {
                log.info("watcher of {}: not reading ({} pending); closing", streamId, maxPending);
                ws.close(CLOSE_NOT_READING, "results not being read", ABORT_GRACE);
            }
            return;
        }
        ws.sendAsync(message, written);
    }
}
