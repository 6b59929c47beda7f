package io.framewire.schedule;

/** Where a stream's answers go. Must not block: workers call it and move on to the next frame. */
@FunctionalInterface
public interface ResultSink {
    void send(String message);
}
