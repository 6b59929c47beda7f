package io.framewire.watchdog;

/** One part of the server that must keep making progress for the heartbeat to go out. */
@FunctionalInterface
public interface Probe {

    /**
     * Null while the part makes progress; otherwise why not (for the log and systemd's STATUS=).
     * Called from the watchdog's own thread at every tick; must not block.
     *
     * @param stallNanos how long without progress counts as a stall
     */
    String stall(long nowNanos, long stallNanos);
}
