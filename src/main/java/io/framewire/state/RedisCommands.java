package io.framewire.state;

import io.framewire.metrics.Metrics;
import java.util.List;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.params.XAddParams;

/**
 * A few plain Redis commands for the packages above state (zones, events, pictures), so that
 * Jedis stays in this package: one connection, opened on first use and again after a failure,
 * one command at a time. Every call may block for up to {@code redis.timeoutMs}: callers are
 * background threads or HTTP requests, never the frame path. Failures throw
 * {@link IllegalStateException} after counting them in {@code framewire_redis_errors_total}.
 */
public final class RedisCommands implements AutoCloseable {

    private final RedisLink link;
    private final String name;
    private Jedis jedis;

    public RedisCommands(RedisConfig config, String name, Metrics metrics) {
        this.link = new RedisLink(config, metrics);
        this.name = name;
    }

    private interface Call<T> {
        T run(Jedis j);
    }

    /** After a failure, calls fail at once for this long: a stream connecting while Redis is down must not wait for timeouts. */
    static final long RETRY_AFTER_NANOS = 1_000_000_000L;
    private long downUntil; // System.nanoTime(); guarded by this

    private synchronized <T> T call(Call<T> c) {
        if (jedis == null && downUntil != 0 && System.nanoTime() - downUntil < 0) {
            throw new IllegalStateException("redis " + name + ": unreachable, retrying shortly");
        }
        try {
            if (jedis == null) {
                jedis = link.open(name, 0);
            }
            long t0 = System.nanoTime();
            T out = c.run(jedis);
            link.observe(t0);
            return out;
        } catch (RuntimeException e) {
            link.failed(name, e);
            downUntil = System.nanoTime() + RETRY_AFTER_NANOS;
            if (jedis != null) {
                jedis.close();
                jedis = null;
            }
            throw new IllegalStateException("redis " + name + ": " + e.getMessage(), e);
        }
    }

    public String get(String key) {
        return call(j -> j.get(key));
    }

    public byte[] getBytes(byte[] key) {
        return call(j -> j.get(key));
    }

    public List<String> mget(List<String> keys) {
        return keys.isEmpty() ? List.of() : call(j -> j.mget(keys.toArray(String[]::new)));
    }

    public void set(String key, String value) {
        call(j -> j.set(key, value));
    }

    /** SET with an expiry in milliseconds. */
    public void set(byte[] key, byte[] value, long ttlMillis) {
        call(j -> j.set(key, value, SetParams.setParams().px(ttlMillis)));
    }

    /** SET with an expiry in milliseconds. */
    public void set(String key, String value, long ttlMillis) {
        call(j -> j.set(key, value, SetParams.setParams().px(ttlMillis)));
    }

    public void zadd(String key, double score, String member) {
        call(j -> j.zadd(key, score, member));
    }

    /** Members scored at least {@code min}, after dropping those below it (one round trip). */
    public List<String> zrangeFrom(String key, double min) {
        return call(j -> {
            Pipeline p = j.pipelined();
            p.zremrangeByScore(key, Double.NEGATIVE_INFINITY, min - 1e-3);
            var members = p.zrangeByScore(key, min, Double.POSITIVE_INFINITY);
            p.sync();
            return members.get();
        });
    }

    /** EVAL of a script on binary keys and arguments (a Lua script is atomic). */
    public Object eval(String script, List<byte[]> keys, List<byte[]> args) {
        byte[] body = script.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return call(j -> j.eval(body, keys, args));
    }

    public void del(String key) {
        call(j -> j.del(key));
    }

    /** Keys that exist among {@code keys}, as a flag per key (one round trip). */
    public boolean[] exist(List<String> keys) {
        return call(j -> {
            Pipeline p = j.pipelined();
            List<redis.clients.jedis.Response<Boolean>> rs = keys.stream().map(p::exists).toList();
            p.sync();
            boolean[] out = new boolean[keys.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = rs.get(i).get();
            }
            return out;
        });
    }

    /**
     * One XADD per value, {@code MAXLEN ~ maxLen}, each entry with the single field {@code field},
     * pipelined in one round trip; all or nothing as far as the caller knows (a failure retries them all).
     */
    public void xadd(String key, long maxLen, String field, List<String> values) {
        call(j -> {
            Pipeline p = j.pipelined();
            XAddParams params = XAddParams.xAddParams().maxLen(maxLen).approximateTrimming();
            for (String v : values) {
                p.xadd(key, params, java.util.Map.of(field, v));
            }
            p.sync();
            return null;
        });
    }

    @Override
    public synchronized void close() {
        if (jedis != null) {
            jedis.close();
            jedis = null;
        }
    }
}
