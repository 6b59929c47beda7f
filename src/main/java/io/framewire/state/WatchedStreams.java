package io.framewire.state;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Which streams publishing here are watched, so that unwatched ones cost no XADD. A watcher on this
 * host counts at once; one anywhere else is learnt from the {@link Keys#watched} marker, which the
 * records script reports on each write (about once a second per stream). Until a new connection's
 * first write a stream's state is unknown: its results are held back rather than lost.
 */
final class WatchedStreams {

    enum State { WATCHED, UNWATCHED, UNKNOWN }

    private final ConcurrentHashMap<String, Boolean> remote = new ConcurrentHashMap<>(); // streams published here
    private final ConcurrentHashMap<String, Integer> local = new ConcurrentHashMap<>(); // watchers on this host

    State state(String streamId) {
        if (local.containsKey(streamId)) {
            return State.WATCHED;
        }
        Boolean r = remote.get(streamId);
        return r == null ? State.UNKNOWN : r ? State.WATCHED : State.UNWATCHED;
    }

    /** The records script's answer for a stream published here. */
    void learned(String streamId, boolean watched) {
        remote.put(streamId, watched);
    }

    /** The stream no longer publishes here. */
    void forget(String streamId) {
        remote.remove(streamId);
    }

    void watcherAdded(String streamId) {
        local.merge(streamId, 1, Integer::sum);
    }

    void watcherRemoved(String streamId) {
        local.computeIfPresent(streamId, (id, n) -> n == 1 ? null : n - 1);
    }

    /** Streams published here whose results are appended (the gauge). */
    long appended() {
        return remote.keySet().stream().filter(id -> state(id) == State.WATCHED).count();
    }
}
