package io.framewire.bench.loadgen;

import java.nio.ByteBuffer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Frame;
import org.eclipse.jetty.websocket.api.Session;

/**
 * A stream carried by Jetty's WebSocket client: the session listener and the send path. It is
 * also the send callback, which is safe because at most one send per stream is ever pending.
 * Public only because Jetty binds listener methods through a public lookup.
 */
public final class JettyConn extends StreamConn implements Session.Listener.AutoDemanding, Callback {

    private static final byte TEXT = Frame.Type.TEXT.getOpCode();
    private static final byte BINARY = Frame.Type.BINARY.getOpCode();
    private static final byte CONTINUATION = Frame.Type.CONTINUATION.getOpCode();

    private volatile Session session;
    private volatile boolean sending;
    private byte[] copy = new byte[512]; // payloads in direct buffers are copied here to parse them

    JettyConn(Sinks sinks) {
        super(sinks);
    }

    JettyConn(Sinks sinks, StreamLedger ledger) {
        super(sinks, ledger);
    }

    @Override
    void connectFailed() {
        super.connectFailed();
        Session s = session;
        if (s != null) { // opened after we gave up on it: don't keep a half-counted stream
            s.disconnect();
        }
    }

    @Override
    void trySend(ByteBuffer frame, long nowNanos) {
        Session s = session;
        if (s == null || state() != State.OPEN) {
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

    @Override
    void close() {
        Session s = session;
        if (s != null && s.isOpen()) {
            s.close(1000, "loadgen done", Callback.NOOP);
        }
    }

    @Override
    void abort() {
        Session s = session;
        if (s != null) {
            s.disconnect();
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
        if (!opened()) {
            s.disconnect();
        }
    }

    /**
     * Text replies are taken as raw frames and parsed from bytes: skipping Jetty's UTF-8 decoding
     * into a String saves a few microseconds per result, which the server under test gets back.
     */
    @Override
    public void onWebSocketFrame(Frame frame, Callback callback) {
        byte op = frame.getOpCode();
        if (op == TEXT || op == CONTINUATION) {
            ByteBuffer p = frame.getPayload();
            int n = p == null ? 0 : p.remaining();
            if (p != null && p.hasArray()) {
                onText(p.array(), p.arrayOffset() + p.position(), n, op == CONTINUATION, frame.isFin());
            } else {
                if (copy.length < n) {
                    copy = new byte[Math.max(n, 2 * copy.length)];
                }
                if (n > 0) {
                    p.get(p.position(), copy, 0, n);
                }
                onText(copy, 0, n, op == CONTINUATION, frame.isFin());
            }
        } else if (op == BINARY) {
            onBinary();
        }
        callback.succeed();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        onError(cause);
    }

    @Override
    public void onWebSocketClose(int code, String reason, Callback callback) {
        onClosed(code, reason);
        callback.succeed();
    }
}
