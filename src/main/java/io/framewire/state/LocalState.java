package io.framewire.state;

import io.framewire.protocol.Encoded;
import io.framewire.protocol.Messages;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * One host, no Redis: takeover is the local registry's, counters start at zero on each connect,
 * and watchers see the streams published to this host. A stream's results are kept for replay
 * only from the moment someone first watches it, so unwatched streams cost one map lookup.
 *
 * <p>A log without watchers is kept for replay {@code retention} after its last result, and at most
 * {@link #MAX_UNWATCHED} of them (the least recently active go first): watching made-up ids,
 * publishing to them and leaving must not grow the heap until it runs out.
 *
 * <p>Logs are bounded in bytes too, whatever size of result a client causes: each keeps at most
 * {@code maxBytesPerStream} (oldest dropped first), all together at most {@code maxBytesTotal} (a
 * result that does not fit in what is left is delivered live but not kept, and counted), and a
 * result over {@code maxEntryBytes} is kept, and delivered, as a {@code skipped} marker. Each
 * result is encoded once, as its watchers get it, and that one copy is kept and sent to all.
 */
final class LocalState implements SharedState {

    /** Logs without a watcher kept at most. */
    static final int MAX_UNWATCHED = 1000;
    private static final long SWEEP_EVERY_MS = 1000;

    private final ResultsLimits limits;
    private final long retentionMs;
    private final LongSupplier clock;
    private final ConcurrentHashMap<String, Log> logs = new ConcurrentHashMap<>();
    private final AtomicLong bytesKept = new AtomicLong();
    private final AtomicLong notKept = new AtomicLong();
    private volatile long nextSweep;

    LocalState(int maxLen) {
        this(ResultsLimits.ofLength(maxLen), Duration.ofMinutes(5), System::currentTimeMillis);
    }

    LocalState(int maxLen, Duration retention, LongSupplier clock) {
        this(ResultsLimits.ofLength(maxLen), retention, clock);
    }

    LocalState(ResultsLimits limits, Duration retention, LongSupplier clock) {
        this.limits = limits;
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
        while (!logs.computeIfAbsent(streamId, id -> new Log(id, this)).add(watcher, from)) {
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

    /**
     * Drops unwatched logs past the retention, then the least recently active beyond {@link #MAX_UNWATCHED}
     * or while the bytes kept are over three quarters of {@code results.maxBytesTotal}.
     */
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
        unwatched.sort(Comparator.comparingLong(Map.Entry::getValue));
        int i = 0;
        for (; i < unwatched.size() - MAX_UNWATCHED; i++) {
            drop(unwatched.get(i).getKey(), unwatched.get(i).getValue());
        }
        // logs nobody watches give way, least recently active first, while the bytes kept near the budget
        for (; i < unwatched.size() && bytesKept.get() > limits.maxBytesTotal() / 4 * 3; i++) {
            drop(unwatched.get(i).getKey(), unwatched.get(i).getValue());
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

    /** Bytes of results held in all logs (at most {@code results.maxBytesTotal}). */
    long bytesKept() {
        return bytesKept.get();
    }

    /** Results delivered live but not kept: the logs' total budget was spent. */
    long notKept() {
        return notKept.get();
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

    /**
     * A stream's last {@code maxLen} messages (at most {@code maxBytesPerStream} of them) and its
     * watchers; the lock keeps replay and live in order.
     */
    private static final class Log {
        private final String streamId;
        private final LocalState owner;
        private final ArrayDeque<Entry> entries = new ArrayDeque<>();
        private final List<Watcher> watchers = new ArrayList<>();
        private EntryId last = EntryId.ZERO;
        private long bytes; // of entries
        private long lastActive; // millis of the last result or watcher change
        private boolean retired; // out of the map: watch() must take the map's current log

        private record Entry(EntryId id, Encoded watched) {}

        Log(String streamId, LocalState owner) {
            this.streamId = streamId;
            this.owner = owner;
        }

        synchronized void append(String message, long at) {
            lastActive = at;
            // ids from the state's clock (wall time in service, as Redis stream ids are), so tests can drive them
            last = at > last.millis() ? new EntryId(at, 0) : new EntryId(last.millis(), last.seq() + 1);
            String id = last.toString();
            ResultsLimits limits = owner.limits;
            Encoded watched = Encoded.of(Messages.watched(id, message));
            if (watched.size() > limits.maxEntryBytes()) {
                watched = Encoded.of(Messages.watched(id, Messages.skipped(streamId, message, watched.size(), limits.maxEntryBytes())));
            }
            keep(new Entry(last, watched));
            for (Watcher w : watchers) {
                w.deliver(id, watched);
            }
        }

        /** Keeps an entry within the stream's and the host's byte budgets, dropping the oldest first. */
        private void keep(Entry e) {
            ResultsLimits limits = owner.limits;
            int size = e.watched().size();
            if (limits.maxLen() <= 0) {
                return;
            }
            while (!entries.isEmpty() && (entries.size() >= limits.maxLen() || bytes + size > limits.maxBytesPerStream())) {
                dropOldest();
            }
            while (true) {
                long total = owner.bytesKept.get();
                if (total + size <= limits.maxBytesTotal()) {
                    if (owner.bytesKept.compareAndSet(total, total + size)) {
                        break;
                    }
                } else if (!entries.isEmpty()) {
                    dropOldest(); // the host's budget is spent: this stream gives up its own oldest
                } else {
                    owner.notKept.incrementAndGet();
                    return;
                }
            }
            if (size > limits.maxBytesPerStream()) {
                owner.bytesKept.addAndGet(-size);
                owner.notKept.incrementAndGet();
                return;
            }
            entries.addLast(e);
            bytes += size;
        }

        private void dropOldest() {
            Entry old = entries.pollFirst();
            bytes -= old.watched().size();
            owner.bytesKept.addAndGet(-old.watched().size());
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
                    w.deliver(e.id().toString(), e.watched());
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

        /** Retires the log if nobody watched it or published to it since {@code idleSince} was read; its bytes are given back. */
        synchronized boolean retireIfIdleSince(long idleSince) {
            retired = watchers.isEmpty() && lastActive == idleSince;
            if (retired) {
                owner.bytesKept.addAndGet(-bytes);
                bytes = 0;
                entries.clear();
            }
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
