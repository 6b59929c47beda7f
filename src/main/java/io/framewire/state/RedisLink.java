package io.framewire.state;

import io.framewire.metrics.Metrics;
import java.util.concurrent.atomic.AtomicBoolean;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens connections (short timeouts) and keeps the one up/degraded state the background loops
 * report to: the first failure is logged, the next ones only counted, and the recovery logged.
 */
final class RedisLink {

    private static final Logger log = LoggerFactory.getLogger(RedisLink.class);

    private final RedisConfig config;
    private final HostAndPort address;
    private final Metrics metrics;
    private final AtomicBoolean up = new AtomicBoolean(true);

    RedisLink(RedisConfig config, Metrics metrics) {
        this.config = config;
        this.address = new HostAndPort(config.host(), config.port());
        this.metrics = metrics;
    }

    /**
     * A new connection; {@code blockingMillis} bounds blocking commands (XREAD BLOCK), 0 leaves
     * them unbounded (SUBSCRIBE, which waits for messages indefinitely).
     */
    Jedis open(String name, int blockingMillis) {
        int timeout = (int) config.timeout().toMillis();
        JedisClientConfig c = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(timeout)
                .socketTimeoutMillis(timeout)
                .blockingSocketTimeoutMillis(blockingMillis)
                .database(config.database())
                .user(config.user())
                .password(config.password())
                .ssl(config.tls())
                .clientName("framewire-" + name)
                .autoNegotiateProtocol(false) // RESP2: all this client speaks
                .build();
        return new Jedis(address, c);
    }

    boolean up() {
        return up.get();
    }

    void ok(String who) {
        if (up.compareAndSet(false, true)) {
            log.info("Redis {} reachable again ({}): reconciling stream records", config, who);
        }
    }

    void failed(String who, Exception e) {
        metrics.redisErrors.inc();
        if (up.compareAndSet(true, false)) {
            log.warn("Redis {} unreachable ({}: {}); degraded: streams and results go on on this host, "
                    + "retrying with backoff", config, who, e.toString());
        } else {
            log.debug("Redis still unreachable ({}: {})", who, e.toString());
        }
    }

    void observe(long startNanos) {
        metrics.redisLatency.observe(Metrics.seconds(System.nanoTime() - startNanos));
    }

    RedisConfig config() {
        return config;
    }
}
