package io.framewire.state;

/** One client following a stream's results. Both calls come from one feed thread and must not block. */
public interface Watcher {

    /** Registered: entries after {@code from} follow, oldest first ({@code 0-0}: all that is kept). */
    void ready(String from);

    /** One result (or per-frame error) message and its entry id. */
    void deliver(String entry, String message);
}
