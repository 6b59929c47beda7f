package io.framewire.protocol;

import org.eclipse.jetty.websocket.core.CloseStatus;

/**
 * Every WebSocket close code framewire sends, in one place: the README's "Client side of the
 * contract" says what a client does on each. RFC 6455 codes come from Jetty's {@link CloseStatus};
 * 4000 is framewire's own (private-use range).
 */
public final class CloseCodes {
    /** The client's own close; also the server's answer to it. */
    public static final int NORMAL = CloseStatus.NORMAL;
    /** Draining or idle: reconnect at once, the balancer picks another host. */
    public static final int GOING_AWAY = CloseStatus.SHUTDOWN;
    /** The client broke a rule it can fix (stopped reading, ping flood, bad frame): reconnect with backoff. */
    public static final int POLICY = CloseStatus.POLICY_VIOLATION;
    /** A message over {@code ws.maxMessageBytes}: do not retry with the same settings. */
    public static final int TOO_BIG = CloseStatus.MESSAGE_TOO_LARGE;
    /** An unexpected server error: reconnect with backoff. */
    public static final int SERVER_ERROR = CloseStatus.SERVER_ERROR;
    /** Full or out of buffers after the upgrade: reconnect with backoff. */
    public static final int TRY_AGAIN = CloseStatus.TRY_AGAIN_LATER;
    /** A newer connection took this stream id over: another publisher owns it now. */
    public static final int REPLACED = 4000;

    private CloseCodes() {}
}
