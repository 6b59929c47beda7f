package io.framewire.stream;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.exceptions.CloseException;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.core.exception.MessageTooLargeException;

/**
 * Turns Jetty's demand-driven WebSocket into a blocking one served by a virtual thread:
 * {@code while ((m = ws.next()) != null) ...}.
 *
 * <p>Jetty reads the next message only after {@link Session#demand()}. Demand is kept at most
 * {@link #READ_AHEAD} messages ahead of the loop: a loop that stops calling {@link #next()} stops
 * the socket being read after that many, so TCP flow control pushes back on the client instead of
 * a buffer growing here.
 *
 * <p>Why read ahead at all: demand issued from Jetty's own callback costs nothing (Jetty just goes
 * on parsing), while demand issued from the reader thread makes Jetty hand the read to another
 * thread, which usually finds the socket empty and re-arms the selector. With one message of
 * read-ahead the reader never demands while it keeps up.
 */
public final class BlockingWebSocket implements Session.Listener {

    /** What {@link #next()} returns. */
    public sealed interface Message {}

    /** A binary message in a buffer of the connection's pool: {@link #release()} it once done. */
    public record Binary(RetainableByteBuffer buffer) implements Message {
        /** The payload, position 0 to limit. */
        public ByteBuffer data() {
            return buffer.getByteBuffer();
        }

        public void release() {
            buffer.release();
        }
    }

    public record Text(String text) implements Message {}

    /** Close code and reason once the connection has ended. */
    public record Closed(int code, String reason) {}

    /** Messages Jetty may deliver beyond the one {@link #next()} is waiting for. */
    static final int READ_AHEAD = 1;

    /** Close code and reason of a flood of pings sent faster than their pongs are read. */
    public static final int CLOSE_POLICY = 1008;
    /** Close code when the frame buffers' cap ({@link FrameBuffers}) is reached. */
    public static final int CLOSE_TRY_AGAIN = 1013;
    /** Pings that may arrive while the pong of an earlier one is still unwritten: more is a flood. */
    static final int MAX_UNANSWERED_PINGS = 32;
    /** Pings in one second beyond which a client is flooding, read or not (keep-alives come every few seconds). */
    static final int MAX_PINGS_PER_SECOND = 100;
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);

    private static final Object WAKE = new Object();

    // At most READ_AHEAD + 1 data messages, plus the close event (and wake-ups).
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final ReentrantLock demandLock = new ReentrantLock();
    private int queued; // data messages in the inbox; under demandLock
    // A demand() Jetty has not met yet; under demandLock. Never two: a second demand() (say, a next()
    // after wake()) racing Jetty's own demand for a message's next fragment fails the connection with 1011.
    private boolean demanding;
    private final Consumer<BlockingWebSocket> handler;
    private final FrameBuffers buffers;
    private final int maxMessageBytes;
    // One pong at most waits to be written: a client that pings and never reads cannot queue more.
    private final AtomicBoolean pongPending = new AtomicBoolean();
    private int unansweredPings; // Jetty thread
    private int pingsThisSecond; // Jetty thread
    private long pingSecondStart; // Jetty thread
    private RetainableByteBuffer partial; // a fragmented message so far, copied out; Jetty thread
    private final String threadName;
    private volatile Session session;
    private volatile Closed closed;
    private boolean endSeen; // reader thread only
    // System.nanoTime() of the last data message from the client, of anything from it (pongs too),
    // and of the last message queued to it: what Keepalive decides on
    private volatile long lastMessageNanos = System.nanoTime();
    private volatile long lastHeardNanos = lastMessageNanos;
    private volatile long lastSentNanos = lastMessageNanos;

    /**
     * {@code handler} runs on its own virtual thread once the connection is open. Binary messages are
     * copied into direct buffers from {@code buffers}, which the handler hands on and releases;
     * a message longer than {@code maxMessageBytes} closes the connection with 1009.
     */
    public BlockingWebSocket(String threadName, FrameBuffers buffers, int maxMessageBytes,
                             Consumer<BlockingWebSocket> handler) {
        this.threadName = threadName;
        this.buffers = buffers;
        this.maxMessageBytes = maxMessageBytes;
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
        if (closed == null && claimDemand()) {
            demand();
        }
        Object event = inbox.take();
        if (event instanceof Message m) {
            demandLock.lock();
            try {
                queued--;
            } finally {
                demandLock.unlock();
            }
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
        lastSentNanos = System.nanoTime();
        session.sendText(message, done);
    }

    /** Queues a ping (see {@link Keepalive}); the client's pong needs no answer. */
    public void ping() {
        Session s = session;
        if (s != null) {
            lastSentNanos = System.nanoTime();
            s.sendPing(ByteBuffer.allocate(0), Callback.NOOP);
        }
    }

    long lastMessageNanos() {
        return lastMessageNanos;
    }

    long lastHeardNanos() {
        return lastHeardNanos;
    }

    long lastSentNanos() {
        return lastSentNanos;
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
     * Reads and drops whatever the client still sends until the connection has ended: what keeps a
     * {@link #closeHandshake} going when nobody else reads.
     */
    public void discardUntilClosed() {
        try {
            while (closed == null) {
                if (next() instanceof Binary b) {
                    b.release();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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

    /** True when the caller must call {@link #demand()}: nothing is demanded and there is room ahead. */
    private boolean claimDemand() {
        demandLock.lock();
        try {
            if (demanding || queued > READ_AHEAD) {
                return false;
            }
            demanding = true;
            return true;
        } finally {
            demandLock.unlock();
        }
    }

    private void demand() {
        try {
            session.demand();
        } catch (IllegalStateException e) {
            // closing: the Closed event is queued or on its way
        }
    }

    /** Jetty thread: queues a message and, while the reader keeps up, demands the next one at once. */
    private void deliver(Message message) {
        long now = System.nanoTime();
        lastMessageNanos = now;
        lastHeardNanos = now;
        boolean again;
        demandLock.lock();
        try {
            demanding = false;
            queued++;
            inbox.add(message);
            again = closed == null && queued <= READ_AHEAD;
            demanding = again;
        } finally {
            demandLock.unlock();
        }
        if (again) {
            demand();
        }
    }

    // Copied and released here, before the reader wakes: a reader completing Jetty's callback
    // itself would contend for the connection's lock with this (still unwinding) Jetty thread. The
    // copy goes into a pooled buffer: a fresh 16 KiB array per frame was 85 % of the server's
    // allocation, a young GC every second at 15,000 frames/s.
    //
    // Partial, not whole, messages: Jetty's own aggregation keeps every fragment in the network
    // buffer it was read into until the message ends, so one-byte fragments arriving one per read
    // each pinned a 64 KiB input buffer (355 KiB sent pinned 2 GiB). Here each fragment is copied
    // out at once; a fragmented message holds only its own bytes, up to maxMessageBytes.
    @Override
    public void onWebSocketPartialBinary(ByteBuffer payload, boolean last, Callback callback) {
        int length = payload.remaining();
        if (partial == null && last && length <= maxMessageBytes) { // the common case: a whole message in one frame
            RetainableByteBuffer copy = buffers.acquire(length);
            if (copy == null) {
                refuseNoMemory(callback);
                return;
            }
            ByteBuffer into = copy.getByteBuffer();
            into.limit(length).position(0);
            into.put(0, payload, payload.position(), length);
            callback.succeed();
            deliver(new Binary(copy));
            return;
        }
        fragment(payload, last, callback);
    }

    // Synchronized with finish(): an idle timeout or error may end the connection on another thread.
    private synchronized void fragment(ByteBuffer payload, boolean last, Callback callback) {
        if (closed != null) {
            callback.succeed();
            return;
        }
        long total = (partial == null ? 0 : partial.getByteBuffer().limit()) + (long) payload.remaining();
        if (total > maxMessageBytes) {
            releasePartial();
            callback.fail(new MessageTooLargeException(
                    String.format("Binary message too large: %,d > %,d", total, maxMessageBytes)));
            return;
        }
        if (!append(payload, (int) total)) {
            refuseNoMemory(callback);
            return;
        }
        callback.succeed();
        if (last) {
            RetainableByteBuffer message = partial;
            partial = null;
            deliver(new Binary(message));
        } else {
            demand(); // no message for next(): the demand it made is still to be met
        }
    }

    /** Appends to {@link #partial}, growing it (doubling) when full; false when no buffer is left. */
    private boolean append(ByteBuffer payload, int total) {
        if (partial == null || partial.capacity() < total) {
            int want = Math.max(total, Math.min(maxMessageBytes, partial == null ? 4096 : partial.capacity() * 2));
            RetainableByteBuffer grown = buffers.acquire(want);
            if (grown == null) {
                releasePartial();
                return false;
            }
            ByteBuffer into = grown.getByteBuffer();
            into.clear();
            if (partial != null) {
                ByteBuffer from = partial.getByteBuffer();
                into.put(0, from, 0, from.limit());
                into.limit(from.limit());
                partial.release();
            } else {
                into.limit(0);
            }
            partial = grown;
        }
        ByteBuffer into = partial.getByteBuffer();
        int at = into.limit();
        into.limit(total);
        into.put(at, payload, payload.position(), payload.remaining());
        return true;
    }

    private void releasePartial() {
        if (partial != null) {
            partial.release();
            partial = null;
        }
    }

    /** The cap on frame buffers is reached: a clear close, not an out-of-memory error. */
    private void refuseNoMemory(Callback callback) {
        releasePartial();
        callback.fail(new org.eclipse.jetty.websocket.core.exception.CloseException(CLOSE_TRY_AGAIN,
                "server out of frame memory: try again later"));
        abortAfter(CLOSE_GRACE); // a client that does not read never gets the close frame
    }

    @Override
    public void onWebSocketText(String message) {
        deliver(new Text(message));
    }

    // Control frames use up the demand of next(): answer and demand again so next() still gets its message.
    // RFC 6455 5.5.3 allows answering only the latest ping: while a pong waits to be written, further
    // pings get none, and too many of them close the connection (a client that pings and never
    // reads queued pongs until the heap ran out).
    @Override
    public void onWebSocketPing(ByteBuffer payload) {
        long now = System.nanoTime();
        lastHeardNanos = now;
        if (now - pingSecondStart > 1_000_000_000L) {
            pingSecondStart = now;
            pingsThisSecond = 0;
        }
        if (++pingsThisSecond > MAX_PINGS_PER_SECOND) {
            // even a client that reads its pongs costs a write per ping: millions of them starved other streams
            close(CLOSE_POLICY, "ping flood: more than " + MAX_PINGS_PER_SECOND + " pings a second", CLOSE_GRACE);
            return;
        }
        if (pongPending.compareAndSet(false, true)) {
            unansweredPings = 0;
            session.sendPong(payload, Callback.from(() -> pongPending.set(false), x -> pongPending.set(false)));
        } else if (++unansweredPings > MAX_UNANSWERED_PINGS) {
            close(CLOSE_POLICY, "ping flood: pings sent faster than their pongs are read", CLOSE_GRACE);
            return; // no more reading: the connection ends with the close, or the grace
        }
        demand();
    }

    @Override
    public void onWebSocketPong(ByteBuffer payload) {
        lastHeardNanos = System.nanoTime();
        demand();
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        finish(new Closed(statusCode, reason));
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        FrameBuffers.exitIfOutOfMemory(cause);
        // Jetty reports the errors it closes for (1009 too big, 1002 protocol, ...) here, before
        // onWebSocketClose: keep their close code rather than calling them abnormal (1006).
        int code = cause instanceof CloseException ce ? ce.getStatusCode() : 1006;
        finish(new Closed(code, String.valueOf(cause.getMessage())));
    }

    private synchronized void finish(Closed c) {
        releasePartial(); // Jetty has stopped delivering: no fragment races this
        if (closed == null) {
            closed = c;
            inbox.add(c);
        }
    }
}
