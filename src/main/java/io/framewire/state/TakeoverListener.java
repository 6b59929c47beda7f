package io.framewire.state;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Subscribes to {@link Keys#TAKEOVER} and closes the local publisher of a stream that a newer
 * connection on any host has claimed. Takeovers missed while unsubscribed are caught by the
 * records writer, which finds the newer owner in the stream record within a second.
 */
final class TakeoverListener extends RedisLoop {

    private static final Logger log = LoggerFactory.getLogger(TakeoverListener.class);

    private final StreamRecords records;
    private volatile JedisPubSub subscription;

    TakeoverListener(RedisLink link, StreamRecords records) {
        super(link, "takeover", 0); // SUBSCRIBE waits for messages without a bound
        this.records = records;
    }

    @Override
    void step(Jedis jedis) {
        JedisPubSub sub = new JedisPubSub() {
            @Override
            public void onSubscribe(String channel, int subscribedChannels) {
                link.ok("takeover");
            }

            @Override
            public void onMessage(String channel, String message) {
                // "<stream> <conn> <claimed_at> <owner>"
                String[] f = message.split(" ", 4);
                if (f.length == 4) {
                    try {
                        records.takeover(f[0], f[1], Long.parseLong(f[2]), f[3]);
                        return;
                    } catch (NumberFormatException ignored) {
                        // fall through
                    }
                }
                log.warn("ignoring malformed takeover message '{}'", message);
            }
        };
        subscription = sub;
        if (!running) {
            return;
        }
        jedis.subscribe(sub, Keys.TAKEOVER); // returns once unsubscribed by stop()
    }

    @Override
    void wake() {
        super.wake(); // out of a backoff sleep
        JedisPubSub sub = subscription;
        if (sub != null && sub.isSubscribed()) {
            try {
                sub.unsubscribe();
            } catch (JedisException e) {
                // the connection is gone already: subscribe() has returned or will throw
            }
        }
    }
}
