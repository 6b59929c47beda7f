package io.framewire.stream;

import io.framewire.protocol.Encoded;
import io.framewire.protocol.ErrorCode;
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

    private final int framesPerSecond;
    private volatile Thread relay; // started by ready(), on the feed's thread
    private final PictureFeed pictures;
    private final java.util.concurrent.atomic.AtomicBoolean pictureInFlight = new java.util.concurrent.atomic.AtomicBoolean();

    public WatchSession(String streamId, BlockingWebSocket ws, OutputLimits limits) {
        this(streamId, ws, limits, 0, null);
    }

    /**
     * With {@code framesPerSecond} above 0, the watcher also gets the stream's picture at most that
     * often: a text message {@code {"type":"frame","stream","ts","width","height"}}, then the JPEG as a
     * binary message. One picture at a time is in flight: a watcher that reads slowly gets fewer, never a backlog.
     */
    public WatchSession(String streamId, BlockingWebSocket ws, OutputLimits limits, int framesPerSecond, PictureFeed pictures) {
        this.streamId = streamId;
        this.ws = ws;
        this.framesPerSecond = pictures == null ? 0 : framesPerSecond;
        this.pictures = pictures;
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
                out.send(Messages.error(-1, ErrorCode.UNEXPECTED_MESSAGE,
                        "a watch connection only receives results; send nothing", 0));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            Thread r = relay;
            if (r != null) {
                r.interrupt();
            }
            state.unwatch(streamId, this);
        }
    }

    /** The pictures' own loop: at most {@code framesPerSecond}, each only when newer than the last sent. */
    private void relayPictures() {
        long every = 1_000_000_000L / framesPerSecond;
        long last = 0;
        try {
            while (ws.isOpen()) {
                long t0 = System.nanoTime();
                PictureFeed.Picture p = pictures.next(streamId, framesPerSecond, last);
                if (p != null && pictureInFlight.compareAndSet(false, true)) {
                    last = p.atMillis();
                    out.send("{\"type\":\"frame\",\"stream\":\"" + streamId + "\",\"ts\":" + p.atMillis()
                            + ",\"width\":" + p.width() + ",\"height\":" + p.height() + "}");
                    ws.sendAsync(java.nio.ByteBuffer.wrap(p.jpeg()), org.eclipse.jetty.websocket.api.Callback.from(
                            () -> pictureInFlight.set(false), failure -> pictureInFlight.set(false)));
                }
                java.util.concurrent.TimeUnit.NANOSECONDS.sleep(Math.max(0, every - (System.nanoTime() - t0)));
            }
        } catch (InterruptedException e) {
            // the watcher left
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(WatchSession.class).debug("watcher of {}: pictures stopped: {}", streamId, e.toString());
        }
    }

    @Override
    public void ready(String from) {
        out.send(Messages.watching(streamId, from));
        // pictures only after "watching": the first message says where the feed starts
        if (framesPerSecond > 0 && relay == null && ws.isOpen()) {
            relay = Thread.ofVirtual().name("ws-watch-frames-" + streamId).start(this::relayPictures);
        }
    }

    @Override
    public void deliver(String entry, Encoded watched) {
        out.send(watched); // encoded once for all the stream's watchers
    }
}
