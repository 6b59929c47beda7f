package io.framewire.loadgen;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Recorder;
import org.eclipse.jetty.websocket.api.Callback;
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
            java.util.concurrent.atomic.LongAdder sendFailures, java.util.concurrent.atomic.AtomicBoolean closing) {
        static final long MAX_LATENCY_MICROS = TimeUnit.SECONDS.toMicros(300);
    }

    final int index;
    final StreamLedger ledger = new StreamLedger();
    private final Sinks sinks;
    private volatile State state = State.IDLE;
    private volatile Session session;
    private volatile boolean sending;
    private volatile boolean everOpened;

    StreamConn(int index, Sinks sinks) {
        this.index = index;
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

    @Override
    public void onWebSocketText(String text) {
        long now = System.nanoTime();
        Reply r = Reply.parse(text);
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
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        sinks.other().inc("binary");
        callback.succeed();
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
