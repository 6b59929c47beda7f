package io.framewire.state;

import io.framewire.metrics.Metrics;
import io.framewire.protocol.CloseCodes;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * Hands streams back to a host that (re)joins the fleet (issue #25 F5). The balancer hashes each
 * camera to the first live host of its ring; when that host drains or dies the camera moves to the
 * next one, and nothing brings it back: a WebSocket stays where it is. Each stream's record keeps
 * the hosts it left that way ({@link StreamRecords#SYNC}'s path). When a host joins the live set
 * ({@link Keys#HOSTS} with a heartbeat of the last 3 s: a start, a return after a drain or a pause,
 * or a new {@code started_at}: a restart), this host closes each stream it holds that left that
 * host, after a drain of the stream (its accepted frames answered) with 1001 ("reconnect at once"
 * in the client contract), once, at a random time from {@code redis.rebalanceDelayMs} after the join
 * (the balancer must route to it again first) over {@code redis.rebalanceWindowMs}, so the camera's
 * reconnect hashes back to it. A handback that the balancer sends here again stays (its path is
 * emptied): at most one planned bounce per camera. A host whose heartbeat goes late (3 s: hung,
 * draining, dead) gets nothing back until it joins again, and then after the delay anew.
 *
 * <p>The fleet is read with the heartbeat, once a second, on the records writer's thread; every
 * method but {@link #cameBack} runs there.
 */
final class Rebalancer {

    private static final Logger log = LoggerFactory.getLogger(Rebalancer.class);
    /** How long a handback is remembered, past the window, to notice the camera reconnecting here. */
    private static final long REMEMBER_MS = 60_000;
    /**
     * A heartbeat (once a second) older than this is a host gone: one that comes back after a pause
     * this long (SIGSTOP, a long GC: the balancer may have moved its cameras) rejoins.
     */
    private static final long FRESH_MS = 3_000;

    /** One read of the fleet, pipelined with the heartbeat: live ids, and started_at of the ids read last time. */
    record Read(Response<List<String>> live, Map<String, Response<String>> startedAt) {}

    private record Planned(String to, long at) {}

    private final long delayMs;
    private final long windowMs;
    private final CounterDataPoint handedBack;
    private final CounterDataPoint returned;
    private List<String> ids; // live at the last read: their started_at is asked with the next
    private Map<String, String> seen; // id -> started_at of the live hosts; null until the first full read
    private final Map<StreamRecords.Tracked, Planned> planned = new HashMap<>();
    private final ConcurrentHashMap<String, Long> handedBackAt = new ConcurrentHashMap<>(); // opened() reads it
    private final Map<String, Long> joins = new HashMap<>(); // host -> when it joined, within delay + window
    private long nextPrune;

    Rebalancer(RedisConfig config, Metrics metrics) {
        this.delayMs = config.rebalanceDelay().toMillis();
        this.windowMs = config.rebalanceWindow().toMillis();
        this.handedBack = metrics.streamsHandedBack;
        this.returned = metrics.streamsHandedBackReturned;
    }

    /** Adds the fleet read to the heartbeat's pipeline; null when rebalancing is off. */
    Read readFleet(Pipeline p, long now) {
        if (windowMs == 0) {
            return null;
        }
        Map<String, Response<String>> started = new HashMap<>();
        if (ids != null) {
            for (String id : ids) {
                started.put(id, p.hget(Keys.host(id), "started_at"));
            }
        }
        return new Read(p.zrangeByScore(Keys.HOSTS, now - FRESH_MS, Double.POSITIVE_INFINITY), started);
    }

    /**
     * After the pipeline ran. A host joined when its heartbeat is fresh and was not at the last read
     * (it started, came back after a drain, or resumed after a pause long enough for its cameras to
     * move) or its {@code started_at} changed (restarted between two reads). Then the streams here
     * that left it, those already here and those that arrive within the window, are planned to go back.
     */
    void fleetRead(Read read, String me, long now, Collection<StreamRecords.Tracked> live) {
        List<String> liveIds = read.live().get();
        Map<String, String> current = new HashMap<>();
        read.startedAt().forEach((id, r) -> {
            String started = r.get();
            if (started != null && liveIds.contains(id)) {
                current.put(id, started);
            }
        });
        if (seen != null) {
            for (String id : seen.keySet()) {
                if (!current.containsKey(id)) {
                    gone(id);
                }
            }
            for (Map.Entry<String, String> e : current.entrySet()) {
                if (!e.getKey().equals(me) && !e.getValue().equals(seen.get(e.getKey()))) {
                    joins.put(e.getKey(), now);
                    int n = plan(now, live, e.getKey());
                    (n == 0 ? log.atDebug() : log.atInfo()).log("host {} joined the fleet: handing back the {} stream(s) here that moved from it (1001), "
                            + "each once, spread over {} ms from {} ms on", e.getKey(), n, windowMs, delayMs);
                }
            }
        }
        if (seen == null && ids != null) {
            // this host just started: the others count as joined now, so a stream that arrives here
            // having left one of them goes back to it too
            for (String id : current.keySet()) {
                if (!id.equals(me)) {
                    joins.put(id, now);
                }
            }
        }
        if (ids != null) {
            seen = current;
        }
        ids = liveIds;
        joins.values().removeIf(at -> now - at > delayMs + windowMs);
        for (String host : joins.keySet()) {
            plan(now, live, host); // those that came here since: a drain elsewhere sent them on
        }
    }

    /**
     * {@code host}'s heartbeat is late: nothing goes back to it until it joins again (a hung host's
     * cameras must not be sent back to it), and then each stream waits the delay anew.
     */
    private void gone(String host) {
        joins.remove(host);
        int n = 0;
        for (Iterator<Map.Entry<StreamRecords.Tracked, Planned>> it = planned.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<StreamRecords.Tracked, Planned> e = it.next();
            if (e.getValue().to().equals(host)) {
                e.getKey().handBackPlanned = false;
                it.remove();
                n++;
            }
        }
        log.debug("host {}: no heartbeat for {} ms; {} planned handback(s) to it wait for it to join again", host, FRESH_MS, n);
    }

    /** Plans the handback of each stream here that left {@code host}; returns how many were planned. */
    private int plan(long now, Collection<StreamRecords.Tracked> live, String host) {
        long from = joins.get(host) + delayMs;
        int n = 0;
        for (StreamRecords.Tracked t : live) {
            if (t.claimedAt != 0 && !t.handBackPlanned && left(t.path, host)) {
                t.handBackPlanned = true; // at most one planned bounce per connection
                long at = Math.max(now, from + ThreadLocalRandom.current().nextLong(windowMs));
                planned.put(t, new Planned(host, at));
                n++;
            }
        }
        return n;
    }

    /** Closes the handbacks that are due; {@code stillHere}: the connection still holds its stream here. */
    void handBack(long now, Predicate<StreamRecords.Tracked> stillHere) {
        for (Iterator<Map.Entry<StreamRecords.Tracked, Planned>> it = planned.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<StreamRecords.Tracked, Planned> e = it.next();
            StreamRecords.Tracked t = e.getKey();
            Planned p = e.getValue();
            if (!stillHere.test(t)) {
                it.remove(); // the camera left on its own
            } else if (p.at() <= now) {
                it.remove();
                // the host is live (a host that goes is unplanned at once); not once the stream's
                // record no longer says it left there
                if (!left(t.path, p.to())) {
                    log.debug("stream {} stays: host {} is no longer on its path", t.session.id(), p.to());
                } else {
                    handedBackAt.put(t.session.id(), now);
                    handedBack.inc();
                    String reason = CloseCodes.REBALANCING + p.to(); // host ids are ASCII: a close reason has 123 bytes
                    t.session.handBack(reason.length() > 123 ? reason.substring(0, 123) : reason);
                }
            }
        }
        if (now >= nextPrune) {
            nextPrune = now + REMEMBER_MS;
            handedBackAt.values().removeIf(at -> now - at > delayMs + windowMs + REMEMBER_MS);
        }
    }

    /** A connection of {@code streamId} opened here: was the stream handed back from here lately? */
    boolean cameBack(String streamId, long now) {
        Long at = handedBackAt.remove(streamId);
        if (at == null || now - at > delayMs + windowMs + REMEMBER_MS) {
            return false;
        }
        returned.inc();
        log.info("stream {} was handed back to another host but reconnected here: it stays "
                + "(redis.rebalanceDelayMs shorter than the balancer takes to route to a host that joined?)", streamId);
        return true;
    }

    private static boolean left(String path, String host) {
        for (String h : path.split(" ")) {
            if (h.equals(host)) {
                return true;
            }
        }
        return false;
    }
}
