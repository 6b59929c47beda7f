package io.framewire.bench.loadgen;

import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * One camera's reconnect delays under the client contract (docs/protocol.md, "Client side of the contract"):
 * exponential backoff with full jitter (a delay drawn uniformly from [0, min(cap, base x 2^n))),
 * doubling per attempt, back to the base after a connection that got at least one result; 1001 at
 * once (0-250 ms); 4000 after 5 s + up to 1 s; 1000, 1009 and a refused upgrade (400, 401, 403)
 * end the stream. Full jitter spreads the cameras of a dead host over the whole window instead of
 * bunching them around each step. Called by the I/O threads and the reconnect timer: synchronized.
 */
final class Backoff {
    /** No reconnect: the stream is done. */
    static final long STOP = -1;
    static final long DRAIN_JITTER_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    static final long REPLACED_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);
    static final long REPLACED_JITTER_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final long baseNanos;
    private final long capNanos;
    private final DoubleSupplier random; // uniform in [0, 1)
    private int attempt;                 // backoff steps since the last connection that got a result

    Backoff(long baseNanos, long capNanos, DoubleSupplier random) {
        if (baseNanos <= 0 || capNanos < baseNanos) {
            throw new IllegalArgumentException("need 0 < base <= cap: " + baseNanos + ", " + capNanos);
        }
        this.baseNanos = baseNanos;
        this.capNanos = capNanos;
        this.random = random;
    }

    /**
     * An open connection ended with {@code code} ({@link StreamConn#CLOSE_SILENCE} for the silence
     * rule); {@code gotResult}: it received at least one result. Returns ns until the reconnect, or {@link #STOP}.
     */
    synchronized long afterClose(int code, boolean gotResult) {
        if (gotResult) {
            attempt = 0;
        }
        return switch (code) {
            case 1000, 1009 -> STOP; // done; too big: the same settings would fail again
            case 1001 -> jitter(DRAIN_JITTER_NANOS); // draining or idle: the balancer picks another host
            case 4000 -> REPLACED_WAIT_NANOS + jitter(REPLACED_JITTER_NANOS); // another publisher owns the id
            default -> next(); // 1013, 1008, 1006, 1011, the silence rule, anything else
        };
    }

    /**
     * A connect failed: HTTP {@code status} at the upgrade (0 when none came: network error, timeout),
     * {@code retryAfterNanos} from a Retry-After header (0 when none). Returns ns until the next attempt, or {@link #STOP}.
     */
    synchronized long afterFailedConnect(int status, long retryAfterNanos) {
        if (status == 400 || status == 401 || status == 403) {
            return STOP; // a bad id or token: retrying cannot help
        }
        return Math.max(retryAfterNanos, next());
    }

    /** The next backoff step: uniform in [0, min(cap, base x 2^attempt)). */
    private long next() {
        long ceiling = attempt >= Long.numberOfLeadingZeros(baseNanos) - 1 ? capNanos : Math.min(capNanos, baseNanos << attempt);
        attempt++;
        return jitter(ceiling);
    }

    private long jitter(long maxNanos) {
        return (long) (random.getAsDouble() * maxNanos);
    }
}
