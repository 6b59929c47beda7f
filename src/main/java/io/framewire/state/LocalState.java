package io.framewire.state;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One host, no Redis: takeover is the local registry's, counters start at zero on each connect,
 * and watchers see the streams published to this host. A stream's results are kept for replay
 * only from the moment someone first watches it, so unwatched streams cost one map lookup.
 *
 * <p>A log without watchers is kept for replay {@code retention} after its last result, and at most
 * {@link #MAX_UNWATCHED} of them (the least recently active go first): watching made-up ids,
 * publishing to them and leaving must not grow the heap until it runs out.
 */
final class LocalState implements SharedState {

    /** Logs without a watcher kept at most. */
    static final int MAX_UNWATCHED = 1000;
    private static final long SWEEP_EVERY_MS = 1000;

    private final int maxLen;
    private final long retentionMs;
    private final LongSupplier clock;
    private final ConcurrentHashMap<String, Log> logs = new ConcurrentHashMap<>();
    private volatile long nextSweep;

    LocalState(int maxLen) {
        this(maxLen, Duration.ofMinutes(5), System::currentTimeMillis);
    }

    LocalState(int maxLen, Duration retention, LongSupplier clock) {
        this.maxLen = maxLen;
        this.retentionMs = retention.toMillis();
        this.clock = clock;
    }

    private volatile Thread sweeper;

    /** Sweeps once a second even when nothing is published: an idle host lets go of old logs too. */
    @Override
    public void start(HostInfo host) {
        sweeper = Thread.ofVirtual().name("local-state-sweeper").start(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(SWEEP_EVERY_MS);
                    sweepNowAndThen();
                }
            } catch (InterruptedException e) {
                // closed
            }
        });
    }

    @Override
    public void opened(Publisher session) {}

    @Override
    public void closed(Publisher session) {}

    @Override
    public void publish(String streamId, String message) {
        Log log = logs.get(streamId);
        if (log != null) {
            log.append(message, clock.getAsLong());
        }
        sweepNowAndThen();
    }

    @Override
    public void watch(String streamId, String lastEntry, Watcher watcher) {
        // Not inside compute: publish() cannot see a log until compute returns, so results published
        // after the watcher was told where its feed starts were lost (LocalWatchTest, under load).
        // The log is in the map before the watcher hears anything; one its last watcher retired
        // meanwhile is replaced.
        EntryId from = EntryId.parse(lastEntry);
        while (!logs.computeIfAbsent(streamId, id -> new Log(maxLen)).add(watcher, from)) {
            Thread.onSpinWait();
        }
    }

    @Override
    public void unwatch(String streamId, Watcher watcher) {
        // a log that never saw a result goes with its last watcher: watching made-up ids must not leak
        logs.computeIfPresent(streamId, (id, log) -> log.remove(watcher, clock.getAsLong()) ? null : log);
        sweepNowAndThen();
    }

    private void sweepNowAndThen() {
        long now = clock.getAsLong();
        if (now < nextSweep) {
            return;
        }
        synchronized (this) {
            if (now < nextSweep) {
                return;
            }
            nextSweep = now + SWEEP_EVERY_MS;
            sweep(now);
        }
    }

    /** Drops unwatched logs past the retention, then the least recently active beyond {@link #MAX_UNWATCHED}. */
    synchronized void sweep(long now) {
        List<Map.Entry<String, Long>> unwatched = new ArrayList<>();
        for (Map.Entry<String, Log> e : logs.entrySet()) {
            long idleSince = e.getValue().idleSince();
            if (idleSince < 0) {
                continue; // watched
            }
            if (now - idleSince >= retentionMs) {
                drop(e.getKey(), idleSince);
            } else {
                unwatched.add(Map.entry(e.getKey(), idleSince));
            }
        }
        if (unwatched.size() > MAX_UNWATCHED) {
            unwatched.sort(Comparator.comparingLong(Map.Entry::getValue));
            for (Map.Entry<String, Long> e : unwatched.subList(0, unwatched.size() - MAX_UNWATCHED)) {
                drop(e.getKey(), e.getValue());
            }
        }
    }

    /** Removes the log unless a watcher or a result came since {@code idleSince} was read. */
    private void drop(String streamId, long idleSince) {
        logs.computeIfPresent(streamId, (id, log) -> log.retireIfIdleSince(idleSince) ? null : log);
    }

    /** Streams with a log (watched now, or watched once and published since). */
    int logsKept() {
        return logs.size();
    }

    /** Results held in all logs. */
    long resultsKept() {
        long n = 0;
        for (Log log : logs.values()) {
            n += log.size();
        }
        return n;
    }

    @Override
    public String health() {
        return "not configured";
    }

    @Override
    public String describe() {
        return "no --redis: single host, in-memory state (takeover, counters and watchers on this host only)";
    }

    @Override
    public void close() {
        Thread t = sweeper;
        if (t != null) {
            t.interrupt();
        }
    }

    /** A stream's last {@code maxLen} messages and its watchers; the lock keeps replay and live in order. */
    private static final class Log {
        private final int maxLen;
        private final ArrayDeque<Entry> entries = new ArrayDeque<>();
        private final List<Watcher> watchers = new ArrayList<>();
        private EntryId last = EntryId.ZERO;
        private long lastActive; // millis of the last result or watcher change
        private boolean retired; // out of the map: watch() must take the map's current log

        private record Entry(EntryId id, String message) {}

        Log(int maxLen) {
            this.maxLen = maxLen;
        }

        synchronized void append(String message, long at) {
            lastActive = at;
            long now = System.currentTimeMillis();
            last = now > last.millis() ? new EntryId(now, 0) : new EntryId(last.millis(), last.seq() + 1);
            if (maxLen > 0) {
                entries.addLast(new Entry(last, message));
                if (entries.size() > maxLen) {
                    entries.pollFirst();
                }
            }
            String id = last.toString();
            for (Watcher w : watchers) {
                w.deliver(id, message);
            }
        }

        /** False when the log was retired (its last watcher left it empty): take the map's current one. */
        synchronized boolean add(Watcher w, EntryId from) {
            if (retired) {
                return false;
            }
            EntryId start = from == null ? last : from;
            w.ready(start.toString());
            for (Entry e : entries) {
                if (e.id().compareTo(start) > 0) {
                    w.deliver(e.id().toString(), e.message());
                }
            }
            watchers.add(w);
            return true;
        }

        /** True when the log is now empty (no watchers, nothing kept) and retired: the map drops it. */
        synchronized boolean remove(Watcher w, long at) {
            watchers.remove(w);
            lastActive = at;
            retired = watchers.isEmpty() && entries.isEmpty();
            return retired;
        }

        /** Retires the log if nobody watched it or published to it since {@code idleSince} was read. */
        synchronized boolean retireIfIdleSince(long idleSince) {
            retired = watchers.isEmpty() && lastActive == idleSince;
            return retired;
        }

        synchronized int size() {
            return entries.size();
        }

        /** When it was last active, while nobody watches it; -1 while watched. */
        synchronized long idleSince() {
            return watchers.isEmpty() ? lastActive : -1;
        }
    }
}
