package io.framewire.stream;

import io.framewire.metrics.Metrics;
import io.framewire.protocol.CloseCodes;
import io.framewire.protocol.ErrorCode;
import io.framewire.protocol.Messages;
import io.framewire.schedule.Frame;
import io.framewire.schedule.Mailbox;
import io.framewire.schedule.ResultSink;
import io.framewire.schedule.Scheduler;
import io.framewire.state.Publisher;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One publishing stream: a reader loop (on its own virtual thread) that moves frames from the
 * socket into the mailbox, and a bounded, non-blocking writer for the stream's results. Workers
 * hand results to {@link #send}, which queues them on the connection and returns at once, so a
 * slow client cannot stall inference for everyone else: its unsent results pile up only to
 * {@code ws.maxPendingResults}, then it is closed ({@link BoundedSender}).
 *
 * <p>The writer is deliberately not a second thread: a writer thread woken per result added a
 * hand-off to every frame, and its blocking wait on Jetty's callback showed up as the top
 * hotspot of the transport benchmark (bench/RESULTS.md).
 */
public final class StreamSession implements ResultSink, Publisher {

    private static final Logger log = LoggerFactory.getLogger(StreamSession.class);
    // for the client to answer a close frame (a drain's, a replacement's)
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);
    // a handback answers the frames already accepted within this (a host's drain: shutdown.graceMs)
    private static final long HAND_BACK_GRACE_NANOS = Duration.ofSeconds(2).toNanos();
    /** A stream sending frames hears from the server at least this often, served or not (overload is not silence). */
    static final long STATUS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final String id;
    private final BlockingWebSocket ws;
    private final Mailbox mailbox;
    private final BoundedSender results;
    private final Metrics metrics;
    private final ResultSink watchers;
    private final AtomicLong received = new AtomicLong();
    private final Instant connectedAt; // the upgrade's time: the connection's order among a stream's connections
    private volatile long lastFrameAtMillis;
    private final RateLimiter limiter;
    private volatile long drainDeadline; // System.nanoTime() bound of a drain; 0: not draining
    private volatile String drainReason = CloseCodes.SHUTTING_DOWN; // the 1001's reason
    private final Object context;
    private final DoubleSupplier advice;
    private volatile long lastAnswerNanos = System.nanoTime(); // the last message this client got
    private volatile long receivedAtLastAnswer;

    /**
     * {@code maxFps} 0: no rate limit. {@code watchers} gets a copy of every message for this
     * stream's watchers; it must not block. {@code context}: the workers' per-stream state (gate,
     * tracker), handed to the mailbox. {@code advice}: the send rate a status message advises.
     */
    public StreamSession(String id, BlockingWebSocket ws, Scheduler scheduler, int mailboxDepth, OutputLimits output,
                         int maxFps, Metrics metrics, ResultSink watchers, Object context, DoubleSupplier advice) {
        this(id, ws, scheduler, mailboxDepth, output, maxFps, metrics, watchers, context, advice, Instant.now());
    }

    /** {@code upgradedAt}: when the upgrade was accepted (the connection's order for takeover). */
    public StreamSession(String id, BlockingWebSocket ws, Scheduler scheduler, int mailboxDepth, OutputLimits output,
                         int maxFps, Metrics metrics, ResultSink watchers, Object context, DoubleSupplier advice,
                         Instant upgradedAt) {
        this.connectedAt = upgradedAt;
        this.id = id;
        this.context = context;
        this.advice = advice;
        this.watchers = watchers;
        this.limiter = maxFps > 0 ? new RateLimiter(maxFps, System.nanoTime()) : null;
        this.ws = ws;
        this.metrics = metrics;
        this.mailbox = new Mailbox(id, mailboxDepth, scheduler, this, metrics.droppedReplaced::inc, context);
        this.results = new BoundedSender(ws, output, "stream " + id, (long nanos) -> {
            metrics.messagesSent.inc();
            metrics.stageWrite.observe(Metrics.seconds(nanos));
        }, this::writeFailed);
    }

    /** The workers' per-stream state given at construction (null: none). */
    public Object context() {
        return context;
    }

    /**
     * Keepalive's tick: a stream that sent two frames or more since its last answer and has heard nothing for
     * {@link #STATUS_EVERY_NANOS} gets a status message (its drops and the advised rate), so a
     * client's silence rule fires only on a hung host, never on a live, overloaded one.
     */
    void statusIfSilent(long now) {
        // two frames unanswered: it sends more than it is served (one frame awaiting its answer is just a slow frame)
        if (received.get() > receivedAtLastAnswer + 1 && now - lastAnswerNanos >= STATUS_EVERY_NANOS && drainDeadline == 0) {
            lastAnswerNanos = now;
            // the drops no answer has reported yet, now reported: each frame is still accounted for exactly once
            String status = Messages.status(id, mailbox.unreportedDrops(), advice.getAsDouble());
            results.send(status);
            watchers.send(status); // watchers count frames too: these drops are in no result's dropped
        }
    }

    public String id() {
        return id;
    }

    public long framesReceived() {
        return received.get();
    }

    public long framesDropped() {
        return mailbox.droppedTotal();
    }

    /** Frames accepted but not yet answered (waiting, or at a worker). */
    public int framesUnfinished() {
        return mailbox.unfinished();
    }

    /** Worker time this stream's frames took so far, in nanoseconds. */
    public long workNanos() {
        return mailbox.workNanos();
    }

    public long framesProcessed() {
        return mailbox.takenTotal();
    }

    public Instant connectedAt() {
        return connectedAt;
    }

    /** When the last frame arrived; null before the first. */
    public Instant lastFrameAt() {
        long t = lastFrameAtMillis;
        return t == 0 ? null : Instant.ofEpochMilli(t);
    }

    public String remoteAddress() {
        return ws.remoteAddress();
    }

    /** Runs the reader loop on the calling (virtual) thread until the connection ends. */
    public void run() {
        try {
            readLoop();
            if (drainDeadline != 0) {
                finishDrain();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            mailbox.close();
        }
    }

    private void readLoop() throws InterruptedException {
        long seq = 0;
        BlockingWebSocket.Message message;
        while (drainDeadline == 0 && (message = ws.next()) != null) {
            long now = System.nanoTime();
            if (limiter != null && !limiter.tryAcquire(now)) {
                if (message instanceof BlockingWebSocket.Binary b) {
                    b.release();
                    received.incrementAndGet();
                    metrics.framesReceived.inc();
                    metrics.droppedRateLimited.inc();
                    mailbox.skip();
                    seq++;
                }
                continue; // never queued; text over the limit is not even answered
            }
            switch (message) {
                case BlockingWebSocket.Binary b -> {
                    received.incrementAndGet();
                    lastFrameAtMillis = System.currentTimeMillis();
                    metrics.framesReceived.inc();
                    if (b.data().limit() == 0) {
                        b.release();
                        metrics.droppedBadImage.inc();
                        send(Messages.error(seq, ErrorCode.EMPTY_FRAME, "binary message is empty; expected one JPEG or PNG image", 0));
                    } else {
                        mailbox.offer(new Frame(seq, b, b.arrivedNanos())); // from Jetty's receipt: the hand-off to this thread counts
                    }
                    seq++;
                }
                case BlockingWebSocket.Text t -> send(Messages.error(-1, ErrorCode.UNEXPECTED_TEXT,
                        "text messages are not accepted on a publishing stream; send images as binary messages", 0));
            }
        }
    }

    /**
     * Stops reading this stream (what the client sends from now on is not accepted), lets the frames
     * already accepted be processed and answered, then closes with 1001. Returns at once; the
     * reader thread does the rest, bounded by {@code deadlineNanos}.
     */
    public void drain(long deadlineNanos) {
        drainDeadline = deadlineNanos;
        ws.wake();
    }

    /** A drain of this stream alone, for the host it moved from (the fleet rebalances, issue #25 F5). */
    @Override
    public void handBack(String reason) {
        if (drainDeadline == 0) {
            drainReason = reason;
            drain(System.nanoTime() + HAND_BACK_GRACE_NANOS);
        }
    }

    /** Reader thread, after its loop stopped for a drain. */
    private void finishDrain() throws InterruptedException {
        // Keep reading, without accepting: a client blocked writing into a full socket could miss
        // the close frame, and a server closing over unread bytes resets the connection.
        Thread discard = Thread.ofVirtual().name("ws-discard-" + id).start(ws::discardUntilClosed);
        if (!mailbox.awaitIdle(drainDeadline)) {
            log.warn("stream {}: shutdown grace over with {} frame(s) unanswered", id, mailbox.unfinished());
        }
        long unreported = mailbox.unreportedDrops();
        if (unreported > 0) {
            // the last frames were over the rate limit: no later answer would report them
            send(Messages.error(-1, ErrorCode.RATE_LIMITED, "frames over limits.maxFps were dropped", unreported));
        }
        ws.closeHandshake(CloseCodes.GOING_AWAY, drainReason, CLOSE_GRACE);
        discard.join(); // until the closing handshake ends (or the abort after CLOSE_GRACE), so the close code is known
    }

    /** Queues a message on the connection; never blocks. A client that stops reading is closed. */
    @Override
    public void send(String message) {
        lastAnswerNanos = System.nanoTime();
        receivedAtLastAnswer = received.get();
        watchers.send(message);
        results.send(message);
    }

    private void writeFailed(Throwable cause) {
        log.debug("stream {}: write failed: {}", id, cause.toString());
    }

    /** Closes the connection from the server side (shutdown, replaced by a newer publisher). */
    public void close(int code, String reason) {
        ws.close(code, reason, CLOSE_GRACE);
    }
}
