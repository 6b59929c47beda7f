package io.framewire.client;

/**
 * What a client reports. Called on the client's virtual threads, one call at a time per client, in
 * the order the server sent; keep them short (hand heavy work to another thread).
 */
public interface Listener {

    /** A result, per-frame error, status or watching message. */
    default void onMessage(Message message) {}

    /** The state changed; {@code closed} says why when it is WAITING or STOPPED after a connection (else null). */
    default void onState(State state, Closed closed) {}
}
