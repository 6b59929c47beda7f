package io.framewire.state;

import io.framewire.metrics.Metrics;
import io.framewire.protocol.CloseCodes;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 * ({@link Keys#HOSTS}, or its record's {@code started_at} changes: a restart), this host closes each
 * stream it holds that left that host, with 1001 ("reconnect at once" in the client contract), once,
 * {@code redis.rebalanceDelayMs} after the join (the balancer must route to it again first) and
 * spread over {@code redis.rebalanceWindowMs}, so the camera's reconnect hashes back to it.
 *
 * <p>The fleet is read with the heartbeat, once a second, on the records writer's thread; every
 * method but {@link #cameBack} runs there.
 */
final class Rebalancer {

    private static final Logger log = LoggerFactory.getLogger(Rebalancer.class);
    /** How long a handback is remembered, past the window, to notice the camera reconnecting here. */
    private static final long REMEMBER_MS = 60_000;

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
    private long nextPrune;

    Rebalancer(RedisConfig config, Metrics metrics) {
        this.delayMs = config.rebalanceDelay().toMillis();
        this.windowMs = config.rebalanceWindow().toMillis();
        this.handedBack = metrics.streamsHandedBack;
        this.returned = metrics.streamsHandedBackReturned;
    }

    /** Adds the fleet read to the heartbeat's pipeline; null when rebalancing is off. */
    Read readFleet(Pipeline p, long aliveSince) {
        if (windowMs == 0) {
            return null;
        }
        Map<String, Response<String>> started = new HashMap<>();
        if (ids != null) {
            for (String id : ids) {
                started.put(id, p.hget(Keys.host(id), "started_at"));
            }
        }
        return new Read(p.zrangeByScore(Keys.HOSTS, aliveSince, Double.POSITIVE_INFINITY), started);
    }

    /** After the pipeline ran: a host not live before, or with a new {@code started_at}, joined. */
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
            for (Map.Entry<String, String> e : current.entrySet()) {
                if (!e.getKey().equals(me) && !e.getValue().equals(seen.get(e.getKey()))) {
                    joined(e.getKey(), now, live);
                }
            }
        }
        if (ids != null) {
            seen = current;
        }
        ids = liveIds;
    }

    private void joined(String host, long now, Collection<StreamRecords.Tracked> live) {
        List<StreamRecords.Tracked> from = new ArrayList<>();
        for (StreamRecords.Tracked t : live) {
            if (t.claimedAt != 0 && left(t.path, host) && !planned.containsKey(t)) {
                from.add(t);
            }
        }
        if (from.isEmpty()) {
            log.info("host {} joined the fleet; no stream here moved from it", host);
            return;
        }
        Collections.shuffle(from);
        for (int i = 0; i < from.size(); i++) {
            planned.put(from.get(i), new Planned(host, now + delayMs + windowMs * i / from.size()));
        }
        log.info("host {} joined the fleet: handing back the {} stream(s) that moved here from it (1001), "
                + "spread over {} ms from {} ms on", host, from.size(), windowMs, delayMs);
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
                // not while the host is gone again, nor once the stream's record no longer says it left there
                if (seen != null && seen.containsKey(p.to()) && left(t.path, p.to())) {
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
