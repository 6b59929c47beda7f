package io.framewire.stream;

import io.framewire.protocol.Encoded;
import io.framewire.protocol.Messages;
import io.framewire.state.SharedState;
import io.framewire.state.Watcher;

/**
 * One {@code /ws/watch/{stream}} connection: the feed pushes the stream's results to it without
 * blocking (a {@link BoundedSender}, like a publisher's: a watcher that stops reading is closed
 * with 1008 once {@code ws.maxPendingResults} or {@code ws.maxPendingBytes} are unsent), and its own virtual thread only waits
 * for the close.
 */
public final class WatchSession implements Watcher {

    private final String streamId;
    private final BlockingWebSocket ws;
    private final BoundedSender out;

    public WatchSession(String streamId, BlockingWebSocket ws, OutputLimits limits) {
        this.streamId = streamId;
        this.ws = ws;
        this.out = new BoundedSender(ws, limits, "watcher of " + streamId, () -> {}, failure -> {});
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
                out.send(Messages.error(-1, "unexpected_message",
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
        out.send(Messages.watching(streamId, from));
    }

    @Override
    public void deliver(String entry, Encoded watched) {
        out.send(watched); // encoded once for all the stream's watchers
    }
}
