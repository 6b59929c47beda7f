package io.framewire.stream;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.exceptions.CloseException;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.CloseStatus;

/**
 * Turns Jetty's demand-driven WebSocket into a blocking one served by a virtual thread:
 * {@code while ((m = ws.next()) != null) ...}.
 *
 * <p>Jetty reads the next message only after {@link Session#demand()}, and {@link #next()} is the
 * only place that demands. A loop that stops calling it stops reading the socket, so TCP flow
 * control pushes back on the client instead of a buffer growing here.
 */
public final class BlockingWebSocket implements Session.Listener {

    /** What {@link #next()} returns. */
    public sealed interface Message {}

    public record Binary(byte[] data) implements Message {}

    public record Text(String text) implements Message {}

    /** Close code and reason once the connection has ended. */
    public record Closed(int code, String reason) {}

    private static final Object WAKE = new Object();

    // At most one data message (demand is one at a time) plus the close event (and wake-ups).
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final Consumer<BlockingWebSocket> handler;
    private final String threadName;
    private volatile Session session;
    private volatile Closed closed;
    private boolean endSeen; // reader thread only
    // Set by the reader when it demands, cleared by the message that meets the demand. A second
    // demand() before that (a next() after wake()) breaks Jetty's one-demand-per-event rule: racing
    // Jetty's own demand for the next fragment of a message, it fails the connection with 1011.
    private volatile boolean demanding;

    /** {@code handler} runs on its own virtual thread once the connection is open. */
    public BlockingWebSocket(String threadName, Consumer<BlockingWebSocket> handler) {
        this.threadName = threadName;
        this.handler = handler;
    }

    /**
     * Blocks until the next message; null once the connection has closed (see {@link #closed()}),
     * or after {@link #wake()}. Messages that arrived before the close are still returned first.
     */
    public Message next() throws InterruptedException {
        if (endSeen) {
            return null;
        }
        if (closed == null && !demanding) {
            demanding = true;
            try {
                session.demand();
            } catch (IllegalStateException e) {
                // closing: the Closed event is queued or on its way
            }
        }
        Object event = inbox.take();
        if (event instanceof Message m) {
            return m;
        }
        if (event != WAKE) {
            endSeen = true;
        }
        return null;
    }

    /**
     * Makes the reader's pending (or next) {@link #next()} return null while the connection stays
     * open: the server stops reading a stream it is draining. Safer than interrupting the reader,
     * whose socket writes an interrupt would abort.
     */
    public void wake() {
        inbox.add(WAKE);
    }

    /**
     * Queues a text message and returns at once; Jetty's per-connection flusher writes queued
     * frames in order, and {@code done} completes once this one is written (or has failed).
     */
    public void sendAsync(String message, Callback done) {
        session.sendText(message, done);
    }

    /**
     * Sends a close frame; {@link #next()} returns null once the connection has ended. Jetty ends
     * it as soon as the frame is written for every code but 1000 (see {@link HandshakeClose}).
     */
    public void close(int code, String reason) {
        Session s = session;
        if (s != null) {
            s.close(code, reason, Callback.NOOP);
        }
    }

    /**
     * Closes with a close frame, and drops the connection if it has not ended within
     * {@code grace}: a client that stopped reading never receives the close frame.
     */
    public void close(int code, String reason, Duration grace) {
        close(code, reason);
        abortAfter(grace);
    }

    /**
     * Closes with the whole closing handshake: sends a close frame, then keeps the connection open,
     * reading, until the client's close frame comes back (the caller keeps calling {@link #next()},
     * which returns what the client still sends), and drops it if that has not happened within
     * {@code grace}. A client still writing when the close frame arrives thus gets its unread
     * messages and the close frame, where a close over its unread bytes would reset the connection.
     */
    public void closeHandshake(int code, String reason, Duration grace) {
        Session s = session;
        if (s instanceof WebSocketSession jetty) {
            jetty.getCoreSession().close(new HandshakeClose(code, reason), org.eclipse.jetty.util.Callback.NOOP);
        } else if (s != null) {
            s.close(code, reason, Callback.NOOP);
        }
        abortAfter(grace);
    }

    /**
     * Jetty takes every close code but 1000, 1005 and 3000+ for an error ({@code CloseStatus.isAbnormal}):
     * sending one, it drops the frames still queued and closes TCP as soon as the close frame is
     * written, without waiting for the peer's (jetty/jetty.project#3809). Not abnormal, the close
     * is a handshake: queued frames go first, and Jetty closes TCP once it has read the client's close.
     */
    private static final class HandshakeClose extends CloseStatus {
        HandshakeClose(int code, String reason) {
            super(code, reason);
        }

        @Override
        public boolean isAbnormal() {
            return false;
        }
    }

    private void abortAfter(Duration grace) {
        Thread.ofVirtual().name(threadName + "-abort").start(() -> {
            try {
                Thread.sleep(grace);
            } catch (InterruptedException e) {
                return;
            }
            Session s = session;
            if (s != null && closed == null) {
                s.disconnect();
            }
        });
    }

    public boolean isOpen() {
        Session s = session;
        return s != null && s.isOpen();
    }

    public Closed closed() {
        return closed;
    }

    public String remoteAddress() {
        Session s = session;
        return s == null ? "?" : String.valueOf(s.getRemoteSocketAddress());
    }

    @Override
    public void onWebSocketOpen(Session session) {
        this.session = session;
        Thread.ofVirtual().name(threadName).start(() -> handler.accept(this));
    }

    // Copied and released here, before the reader wakes: a reader completing Jetty's callback
    // itself would contend for the connection's lock with this (still unwinding) Jetty thread.
    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        byte[] data = new byte[payload.remaining()];
        payload.get(data);
        callback.succeed();
        demanding = false;
        inbox.add(new Binary(data));
    }

    @Override
    public void onWebSocketText(String message) {
        demanding = false;
        inbox.add(new Text(message));
    }

    // Control frames use up the demand of next(): answer and demand again so next() still gets its message.
    @Override
    public void onWebSocketPing(ByteBuffer payload) {
        session.sendPong(payload, Callback.NOOP);
        session.demand();
    }

    @Override
    public void onWebSocketPong(ByteBuffer payload) {
        session.demand();
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        finish(new Closed(statusCode, reason));
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        // Jetty reports the errors it closes for (1009 too big, 1002 protocol, ...) here, before
        // onWebSocketClose: keep their close code rather than calling them abnormal (1006).
        int code = cause instanceof CloseException ce ? ce.getStatusCode() : 1006;
        finish(new Closed(code, String.valueOf(cause.getMessage())));
    }

    private synchronized void finish(Closed c) {
        if (closed == null) {
            closed = c;
            inbox.add(c);
        }
    }
}
