package io.framewire.events;

import io.framewire.state.RedisCommands;
import java.util.ArrayList;
import java.util.List;

/**
 * Events into the Redis Stream {@code fw:events}: one entry per event, its JSON in the field
 * {@code event}, trimmed to about {@code maxLen} entries ({@code MAXLEN ~}). Readers use consumer
 * groups ({@code XREADGROUP}) to share or each read the whole stream. A batch is one pipelined
 * round trip; a failed one is sent again whole (at least once: the event ids tell repeats apart).
 */
final class RedisSink extends Sink {

    static final String KEY = "fw:events";
    static final String FIELD = "event";

    private final RedisCommands redis;
    private final long maxLen;

    RedisSink(RedisCommands redis, long maxLen, int queueBound, Ticker ticker) {
        super("redis", queueBound, 256, ticker, 100_000_000L, 5_000_000_000L);
        this.redis = redis;
        this.maxLen = maxLen;
    }

    @Override
    void deliver(List<Event> batch) {
        List<String> json = new ArrayList<>(batch.size());
        for (Event e : batch) {
            json.add(e.json());
        }
        redis.xadd(KEY, maxLen, FIELD, json);
        batch.clear();
    }

    @Override
    public void close() {
        super.close();
        redis.close();
    }
}
