package io.framewire.protocol;

/**
 * Every WebSocket close code framewire sends, in one place, with the reasons sent more than once:
 * docs/protocol.md ("Client side of the contract") says what a client does on each. Plain RFC 6455
 * numbers (section 7.4.1), so that the protocol depends on no WebSocket library; 4000 is
 * framewire's own (private-use range).
 */
public final class CloseCodes {
    /** The client's own close; also the server's answer to it. */
    public static final int NORMAL = 1000;
    /** Draining or idle: reconnect at once, the balancer picks another host. */
    public static final int GOING_AWAY = 1001;
    /** The client broke a rule it can fix (stopped reading, ping flood, bad frame): reconnect with backoff. */
    public static final int POLICY = 1008;
    /** A message over {@code ws.maxMessageBytes}: do not retry with the same settings. */
    public static final int TOO_BIG = 1009;
    /** An unexpected server error: reconnect with backoff. */
    public static final int SERVER_ERROR = 1011;
    /** Full or out of buffers after the upgrade: reconnect with backoff. */
    public static final int TRY_AGAIN = 1013;
    /** A newer connection took this stream id over: another publisher owns it now. */
    public static final int REPLACED = 4000;

    /** Reason of {@link #GOING_AWAY} when the host drains or stops. */
    public static final String SHUTTING_DOWN = "server shutting down";
    /** Reason of {@link #REPLACED} when the newer connection is on this host (or its owner is unknown). */
    public static final String REPLACED_HERE = "replaced by a newer connection for this stream";

    private CloseCodes() {}
}
