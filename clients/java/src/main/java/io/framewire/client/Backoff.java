package io.framewire.client;

import java.util.function.DoubleSupplier;

/**
 * Reconnect delays under the client contract (docs/protocol.md, "Client side of the contract"): exponential
 * backoff with full jitter (uniform in [0, min(cap, base x 2^n))), doubling per attempt, back to the
 * base after a connection that got a result; 1001 at once (0-250 ms); 4000 after 5 s + up to 1 s;
 * 1000, 1009 and a refused upgrade (400, 401, 403) end the stream; a 503's Retry-After is a floor.
 */
final class Backoff {
    static final long STOP = -1;
    static final long BASE_MS = 250;
    static final long CAP_MS = 10_000;
    static final long REPLACED_MS = 5_000;

    private final DoubleSupplier random; // uniform in [0, 1)
    private int attempt;

    Backoff(DoubleSupplier random) {
        this.random = random;
    }

    /** An open connection ended with {@code code}; returns ms until the reconnect, or {@link #STOP}. */
    synchronized long afterClose(int code, boolean gotResult) {
        if (gotResult) {
            attempt = 0;
        }
        return switch (code) {
            case 1000, 1009 -> STOP; // done; too big: the same settings would fail again
            case 1001 -> jitter(BASE_MS); // draining or idle: the balancer picks another host
            case 4000 -> REPLACED_MS + jitter(1_000); // another publisher owns the id
            default -> next(); // 1013, 1008, 1006, 1011, the silence rule, anything else
        };
    }

    /** A connect failed with HTTP {@code status} (0: none came); {@code retryAfterMs} from Retry-After (0: none). */
    synchronized long afterFailedConnect(int status, long retryAfterMs) {
        if (status == 400 || status == 401 || status == 403) {
            return STOP; // a bad id or token: retrying cannot help
        }
        return Math.max(retryAfterMs, next());
    }

    private long next() {
        long ceiling = attempt >= 6 ? CAP_MS : Math.min(CAP_MS, BASE_MS << attempt);
        attempt++;
        return jitter(ceiling);
    }

    private long jitter(long maxMs) {
        return (long) (random.getAsDouble() * maxMs);
    }
}
