package io.framewire.stream;

import io.framewire.protocol.CloseCodes;
import io.framewire.protocol.Encoded;
import io.framewire.schedule.Frame;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
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
 * <p>Like Jetty's own {@code MessageInputStream}, Jetty's threads put typed {@link Event events}
 * on one queue and the reader takes them in order: messages ({@link Binary}, {@link Text}), a
 * {@link #wake() wake-up}, and at most one {@link Closed} end, always last. Everything shared
 * between Jetty's threads and the reader (the queue, the demand, the close state, the message
 * being reassembled, the pending pong) is guarded by ONE lock; Jetty is never called under it.
 *
 * <p>Jetty reads the next message only after {@link Session#demand()}. Demand is kept at most
 * {@link #READ_AHEAD} messages ahead of the loop: a loop that stops calling {@link #next()} stops
 * the socket being read after that many, so TCP flow control pushes back on the client instead of
 * a buffer growing here. Why read ahead at all: demand issued from Jetty's own callback costs
 * nothing (Jetty just goes on parsing), while demand issued from the reader thread makes Jetty
 * hand the read to another thread, which usually finds the socket empty and re-arms the selector.
 * With one message of read-ahead the reader never demands while it keeps up.
 *
 * <h2>Close states</h2>
 * <pre>
 *   OPEN    --close(code, reason, grace)---------&gt; CLOSING  a close frame is queued; Jetty ends the
 *           --a frame refused (no frame memory)--&gt; CLOSING  connection once it is written (an abnormal close)
 *           --closeHandshake(code, reason, grace)-&gt; CLOSING  the close frame goes after the queued frames, and the
 *                                                          connection is read on until the client's close comes back
 *   OPEN or CLOSING --Jetty reports the end------&gt; ENDED    client's close, idle timeout, error, or our close done
 *   CLOSING --grace over, not ENDED--------------&gt; the connection is dropped (a client that does not read
 *                                                  never takes the close frame), then ENDED
 * </pre>
 * Only the first close counts: a close while CLOSING or ENDED does nothing. In ENDED,
 * {@link #closed()} holds the code and reason, Jetty delivers nothing more, a message being
 * reassembled is released, and {@link #next()} returns the messages queued before the end, then
 * null for good.
 */
public final class BlockingWebSocket implements Session.Listener {

    /** Everything the reader can be handed, in order. */
    sealed interface Event permits Message, Closed, Wake {}

    /** What {@link #next()} returns. */
    public sealed interface Message extends Event permits Binary, Text {}

    /**
     * A binary message in a pooled buffer of the connection's {@link FrameBuffers}, position 0 to
     * limit: {@link #release()} it once, when done (it may travel on as a {@link Frame}'s bytes).
     */
    public static final class Binary implements Message, Frame.Bytes {
        private final RetainableByteBuffer pooled;
        private final FrameBuffers owner;
        private long arrivedNanos; // set by Jetty's thread before the reader can take it (under the lock)

        Binary(RetainableByteBuffer pooled, FrameBuffers owner) {
            this.pooled = pooled;
            this.owner = owner;
        }

        /** The payload, position 0 to limit. */
        @Override
        public ByteBuffer data() {
            return pooled.getByteBuffer();
        }

        @Override
        public void release() {
            owner.release(pooled);
        }

        int capacity() {
            return pooled.capacity();
        }

        /**
         * {@link System#nanoTime()} when Jetty handed the whole message over: its receipt, so that the
         * hand-off to the reader thread counts in the frame's latency, not before it.
         */
        public long arrivedNanos() {
            return arrivedNanos;
        }
    }

    public record Text(String text) implements Message {}

    /** The end: close code and reason once the connection has ended. */
    public record Closed(int code, String reason) implements Event {}

    /** {@link #wake()}: {@link #next()} returns null, the connection stays open. */
    private enum Wake implements Event { WAKE }

    private enum State { OPEN, CLOSING, ENDED }

    /** Messages Jetty may deliver beyond the one {@link #next()} is waiting for. */
    static final int READ_AHEAD = 1;
    /** Pings that may arrive while the pong of an earlier one is still unwritten: more is a flood. */
    static final int MAX_UNANSWERED_PINGS = 32;
    /** Pings in one second beyond which a client is flooding, read or not (keep-alives come every few seconds). */
    static final int MAX_PINGS_PER_SECOND = 100;
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);

    // The one lock, and what it guards.
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    // at most READ_AHEAD + 1 messages, plus wake-ups and the end
    private final ArrayDeque<Event> inbox = new ArrayDeque<>();
    private int queued; // messages in the inbox
    // A demand() Jetty has not met yet. Never two: a second demand() (say, a next() after wake())
    // racing Jetty's own demand for a message's next fragment fails the connection with 1011.
    private boolean demanding;
    private State state = State.OPEN;
    private Binary partial; // a fragmented message so far, copied out
    // One pong at most waits to be written: a client that pings and never reads cannot queue more.
    private boolean pongPending;
    private int unansweredPings;
    private volatile Closed closed; // written under the lock, read anywhere

    private final Consumer<BlockingWebSocket> handler;
    private final FrameBuffers buffers;
    private final int maxMessageBytes;
    private final String threadName;
    private volatile Session session;
    private int pingsThisSecond; // Jetty's thread: Jetty delivers one event at a time
    private long pingSecondStart; // Jetty's thread
    private boolean reassembling; // Jetty's thread: a fragmented message has begun and not ended
    private boolean endSeen; // reader thread only
    // System.nanoTime() of the last data message from the client, of anything from it (pongs too),
    // and of the last message queued to it: what Keepalive decides on
    // binary messages only: text costs a client nothing to send, so it does not keep a publisher's slot
    private volatile long lastMessageNanos = System.nanoTime();
    private volatile boolean anyBinary;
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
     * Blocks until the next message; null once the connection has ended (see {@link #closed()}),
     * or after {@link #wake()}. Messages that arrived before the end are still returned first.
     */
    public Message next() throws InterruptedException {
        if (endSeen) {
            return null;
        }
        Event event;
        boolean demand = false;
        lock.lock();
        try {
            if (state != State.ENDED && !demanding && queued <= READ_AHEAD) {
                demanding = demand = true;
            }
            event = poll();
        } finally {
            lock.unlock();
        }
        if (demand) {
            demand();
        }
        if (event == null) {
            lock.lockInterruptibly();
            try {
                while ((event = poll()) == null) {
                    arrived.await();
                }
            } finally {
                lock.unlock();
            }
        }
        return switch (event) {
            case Message m -> m;
            case Closed c -> {
                endSeen = true;
                yield null;
            }
            case Wake w -> null;
        };
    }

    /** Under the lock: the next event, if any. */
    private Event poll() {
        Event event = inbox.pollFirst();
        if (event instanceof Message) {
            queued--;
        }
        return event;
    }

    /**
     * Makes the reader's pending (or next) {@link #next()} return null while the connection stays
     * open: the server stops reading a stream it is draining. Safer than interrupting the reader,
     * whose socket writes an interrupt would abort.
     */
    public void wake() {
        enqueue(Wake.WAKE);
    }

    /**
     * Queues a text message and returns at once; Jetty's per-connection flusher writes queued
     * frames in order, and {@code done} completes once this one is written (or has failed).
     */
    public void sendAsync(String message, Callback done) {
        lastSentNanos = System.nanoTime();
        session.sendText(message, done);
    }

    /** Queues a binary message, as {@link #sendAsync(String, Callback)} does a text one. */
    public void sendAsync(ByteBuffer message, Callback done) {
        lastSentNanos = System.nanoTime();
        session.sendBinary(message, done);
    }

    /**
     * As {@link #sendAsync(String, Callback)} for a message encoded once for many connections: its
     * bytes go out as they are (no copy per connection; the server masks nothing).
     */
    public void sendAsync(Encoded message, Callback done) {
        lastSentNanos = System.nanoTime();
        Session s = session;
        if (s instanceof WebSocketSession jetty) {
            jetty.getCoreSession().sendFrame(new org.eclipse.jetty.websocket.core.Frame(
                            org.eclipse.jetty.websocket.core.OpCode.TEXT, message.payload()),
                    org.eclipse.jetty.util.Callback.from(done::succeed, done::fail), false);
        } else {
            s.sendText(message.text(), done);
        }
    }

    /** Queues a ping (see {@link Keepalive}); the client's pong needs no answer. */
    public void ping() {
        Session s = session;
        if (s != null) {
            lastSentNanos = System.nanoTime();
            s.sendPing(ByteBuffer.allocate(0), Callback.NOOP);
        }
    }

    /** When the last binary message arrived (before the first: when the connection opened). */
    long lastMessageNanos() {
        return lastMessageNanos;
    }

    /** Has a binary message (a frame) arrived yet? */
    boolean anyBinary() {
        return anyBinary;
    }

    long lastHeardNanos() {
        return lastHeardNanos;
    }

    long lastSentNanos() {
        return lastSentNanos;
    }

    /**
     * OPEN to CLOSING: sends a close frame, after which Jetty ends the connection as soon as the
     * frame is written (for every code but 1000, see {@link HandshakeClose}); drops the connection
     * if it has not ended within {@code grace}. {@link #next()} returns null once it has ended.
     */
    public void close(int code, String reason, Duration grace) {
        Session s = session;
        if (s != null && toClosing()) {
            s.close(code, reason, Callback.NOOP);
            abortAfter(grace);
        }
    }

    /**
     * OPEN to CLOSING with the whole closing handshake: the close frame goes after the frames
     * already queued, and the connection stays open, reading, until the client's close frame comes
     * back (the caller keeps calling {@link #next()}, or {@link #discardUntilClosed()}); dropped if
     * that has not happened within {@code grace}. A client still writing when the close frame
     * arrives thus gets its unread messages and the close frame, where a close over its unread
     * bytes would reset the connection.
     */
    public void closeHandshake(int code, String reason, Duration grace) {
        Session s = session;
        if (s == null || !toClosing()) {
            return;
        }
        if (s instanceof WebSocketSession jetty) {
            jetty.getCoreSession().close(new HandshakeClose(code, reason), org.eclipse.jetty.util.Callback.NOOP);
        } else {
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
            Message m;
            while ((m = next()) != null || closed == null) {
                if (m instanceof Binary b) {
                    b.release();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** True for the close that moves OPEN to CLOSING; false when one came first (or the connection ended). */
    private boolean toClosing() {
        lock.lock();
        try {
            if (state != State.OPEN) {
                return false;
            }
            state = State.CLOSING;
            return true;
        } finally {
            lock.unlock();
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

    /** How the connection ended; null until it has (ENDED). */
    public Closed closed() {
        return closed;
    }

    /** The peer as {@code 192.0.2.7:37680} or {@code [2001:db8::7]:37680} (not InetSocketAddress's {@code /…} form). */
    public String remoteAddress() {
        Session s = session;
        return s == null ? "?" : format(s.getRemoteSocketAddress());
    }

    static String format(java.net.SocketAddress address) {
        if (!(address instanceof java.net.InetSocketAddress inet) || inet.getAddress() == null) {
            return String.valueOf(address);
        }
        String host = inet.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + inet.getPort();
    }

    @Override
    public void onWebSocketOpen(Session session) {
        this.session = session;
        Thread.ofVirtual().name(threadName).start(() -> handler.accept(this));
    }

    private void demand() {
        try {
            session.demand();
        } catch (IllegalStateException e) {
            // closing: the end is queued or on its way
        }
    }

    private void enqueue(Event event) {
        lock.lock();
        try {
            inbox.addLast(event);
            arrived.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Jetty's thread: queues a message and, while the reader keeps up, demands the next one at once. */
    private void deliver(Message message) {
        long now = System.nanoTime();
        if (message instanceof Binary b) {
            b.arrivedNanos = now;
            lastMessageNanos = now;
            anyBinary = true;
        }
        lastHeardNanos = now;
        boolean again;
        lock.lock();
        try {
            demanding = false;
            if (state == State.ENDED) { // the end won a race (an idle timeout): nobody would take it
                again = false;
                if (message instanceof Binary b) {
                    b.release();
                }
            } else {
                queued++;
                inbox.addLast(message);
                arrived.signal();
                again = queued <= READ_AHEAD;
                demanding = again;
            }
        } finally {
            lock.unlock();
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
        if (last && length <= maxMessageBytes && !reassembling) { // the common case: a whole message in one frame
            Binary copy = buffers.acquire(length);
            if (copy == null) {
                refuseNoMemory(callback);
                return;
            }
            ByteBuffer into = copy.data();
            into.limit(length).position(0);
            into.put(0, payload, payload.position(), length);
            callback.succeed();
            deliver(copy);
            return;
        }
        fragment(payload, last, callback);
    }

    /** What a fragment comes to. */
    private enum Fragment { IGNORED, TOO_LARGE, NO_MEMORY, MORE, LAST }

    // Under the lock: an idle timeout or error may end the connection on another thread (finish).
    private void fragment(ByteBuffer payload, boolean last, Callback callback) {
        Fragment outcome;
        Binary message = null;
        long total;
        lock.lock();
        try {
            total = (partial == null ? 0 : partial.data().limit()) + (long) payload.remaining();
            if (state == State.ENDED) {
                outcome = Fragment.IGNORED;
            } else if (total > maxMessageBytes) {
                releasePartial();
                outcome = Fragment.TOO_LARGE;
            } else if (!append(payload, (int) total)) {
                outcome = Fragment.NO_MEMORY;
            } else if (last) {
                message = partial;
                partial = null;
                outcome = Fragment.LAST;
            } else {
                outcome = Fragment.MORE;
            }
        } finally {
            lock.unlock();
        }
        reassembling = outcome == Fragment.MORE;
        switch (outcome) {
            case IGNORED -> callback.succeed();
            case TOO_LARGE -> callback.fail(new MessageTooLargeException(
                    String.format("Binary message too large: %,d > %,d", total, maxMessageBytes)));
            case NO_MEMORY -> refuseNoMemory(callback);
            case LAST -> {
                callback.succeed();
                deliver(message);
            }
            case MORE -> {
                callback.succeed();
                demand(); // no message for next(): the demand it made is still to be met
            }
        }
    }

    /** Under the lock: appends to {@link #partial}, growing it (doubling) when full; false when no buffer is left. */
    private boolean append(ByteBuffer payload, int total) {
        if (partial == null || partial.capacity() < total) {
            int want = Math.max(total, Math.min(maxMessageBytes, partial == null ? 4096 : partial.capacity() * 2));
            Binary grown = buffers.acquire(want);
            if (grown == null) {
                releasePartial();
                return false;
            }
            ByteBuffer into = grown.data();
            into.clear();
            if (partial != null) {
                ByteBuffer from = partial.data();
                into.put(0, from, 0, from.limit());
                into.limit(from.limit());
                partial.release();
            } else {
                into.limit(0);
            }
            partial = grown;
        }
        ByteBuffer into = partial.data();
        int at = into.limit();
        into.limit(total);
        into.put(at, payload, payload.position(), payload.remaining());
        return true;
    }

    /** Under the lock. */
    private void releasePartial() {
        if (partial != null) {
            partial.release();
            partial = null;
        }
    }

    /** The cap on frame buffers is reached: a clear close (1013), not an out-of-memory error. */
    private void refuseNoMemory(Callback callback) {
        lock.lock();
        try {
            releasePartial();
            if (state == State.OPEN) {
                state = State.CLOSING;
            }
        } finally {
            lock.unlock();
        }
        callback.fail(new org.eclipse.jetty.websocket.core.exception.CloseException(CloseCodes.TRY_AGAIN,
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
            close(CloseCodes.POLICY, "ping flood: more than " + MAX_PINGS_PER_SECOND + " pings a second", CLOSE_GRACE);
            return;
        }
        boolean pong;
        boolean flood = false;
        lock.lock();
        try {
            pong = !pongPending;
            if (pong) {
                pongPending = true;
                unansweredPings = 0;
            } else {
                flood = ++unansweredPings > MAX_UNANSWERED_PINGS;
            }
        } finally {
            lock.unlock();
        }
        if (flood) {
            close(CloseCodes.POLICY, "ping flood: pings sent faster than their pongs are read", CLOSE_GRACE);
            return; // no more reading: the connection ends with the close, or the grace
        }
        if (pong) {
            session.sendPong(payload, Callback.from(this::pongWritten, x -> pongWritten()));
        }
        demand();
    }

    private void pongWritten() {
        lock.lock();
        try {
            pongPending = false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onWebSocketPong(ByteBuffer payload) {
        lastHeardNanos = System.nanoTime();
        demand();
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        end(new Closed(statusCode, reason));
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        FrameBuffers.exitIfOutOfMemory(cause);
        // Jetty reports the errors it closes for (1009 too big, 1002 protocol, ...) here, before
        // onWebSocketClose: keep their close code rather than calling them abnormal (1006).
        int code = cause instanceof CloseException ce ? ce.getStatusCode() : CloseStatus.NO_CLOSE;
        end(new Closed(code, String.valueOf(cause.getMessage())));
    }

    /** To ENDED: the first end reported counts; the end goes after the messages queued. */
    private void end(Closed c) {
        lock.lock();
        try {
            releasePartial(); // Jetty has stopped delivering: no fragment races this
            if (state != State.ENDED) {
                state = State.ENDED;
                closed = c;
                inbox.addLast(c);
                arrived.signal();
            }
        } finally {
            lock.unlock();
        }
    }
}
