package io.framewire.stream;

/** Where a watcher that asks for pictures ({@code /ws/watch/{id}?frames=N}) gets them. */
public interface PictureFeed {

    /** A JPEG of the stream, its receipt time (ms since the epoch) and size. */
    record Picture(byte[] jpeg, long atMillis, int width, int height) {}

    /**
     * The stream's latest picture if newer than {@code afterMillis}, else null; asking also tells the
     * source that someone wants {@code perSecond} of them. May block briefly (another host's picture).
     */
    Picture next(String stream, int perSecond, long afterMillis) throws InterruptedException;
}
