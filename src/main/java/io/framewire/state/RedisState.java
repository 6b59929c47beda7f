package io.framewire.state;

import io.framewire.metrics.Metrics;
import io.framewire.tracking.TrackHandover;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisException;

/**
 * State shared through Redis by four background loops, each with its own connection: the
 * stream/host records writer, the takeover subscriber, the results publisher and the watch
 * reader. Callers (connection threads, workers) only touch in-memory queues and maps.
 */
final class RedisState implements SharedState {

    private final RedisLink link;
    private final StreamRecords records;
    private final TakeoverListener takeovers;
    private final ResultsPublisher results;
    private final WatchReader watch;
    private final WatchedStreams watched;
    private final TrackStore tracks;
    private final boolean feed;
    // the dashboard's connection and what it read last; a lock, not synchronized: a virtual thread
    // may wait here while another reads Redis, and must not pin its carrier meanwhile
    private final ReentrantLock dashboardLock = new ReentrantLock();
    private Jedis dashboard;
    private List<Map<String, String>> hosts;
    private long hostsReadAt;

    RedisState(RedisConfig config, int resultsMaxLen, Metrics metrics) {
        this(config, ResultsLimits.ofLength(resultsMaxLen), metrics);
    }

    RedisState(RedisConfig config, ResultsLimits limits, Metrics metrics) {
        int resultsMaxLen = limits.maxLen();
        this.link = new RedisLink(config, metrics);
        this.watched = new WatchedStreams();
        this.records = new StreamRecords(link, 100_000, watched);
        this.takeovers = new TakeoverListener(link, records);
        this.feed = resultsMaxLen > 0;
        this.results = new ResultsPublisher(link, limits, watched, metrics);
        this.watch = new WatchReader(link, metrics.watchResultsMissed);
        this.tracks = new TrackStore(link, metrics);
        metrics.gauge("framewire_redis_up", "1 while this host reaches Redis (absent without --redis)",
                () -> link.up() ? 1 : 0);
        metrics.gauge("framewire_redis_watched_streams",
                "Streams publishing here whose results are appended to Redis (watched within the retention)",
                watched::appended);
        metrics.gauge("framewire_redis_publish_queue_bytes",
                "Bytes of results waiting to be appended to Redis (cap: redis.publishQueueBytes)", results::queuedBytes);
    }

    @Override
    public void start(HostInfo host) {
        try (Jedis j = link.open("probe", 0)) {
            j.ping();
        } catch (JedisException e) {
            link.failed("probe", e); // serve anyway, degraded; the loops keep retrying
        }
        records.start(host);
        takeovers.start();
        tracks.start(host);
        if (feed) {
            results.start();
            watch.start();
        }
    }

    @Override
    public void opened(Publisher session) {
        records.opened(session);
    }

    @Override
    public void tracks(Publisher session, TrackHandover handover) {
        tracks.opened(session, handover);
    }

    @Override
    public void closed(Publisher session) {
        records.closed(session);
        tracks.closed(session);
        results.forget(session.id());
    }

    @Override
    public void publish(String streamId, String message) {
        if (feed) {
            results.publish(streamId, message);
        }
    }

    @Override
    public void watch(String streamId, String lastEntry, Watcher watcher) {
        watched.watcherAdded(streamId); // a stream published here is appended from now on, without a round trip
        watch.add(streamId, watcher, lastEntry);
    }

    @Override
    public void unwatch(String streamId, Watcher watcher) {
        watch.remove(streamId, watcher);
        watched.watcherRemoved(streamId);
    }

    /** Bytes of results waiting for Redis. */
    long queuedBytes() {
        return results.queuedBytes();
    }

    @Override
    public String health() {
        return link.up() ? "up" : "degraded";
    }

    /** Read at most once a second (dashboards poll), on a connection of its own. */
    @Override
    public List<Map<String, String>> hosts() {
        dashboardLock.lock();
        try {
            return readHosts();
        } finally {
            dashboardLock.unlock();
        }
    }

    /** Under dashboardLock: the cached list, or a fresh read (bounded by the connection's timeouts). */
    private List<Map<String, String>> readHosts() {
        long now = System.currentTimeMillis();
        if (hosts != null && now - hostsReadAt < 1000) {
            return hosts;
        }
        hostsReadAt = now;
        try {
            if (dashboard == null) {
                dashboard = link.open("dashboard", 0);
            }
            List<String> ids = dashboard.zrange(Keys.HOSTS, 0, -1);
            Pipeline p = dashboard.pipelined();
            List<Response<Map<String, String>>> records = new ArrayList<>();
            for (String id : ids) {
                records.add(p.hgetAll(Keys.host(id)));
            }
            p.sync();
            List<Map<String, String>> read = new ArrayList<>();
            for (Response<Map<String, String>> r : records) {
                if (!r.get().isEmpty()) {
                    read.add(r.get()); // an expired record: the host died, its zset entry lingers
                }
            }
            hosts = read;
        } catch (JedisException e) {
            if (dashboard != null) {
                dashboard.close();
                dashboard = null;
            }
            hosts = List.of();
        }
        return hosts;
    }

    @Override
    public String describe() {
        return "shared state in Redis " + link.config();
    }

    /** Final writes (ended streams, the queued results), bounded by the connection timeouts. */
    @Override
    public void close() {
        long wait = 2_000 + link.config().timeout().toMillis();
        watch.stop(wait);
        takeovers.stop(wait);
        tracks.stop(wait);
        results.stop(wait);
        records.stop(wait);
        dashboardLock.lock();
        try {
            if (dashboard != null) {
                dashboard.close();
            }
        } finally {
            dashboardLock.unlock();
        }
    }
}
