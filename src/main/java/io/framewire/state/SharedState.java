package io.framewire.state;

import io.framewire.metrics.Metrics;
import io.framewire.tracking.TrackHandover;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the hosts of a fleet share: who publishes which stream (takeover, resume, records) and
 * every stream's results for watchers. {@link LocalState} keeps it in this process (one host);
 * {@link RedisState} shares it through Redis. No call blocks on the network: Redis work happens on
 * a few background threads.
 */
public interface SharedState extends AutoCloseable {

    /**
     * Without {@code redis} (null: no {@code --redis}): in memory, this host only.
     *
     * @param results          what is kept per stream for watchers ({@code results.*})
     * @param resultsRetention in memory: how long results outlive the last watcher ({@code results.retentionSec})
     */
    static SharedState open(RedisConfig redis, ResultsLimits results, Duration resultsRetention, Metrics metrics) {
        if (redis == null) {
            LocalState local = new LocalState(results, resultsRetention, System::currentTimeMillis);
            metrics.gauge("framewire_results_kept", "Results held in memory for watchers (no --redis)", local::resultsKept);
            metrics.gauge("framewire_results_kept_bytes",
                    "Bytes of results held in memory for watchers (no --redis; cap: results.maxBytesTotal)", local::bytesKept);
            metrics.gauge("framewire_results_not_kept",
                    "Results delivered live but not kept for replay: results.maxBytesTotal was spent (no --redis)", local::notKept);
            return local;
        }
        return new RedisState(redis, results, metrics);
    }

    /** Starts background work once the host's address is known. */
    void start(HostInfo host);

    /** A publisher connected here (after the local registry has taken the id). */
    void opened(Publisher session);

    /**
     * The tracks of a publisher that {@link #opened} here: with Redis they are saved for, and
     * restored from, other connections of the same stream (best effort); in memory, nothing.
     */
    default void tracks(Publisher session, TrackHandover tracks) {}

    /** That publisher's connection ended. */
    void closed(Publisher session);

    /** A result or error message of {@code streamId}, for its watchers; never blocks. */
    void publish(String streamId, String message);

    /** Starts feeding {@code watcher}: entries after {@code lastEntry} (null: from now on). */
    void watch(String streamId, String lastEntry, Watcher watcher);

    void unwatch(String streamId, Watcher watcher);

    /** For /readyz: {@code not configured}, {@code up} or {@code degraded}. */
    String health();

    /**
     * The fleet's host records (id, address, streams, capacity, version, heartbeat, started_at) for
     * the dashboard; null without Redis, an empty list while Redis is unreachable.
     */
    default List<Map<String, String>> hosts() {
        return null;
    }

    /** One line for the start-up log. */
    String describe();

    /** Is {@code s} an entry id a watcher may pass as {@code last}? */
    static boolean validEntry(String s) {
        return EntryId.parse(s) != null;
    }

    @Override
    void close();
}
