package io.framewire.stream;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes of results queued on sockets, all connections together ({@code ws.maxPendingBytesTotal}):
 * with each connection's own budget, what a host holds for clients that do not read is bounded
 * in bytes, whatever size of result a client chooses to cause.
 */
public final class OutputBudget {

    private final long max;
    private final AtomicLong used = new AtomicLong();

    public OutputBudget(long max) {
        this.max = max;
    }

    /** Takes {@code bytes} if they fit; false (nothing taken) if not. */
    boolean tryAcquire(long bytes) {
        if (used.addAndGet(bytes) > max) {
            used.addAndGet(-bytes);
            return false;
        }
        return true;
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }

    public long used() {
        return used.get();
    }

    public long max() {
        return max;
    }
}
