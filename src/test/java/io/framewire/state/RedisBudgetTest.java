package io.framewire.state;

import static io.framewire.testing.Waits.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.framewire.metrics.Metrics;
import io.framewire.protocol.Encoded;
import io.framewire.testing.RedisServer;
import io.framewire.testing.Waits;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** Issue 25 C3/C4: what a client's big results can make Redis and the publish queue hold, in bytes (real redis-server). */
class RedisBudgetTest {

    private static String result(int n, int bytes) {
        return "{\"type\":\"result\",\"seq\":" + n + ",\"pad\":\"" + "x".repeat(bytes) + "\"}";
    }

    private static RedisState open(RedisServer redis, ResultsLimits limits, long queueBytes) {
        RedisConfig config = RedisConfig.parse(redis.url(), null, null, null, Duration.ofMillis(500), 65_536, queueBytes,
                Duration.ofSeconds(10), Duration.ofSeconds(300));
        RedisState state = new RedisState(config, limits, new Metrics());
        state.start(new HostInfo("budget-" + System.nanoTime(), "127.0.0.1:1", 10, "test", () -> 0));
        return state;
    }

    private static final class Recorder implements Watcher {
        final List<String> got = new CopyOnWriteArrayList<>();
        volatile String from;

        @Override
        public void ready(String from) {
            this.from = from;
        }

        @Override
        public void deliver(String entry, Encoded watched) {
            got.add(watched.text());
        }
    }

    @Test
    void aStreamInRedisIsTrimmedToItsByteBudgetAndHugeResultsBecomeMarkers() throws Exception {
        try (RedisServer redis = RedisServer.start();
             RedisState state = open(redis, new ResultsLimits(1000, 200_000, 1 << 30, 64 << 10), 64 << 20)) {
            Recorder watcher = new Recorder();
            state.watch("big-1", null, watcher);
            Waits.until(() -> watcher.from, f -> f != null);
            for (int i = 0; i < 100; i++) {
                state.publish("big-1", result(i, 20_000));
            }
            state.publish("big-1", result(100, 1_000_000));
            // a reader behind by more than the budget misses what was trimmed meanwhile: the marker comes last
            Waits.until(() -> watcher.got.isEmpty() ? "" : watcher.got.getLast(), m -> m.contains("skipped"));
            assertThat(watcher.got.getLast()).contains("\"type\":\"skipped\"").contains("\"bytes\":10000");
            try (Jedis j = redis.client()) {
                long len = j.xlen(Keys.results("big-1"));
                Long bytes = j.memoryUsage(Keys.results("big-1"));
                System.out.printf("redis stream of 100 x 20 KB results + one of 1 MB: %d entries, %d bytes%n", len, bytes);
                assertThat(len).as("200,000 bytes over 20 KB entries, exactly trimmed").isLessThanOrEqualTo(10);
                assertThat(bytes).isLessThan(300_000L);
            }
        }
    }

    @Test
    void thePublishQueueHoldsItsBytesWhileRedisHangsAndDropsTheRestCounted() throws Exception {
        try (RedisServer redis = RedisServer.start();
             RedisState state = open(redis, new ResultsLimits(1000, 8 << 20, 1 << 30, 64 << 10), 1 << 20)) {
            Recorder watcher = new Recorder();
            state.watch("hang-1", null, watcher);
            Waits.until(() -> watcher.from, f -> f != null);
            redis.kill(); // down: every result waits in the queue
            for (int i = 0; i < 500; i++) {
                state.publish("hang-1", result(i, 50_000)); // 25 MB offered
                assertThat(state.queuedBytes()).isLessThanOrEqualTo(1 << 20);
            }
            assertThat(state.queuedBytes()).as("queue full in bytes").isGreaterThan(900_000L);
        }
    }
}
