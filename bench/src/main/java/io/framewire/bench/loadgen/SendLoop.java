package io.framewire.bench.loadgen;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The single pacing thread: opens stream i at {@code start + i·ramp/n} and, open-loop, sends
 * global slot k at {@code start + k·period/n} to stream {@code k mod n}. That gives every stream
 * exactly fps frames/s with phases evenly spread, in O(1) work per send and no per-stream timers.
 * It wakes about once per millisecond and sends everything that has come due. If it falls more
 * than a period behind (GC, CPU starvation) it skips the stale frames and counts them, so a
 * starved load generator shows up in the summary instead of as a backlog that never drains.
 */
final class SendLoop implements Runnable {
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MAX_SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final StreamConn[] conns;
    private final ByteBuffer[] frames;
    private final double fps;
    private final long start;
    private final long rampNanos;
    private final long measureFrom;
    private final long end;
    private final IntConsumer connector;

    private volatile long maxLagNanos;   // worst lateness of a send inside the measured window
    private volatile long lateSkipped;   // frames not sent because the loop fell a period behind
    private final boolean followAdvice;
    private final long[] nextAllowed;    // --follow-advice: per stream, when it may send again
    private volatile long adviceSkipped; // frames not sent in the window because of the server's advice

    SendLoop(StreamConn[] conns, List<ByteBuffer> frames, double fps, long start, long rampNanos,
            long measureFrom, long end, IntConsumer connector) {
        this(conns, frames, fps, start, rampNanos, measureFrom, end, connector, false);
    }

    SendLoop(StreamConn[] conns, List<ByteBuffer> frames, double fps, long start, long rampNanos,
            long measureFrom, long end, IntConsumer connector, boolean followAdvice) {
        this.followAdvice = followAdvice;
        this.nextAllowed = new long[conns.length];
        this.conns = conns;
        this.frames = frames.toArray(ByteBuffer[]::new);
        this.fps = fps;
        this.start = start;
        this.rampNanos = rampNanos;
        this.measureFrom = measureFrom;
        this.end = end;
        this.connector = connector;
    }

    long maxLagNanos() {
        return maxLagNanos;
    }

    long lateSkipped() {
        return lateSkipped;
    }

    long adviceSkipped() {
        return adviceSkipped;
    }

    /**
     * --follow-advice: whether stream {@code i} may send now, at most at its advised rate. A token
     * bucket one frame deep, so the rate is the advice's, not rounded down to the slot grid.
     */
    private boolean advised(int i, StreamConn c, long now, double period) {
        double fps = c.advisedFps();
        if (!followAdvice || fps <= 0 || fps * period >= 1e9) {
            return true; // no advice yet, or advised at least the configured rate
        }
        if (now - nextAllowed[i] < 0) {
            return false;
        }
        nextAllowed[i] = Math.max(nextAllowed[i], now - (long) period) + (long) (1e9 / fps);
        return true;
    }

    /** Due time of item {@code k} when {@code n} items are spread over {@code span} ns. */
    static long due(long start, long k, long n, double span) {
        return start + (long) (k * span / n);
    }

    @Override
    public void run() {
        int n = conns.length;
        double period = fps > 0 ? 1e9 / fps : 0;
        int nf = frames.length;
        int nextConnect = 0;
        long slot = 0; // global send slot
        long now;
        while ((now = System.nanoTime()) < end) {
            while (nextConnect < n && due(start, nextConnect, n, rampNanos) <= now) {
                connector.accept(nextConnect++);
            }
            long d;
            // only what is due at the start of this tick, so connects above are never starved
            while (fps > 0 && (d = due(start, slot, n, period)) <= now && d < end) {
                int i = (int) (slot % n);
                long round = slot / n;
                long lag = now - d;
                boolean measured = d >= measureFrom;
                if (lag > period) {
                    // A whole period late: this stream's next frame is already due. Like a camera,
                    // send only the newest; the count shows the load generator could not keep up.
                    if (measured && conns[i].state() == StreamConn.State.OPEN) {
                        lateSkipped++;
                    }
                } else {
                    if (measured && lag > maxLagNanos) {
                        maxLagNanos = lag;
                    }
                    StreamConn c = conns[i]; // replaced by a fresh connection on a reconnect
                    if (c.state() == StreamConn.State.OPEN && !advised(i, c, now, period)) {
                        if (measured) {
                            adviceSkipped++;
                        }
                    } else if (c.state() == StreamConn.State.OPEN) {
                        // each stream starts at a different frame and then walks the sequence
                        c.trySend(frames[(int) ((i + round) % nf)], System.nanoTime());
                    } else if (c.ledger.connections() > 0) {
                        c.ledger.recordOffline(); // between connections: this frame never leaves the camera
                    }
                }
                slot++;
            }
            long next = end;
            if (nextConnect < n) {
                next = Math.min(next, due(start, nextConnect, n, rampNanos));
            }
            if (fps > 0) {
                next = Math.min(next, due(start, slot, n, period));
            }
            long sleep = Math.min(MAX_SLEEP_NANOS, Math.max(TICK_NANOS, next - System.nanoTime()));
            LockSupport.parkNanos(sleep);
        }
    }
}
