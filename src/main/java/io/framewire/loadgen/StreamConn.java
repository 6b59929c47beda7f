package io.framewire.loadgen;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Frame;
import org.eclipse.jetty.websocket.api.Session;

/**
 * One simulated camera: its WebSocket listener, its send path and its ledger. It is also the
 * send callback, which is safe because at most one send per stream is ever pending.
 * Public only because Jetty binds listener methods through a public lookup.
 */
public final class StreamConn implements Session.Listener.AutoDemanding, Callback {

    enum State { IDLE, CONNECTING, OPEN, FAILED, CLOSED }

    /** Run-wide sinks shared by all streams. */
    record Sinks(Recorder latencyMicros, Tally errorCodes, Tally closes, Tally wsErrors, Tally other,
            LongAdder sendFailures, AtomicBoolean closing) {
        static final long MAX_LATENCY_MICROS = TimeUnit.SECONDS.toMicros(300);
    }

    private static final byte TEXT = Frame.Type.TEXT.getOpCode();
    private static final byte BINARY = Frame.Type.BINARY.getOpCode();
    private static final byte CONTINUATION = Frame.Type.CONTINUATION.getOpCode();
    static final int MAX_TEXT = 4 << 20;

    final StreamLedger ledger = new StreamLedger();
    private final Sinks sinks;
    private volatile State state = State.IDLE;
    private volatile Session session;
    private volatile boolean sending;
    private volatile boolean everOpened;
    // reply assembly; touched only by the thread delivering this session's frames
    private byte[] scratch = new byte[512];
    private int textLen;
    private boolean assembling;

    StreamConn(Sinks sinks) {
        this.sinks = sinks;
    }

    State state() {
        return state;
    }

    boolean everOpened() {
        return everOpened;
    }

    void connecting() {
        state = State.CONNECTING;
    }

    /** Called when the connect future fails or times out. */
    void connectFailed() {
        state = State.FAILED;
        Session s = session;
        if (s != null) { // opened after we gave up on it: don't keep a half-counted stream
            s.disconnect();
        }
    }

    /**
     * Sends {@code frame} now if the stream is open and its previous send has completed;
     * otherwise counts a skip, like a camera whose socket is backed up.
     */
    void trySend(ByteBuffer frame, long nowNanos) {
        Session s = session;
        if (s == null || state != State.OPEN) {
            return;
        }
        if (sending) {
            ledger.recordSkip();
            return;
        }
        sending = true;
        ledger.recordSend(nowNanos); // before sending: the reply may beat the return of sendBinary
        s.sendBinary(frame.duplicate(), this);
    }

    void close() {
        Session s = session;
        if (s != null && s.isOpen()) {
            s.close(1000, "loadgen done", Callback.NOOP);
        }
    }

    // ---- send callback ----

    @Override
    public void succeed() {
        sending = false;
    }

    @Override
    public void fail(Throwable x) {
        sinks.sendFailures().increment();
        sending = false;
    }

    // ---- listener ----

    @Override
    public void onWebSocketOpen(Session s) {
        session = s;
        if (state == State.FAILED) {
            s.disconnect();
            return;
        }
        everOpened = true;
        state = State.OPEN;
    }

    /**
     * Text replies are taken as raw frames and parsed from bytes: skipping Jetty's UTF-8 decoding
     * into a String saves a few microseconds per result, which the server under test gets back.
     */
    @Override
    public void onWebSocketFrame(Frame frame, Callback callback) {
        byte op = frame.getOpCode();
        if (op == TEXT || (op == CONTINUATION && assembling)) {
            ByteBuffer p = frame.getPayload();
            int n = p == null ? 0 : p.remaining();
            if (op == TEXT && frame.isFin()) {
                onReply(System.nanoTime(), copy(p, n, 0), n); // the common case: one frame, no assembly
            } else {
                int off = op == TEXT ? 0 : textLen;
                if (off + n > MAX_TEXT) {
                    sinks.other().inc("text too large");
                    assembling = false;
                } else {
                    copy(p, n, off);
                    textLen = off + n;
                    assembling = !frame.isFin();
                    if (frame.isFin()) {
                        onReply(System.nanoTime(), scratch, textLen);
                    }
                }
            }
        } else if (op == BINARY) {
            sinks.other().inc("binary");
        }
        callback.succeed();
    }

    private byte[] copy(ByteBuffer p, int n, int off) {
        if (scratch.length < off + n) {
            scratch = Arrays.copyOf(scratch, Math.max(off + n, scratch.length * 2));
        }
        if (n > 0) {
            p.get(p.position(), scratch, off, n);
        }
        return scratch;
    }

    private void onReply(long now, byte[] buf, int len) {
        Reply r = Reply.parse(buf, 0, len);
        switch (r.kind()) {
            case RESULT -> {
                long ns = ledger.onResult(r.seq(), r.dropped(), now);
                if (ns >= 0) {
                    sinks.latencyMicros().recordValue(Math.min(ns / 1000, Sinks.MAX_LATENCY_MICROS));
                }
            }
            case ERROR -> {
                ledger.onError(r.seq(), r.dropped());
                sinks.errorCodes().inc(r.code());
            }
            case OTHER -> sinks.other().inc(r.code());
        }
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        sinks.wsErrors().inc(LoadRun.describe(cause));
    }

    @Override
    public void onWebSocketClose(int code, String reason, Callback callback) {
        boolean wasOpen = state == State.OPEN;
        state = State.CLOSED;
        if (wasOpen && !sinks.closing().get()) {
            sinks.closes().inc(code + (reason == null || reason.isEmpty() ? "" : " " + reason));
        }
        callback.succeed();
    }
}
