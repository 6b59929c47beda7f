package io.framewire.state;

import io.framewire.stream.StreamSession;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One host, no Redis: takeover is the local registry's, counters start at zero on each connect,
 * and watchers see the streams published to this host. A stream's results are kept for replay
 * only from the moment someone first watches it, so unwatched streams cost one map lookup.
 */
final class LocalState implements SharedState {

    private final int maxLen;
    private final ConcurrentHashMap<String, Log> logs = new ConcurrentHashMap<>();

    LocalState(int maxLen) {
        this.maxLen = maxLen;
    }

    @Override
    public void start(HostInfo host) {}

    @Override
    public void opened(StreamSession session) {}

    @Override
    public void closed(StreamSession session) {}

    @Override
    public void publish(String streamId, String message) {
        Log log = logs.get(streamId);
        if (log != null) {
            log.append(message);
        }
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
        logs.computeIfPresent(streamId, (id, log) -> log.remove(watcher) ? null : log);
    }

    /** Streams with a log (watched now, or watched once and published since). */
    int logsKept() {
        return logs.size();
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
    public void close() {}

    /** A stream's last {@code maxLen} messages and its watchers; the lock keeps replay and live in order. */
    private static final class Log {
        private final int maxLen;
        private final ArrayDeque<Entry> entries = new ArrayDeque<>();
        private final List<Watcher> watchers = new ArrayList<>();
        private EntryId last = EntryId.ZERO;
        private boolean retired;

        private record Entry(EntryId id, String message) {}

        Log(int maxLen) {
            this.maxLen = maxLen;
        }

        synchronized void append(String message) {
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
        synchronized boolean remove(Watcher w) {
            watchers.remove(w);
            retired = watchers.isEmpty() && entries.isEmpty();
            return retired;
        }
    }
}
