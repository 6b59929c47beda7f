package io.framewire.client;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;

/**
 * The messages as a blocking queue, for code that would rather pull than be called: pass it as the
 * listener and {@link #poll} it. Bounded: when the reader falls behind the oldest message goes (its
 * frames are in the newer results' {@code dropped} anyway).
 */
public final class Inbox implements Listener {

    private final LinkedBlockingDeque<Message> queue;

    public Inbox(int capacity) {
        this.queue = new LinkedBlockingDeque<>(capacity);
    }

    @Override
    public void onMessage(Message message) {
        while (!queue.offerLast(message)) {
            queue.pollFirst();
        }
    }

    /** The next message, or null after {@code timeout}. */
    public Message poll(Duration timeout) throws InterruptedException {
        return queue.pollFirst(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The next message, waiting as long as it takes. */
    public Message take() throws InterruptedException {
        return queue.takeFirst();
    }
}
