package io.framewire.state;

import io.framewire.protocol.Encoded;

/** One client following a stream's results. Both calls come from one feed thread and must not block. */
public interface Watcher {

    /** Registered: entries after {@code from} follow, oldest first ({@code 0-0}: all that is kept). */
    void ready(String from);

    /**
     * One result (or per-frame error) message as a watcher gets it ({@code Messages.watched}: its
     * entry id first), encoded once and shared by all the stream's watchers.
     */
    void deliver(String entry, Encoded watched);
}
