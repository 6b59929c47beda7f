package io.framewire.bench.loadgen;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Thread-safe counts by label (close codes, failure reasons). Caps distinct labels so odd messages can't blow up the summary. */
final class Tally {
    private static final int MAX_KEYS = 32;
    private final ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();

    void inc(String key) {
        String k = key == null ? "null" : key;
        LongAdder a = counts.get(k);
        if (a == null) {
            a = counts.size() >= MAX_KEYS ? counts.computeIfAbsent("(other)", x -> new LongAdder())
                    : counts.computeIfAbsent(k, x -> new LongAdder());
        }
        a.increment();
    }

    long total() {
        long t = 0;
        for (LongAdder a : counts.values()) {
            t += a.sum();
        }
        return t;
    }

    Map<String, Long> snapshot() {
        Map<String, Long> m = new TreeMap<>();
        counts.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }
}
