package io.framewire.bench.loadgen;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * One simulated camera, whatever client library carries it: connection state, ledger, reply
 * parsing and close accounting. A {@link Transport} subclasses it with the send path.
 */
abstract class StreamConn {

    enum State { IDLE, CONNECTING, OPEN, FAILED, CLOSED }

    /** Run-wide sinks shared by all streams. */
    record Sinks(Recorder latencyMicros, Tally errorCodes, Tally closes, Tally wsErrors, Tally other,
            LongAdder sendFailures, AtomicBoolean closing) {
        static final long MAX_LATENCY_MICROS = TimeUnit.SECONDS.toMicros(300);

        static Sinks create() {
            return new Sinks(new Recorder(1, MAX_LATENCY_MICROS, 3), new Tally(), new Tally(), new Tally(),
                    new Tally(), new LongAdder(), new AtomicBoolean());
        }
    }

    static final int MAX_TEXT = 4 << 20;
    /** Not a wire code: the close this client made itself under the silence rule. */
    static final int CLOSE_SILENCE = 0;

    final StreamLedger ledger;
    final Sinks sinks;
    private volatile State state = State.IDLE;
    private volatile double advisedFps = -1; // the server's latest advice.fps; -1: none yet
    private volatile boolean everOpened;
    private long seqBase; // the stream's seq of this connection's seq 0 (--reconnect)
    private volatile long lastHeardNanos; // the last message from the server (or the upgrade)
    private volatile java.util.function.IntConsumer onLost; // told (close code) when an open connection ends outside the run's own close
    // reply assembly; touched only by the thread delivering this connection's frames
    private byte[] scratch;
    private int textLen;
    private boolean assembling;

    StreamConn(Sinks sinks) {
        this(sinks, new StreamLedger());
    }

    /** A connection of a stream whose {@code ledger} may span earlier connections. */
    StreamConn(Sinks sinks, StreamLedger ledger) {
        this.sinks = sinks;
        this.ledger = ledger;
    }

    /** Calls {@code r} with the close code (on the I/O thread) when this connection, once open, is closed or lost unexpectedly. */
    void onLost(java.util.function.IntConsumer r) {
        onLost = r;
    }

    /**
     * Sends {@code frame} (as {@link Transport#prepare} made it) now if the stream is open and its
     * previous send has completed; otherwise counts a skip, like a camera whose socket is backed up.
     */
    abstract void trySend(ByteBuffer frame, long nowNanos);

    /** Starts a normal close (1000) at the end of the run. */
    abstract void close();

    /** Drops the connection without a closing handshake (its state is already CLOSED). */
    abstract void abort();

    /**
     * The silence rule: frames outstanding and nothing from the server for {@code silenceNanos},
     * counted from the later of the last message and the oldest outstanding frame's send (so a
     * camera that resumes after a pause is not judged by the pause).
     */
    final boolean silent(long nowNanos, long silenceNanos) {
        if (state != State.OPEN) {
            return false;
        }
        long oldest = ledger.oldestUnansweredSendNanos();
        return oldest >= 0 && nowNanos - Math.max(lastHeardNanos, oldest) > silenceNanos;
    }

    /** Gives up on a silent connection: counted as a close with {@link #CLOSE_SILENCE}, then dropped. */
    final void giveUp() {
        onClosed(CLOSE_SILENCE, "silence");
        abort();
    }

    State state() {
        return state;
    }

    /** The send rate the server advised last on this connection; -1 before any. */
    double advisedFps() {
        return advisedFps;
    }

    boolean everOpened() {
        return everOpened;
    }

    void connecting() {
        state = State.CONNECTING;
    }

    /** The connect failed or timed out; subclasses also drop a connection that opens after this. */
    void connectFailed() {
        state = State.FAILED;
    }

    /** The upgrade succeeded: false when the connect was already given up on (the caller drops it). */
    final boolean opened() {
        if (state == State.FAILED) {
            return false;
        }
        seqBase = ledger.beginConnection();
        lastHeardNanos = System.nanoTime();
        everOpened = true;
        state = State.OPEN;
        return true;
    }

    /**
     * A text frame ({@code continuation} false) or a continuation frame of {@code len} bytes.
     * Continuations of anything but a text message are ignored.
     */
    final void onText(byte[] buf, int off, int len, boolean continuation, boolean fin) {
        if (!continuation && fin) {
            onReply(System.nanoTime(), buf, off, len); // the common case: one frame, no assembly
            return;
        }
        if (continuation && !assembling) {
            return;
        }
        int at = continuation ? textLen : 0;
        if (at + len > MAX_TEXT) {
            sinks.other().inc("text too large");
            assembling = false;
            return;
        }
        if (scratch == null || scratch.length < at + len) {
            scratch = Arrays.copyOf(scratch == null ? new byte[0] : scratch, Math.max(at + len, 2 * at + 512));
        }
        System.arraycopy(buf, off, scratch, at, len);
        textLen = at + len;
        assembling = !fin;
        if (fin) {
            onReply(System.nanoTime(), scratch, 0, textLen);
        }
    }

    final void onBinary() {
        sinks.other().inc("binary");
    }

    private void onReply(long now, byte[] buf, int off, int len) {
        lastHeardNanos = now;
        Reply r = Reply.parse(buf, off, len);
        switch (r.kind()) {
            case RESULT -> {
                if (r.adviceFps() >= 0) {
                    advisedFps = r.adviceFps();
                }
                long ns = ledger.onResult(stream(r.seq()), r.dropped(), now);
                if (ns >= 0) {
                    sinks.latencyMicros().recordValue(Math.min(ns / 1000, Sinks.MAX_LATENCY_MICROS));
                }
            }
            case ERROR -> {
                ledger.onError(stream(r.seq()), r.dropped());
                sinks.errorCodes().inc(r.code());
            }
            case STATUS -> { // heard (the silence rule does not fire on a live host); its drops are reported once
                if (r.adviceFps() >= 0) {
                    advisedFps = r.adviceFps();
                }
                ledger.onStatus(r.dropped());
                sinks.other().inc("status");
            }
            case OTHER -> sinks.other().inc(r.code());
        }
    }

    /** This connection's seq as the stream's; a missing seq (-1) stays missing. */
    private long stream(long seq) {
        return seq < 0 ? seq : seqBase + seq;
    }

    final void onError(Throwable cause) {
        sinks.wsErrors().inc(LoadRun.describe(cause));
    }

    /** The connection closed (close frame or lost); counted unless the run is ending. */
    final void onClosed(int code, String reason) {
        boolean wasOpen = state == State.OPEN;
        state = State.CLOSED;
        if (wasOpen && !sinks.closing().get()) {
            sinks.closes().inc(code + (reason == null || reason.isEmpty() ? "" : " " + reason));
            java.util.function.IntConsumer r = onLost;
            if (r != null) {
                r.accept(code);
            }
        }
    }
}
