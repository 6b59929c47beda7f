package io.framewire.stream;

import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The direct buffers that hold received messages, from their arrival until a worker is done with
 * them: pooled, and capped in total so that many connections (or a few hostile ones) get a clear
 * refusal instead of exhausting direct memory.
 */
public final class FrameBuffers {

    private static final Logger log = LoggerFactory.getLogger(FrameBuffers.class);

    private final ByteBufferPool pool;
    private final long maxBytes;
    private final AtomicLong used = new AtomicLong();

    public FrameBuffers(ByteBufferPool pool, long maxBytes) {
        this.pool = pool;
        this.maxBytes = maxBytes;
    }

    /**
     * A message buffer of at least {@code size} bytes (limit 0), or null when the cap would be
     * passed. Direct-memory exhaustion exits the process (see {@link #exitIfOutOfMemory}).
     */
    BlockingWebSocket.Binary acquire(int size) {
        RetainableByteBuffer buffer;
        try {
            buffer = pool.acquire(size, true);
        } catch (OutOfMemoryError e) {
            exitIfOutOfMemory(e);
            throw e;
        }
        int capacity = buffer.capacity();
        if (used.addAndGet(capacity) > maxBytes) {
            used.addAndGet(-capacity);
            buffer.release();
            return null;
        }
        // The message is the only extra object: a Jetty Wrapper per frame here, to count the
        // release, was one more allocation per frame (bench/RESULTS.md, "One frame lifecycle").
        return new BlockingWebSocket.Binary(buffer, this);
    }

    /** {@link BlockingWebSocket.Binary#release()}: the buffer goes back to the pool, its bytes off the count. */
    void release(RetainableByteBuffer buffer) {
        int capacity = buffer.capacity();
        if (buffer.release()) {
            used.addAndGet(-capacity);
        }
    }

    /** Bytes held in frame buffers now. */
    public long used() {
        return used.get();
    }

    public long maxBytes() {
        return maxBytes;
    }

    /**
     * {@code -XX:+ExitOnOutOfMemoryError} covers the heap only: a host out of direct memory would
     * limp on, every read failing. When {@code cause} is (or wraps) an {@link OutOfMemoryError},
     * exit the same way, at once, and let the supervisor (systemd) restart a clean process.
     */
    public static void exitIfOutOfMemory(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryError oom) {
                log.error("out of memory, exiting (like -XX:+ExitOnOutOfMemoryError): {}", oom.toString());
                Runtime.getRuntime().halt(3);
            }
            if (t.getCause() == t) {
                return;
            }
        }
    }
}
