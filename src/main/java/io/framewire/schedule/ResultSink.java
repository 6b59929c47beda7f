package io.framewire.schedule;

/** Where a stream's results go. Must not block: workers call it and move on to the next frame. */
public interface ResultSink {
    void send(String message);
}
