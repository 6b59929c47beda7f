package io.framewire.events;

import io.framewire.tracking.Box;
import io.framewire.tracking.TrackListener;
import io.framewire.tracking.Tracker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One stream's zone events, made from its tracks (never from single detections): a confirmed
 * track's anchor (the bottom centre of its box, where a person stands) must be inside a zone for
 * {@code enterFrames} detector passes in a row to enter it, and outside for {@code leaveFrames} in
 * a row to leave it, so a track that flickers at an edge makes no storm. A track inside for
 * {@code dwell} makes one {@code dwell}; a track the tracker lost ({@code lostNanos} unseen) leaves
 * every zone it was in. Runs on the stream's worker, one pass at a time: no locks; a stream
 * without zones costs one volatile read per pass.
 */
final class StreamEvents implements TrackListener {

    /** Hysteresis and timing; {@code dwellNanos} 0: no dwell events. */
    record Rules(int enterFrames, int leaveFrames, long dwellNanos, long lostNanos) {}

    /** At most this many tracks are followed per stream (the tracker's own are fewer in practice). */
    static final int MAX_TRACKS = 1024;

    private final String stream;
    private final Rules rules;
    private final Consumer<Event> out;
    private long epochMillis; // adopted from a previous connection's state, else this one's start
    private final long wallOffsetNanos; // wall clock minus monotonic, to stamp events in ms
    private volatile List<Zone> zones;
    private Pictures pictures; // set once, before the first pass; null: none kept
    private Snapshots snapshots; // likewise
    private java.nio.ByteBuffer image; // this pass's frame, for snapshots
    private List<Zone> applied = List.of();
    private final Map<Integer, TrackState> tracks = new HashMap<>();
    private List<Map<String, Integer>> counts = List.of(); // per applied zone: label -> tracks inside

    private static final class ZoneState {
        int in;
        int out;
        boolean inside;
        int enters;
        long enteredAt;
        boolean dwelt;
    }

    private static final class TrackState {
        final int id;
        String label;
        float score;
        Box box;
        long seenAt;
        int pass;
        ZoneState[] zones;

        TrackState(int id, int zoneCount) {
            this.id = id;
            this.zones = newStates(zoneCount);
        }
    }

    StreamEvents(String stream, List<Zone> zones, Rules rules, Consumer<Event> out, long epochMillis, long wallOffsetNanos) {
        this.stream = stream;
        this.zones = zones;
        this.rules = rules;
        this.out = out;
        this.epochMillis = epochMillis;
        this.wallOffsetNanos = wallOffsetNanos;
        apply(zones, 0); // no tracks yet: only sets the zones up, so that adopt() can find them by name
    }

    /** Takes a pass's zone state and, in order, the events that made it. */
    interface StateOut {
        void accept(String stream, String state, List<Event> events);
    }

    private StateOut stateOut;
    private final List<Event> made = new ArrayList<>(4); // this pass's events, while a state goes out with them

    /**
     * Where this stream's zone state goes after each pass that made events, WITH those events (with
     * a fleet: Redis, for a takeover), instead of to the sinks directly: whoever takes it stores the
     * state before it lets the events out, so a host killed between the two can only have stored a
     * state whose events were never sent (the next host neither repeats nor misses them, up to the
     * ones still queued in the dead host's sinks), never sent an event whose state it had not stored.
     */
    StreamEvents stateTo(StateOut out) {
        this.stateOut = out;
        return this;
    }

    private static final String STATE_VERSION = "z1";
    /** At most this many (track, zone) entries in a state snapshot: it stays a few kilobytes. */
    static final int MAX_STATE_ENTRIES = 256;

    /**
     * The zone state as one line: {@code z1 EPOCH} then per (track, zone) that has entered
     * {@code track,zone,label,enters,inside(0/1),insideMs,dwelt(0/1)} (label URL-encoded).
     */
    String state(long now) {
        StringBuilder b = new StringBuilder(32).append(STATE_VERSION).append(' ').append(epochMillis);
        int n = 0;
        for (TrackState t : tracks.values()) {
            for (int z = 0; z < t.zones.length && n < MAX_STATE_ENTRIES; z++) {
                ZoneState s = t.zones[z];
                if (s.enters == 0) {
                    continue;
                }
                n++;
                b.append(' ').append(t.id).append(',').append(applied.get(z).name()).append(',')
                        .append(java.net.URLEncoder.encode(t.label, java.nio.charset.StandardCharsets.UTF_8)).append(',')
                        .append(s.enters).append(',').append(s.inside ? 1 : 0).append(',')
                        .append(s.inside ? Math.max(0, (now - s.enteredAt) / 1_000_000) : 0).append(',').append(s.dwelt ? 1 : 0);
            }
        }
        return b.toString();
    }

    /**
     * Takes over a previous connection's {@link #state} (before this one's first pass): its EPOCH,
     * so event ids continue, and each track's enters, so a track already inside a zone makes no
     * second {@code enter} and its {@code leave} carries the id the first {@code enter} implies.
     * Zones that no longer exist are skipped. False (nothing changed) when the text is not a state.
     */
    boolean adopt(String state, long now) {
        if (state == null) {
            return false;
        }
        String[] parts = state.trim().split(" ");
        if (parts.length < 2 || !parts[0].equals(STATE_VERSION)) {
            return false;
        }
        try {
            long epoch = Long.parseLong(parts[1]);
            for (int i = 2; i < parts.length && i < 2 + MAX_STATE_ENTRIES; i++) {
                String[] f = parts[i].split(",", -1);
                if (f.length != 7) {
                    return false;
                }
                int id = Integer.parseInt(f[0]);
                Integer z = indexOf(applied, f[1]);
                if (z == null || id < 1 || tracks.size() >= MAX_TRACKS) {
                    continue;
                }
                TrackState t = tracks.computeIfAbsent(id, k -> new TrackState(k, applied.size()));
                t.label = java.net.URLDecoder.decode(f[2], java.nio.charset.StandardCharsets.UTF_8);
                t.score = 0;
                t.box = t.box == null ? new Box(0, 0, 0, 0) : t.box;
                t.seenAt = now; // as if seen now: unseen for tracking.maxAgeMs on this host, it leaves
                ZoneState s = t.zones[z];
                s.enters = Math.max(0, Integer.parseInt(f[3]));
                s.inside = f[4].equals("1");
                s.in = s.inside ? rules.enterFrames : 0;
                s.enteredAt = now - Long.parseLong(f[5]) * 1_000_000;
                s.dwelt = f[6].equals("1");
                if (s.inside) {
                    counts.get(z).merge(t.label, 1, Integer::sum);
                }
            }
            epochMillis = epoch;
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Keep the frames of this stream's enter and dwell events there. */
    StreamEvents snapshots(Snapshots s) {
        this.snapshots = s;
        return this;
    }

    /** Keep this stream's latest picture there. */
    StreamEvents pictures(Pictures p) {
        this.pictures = p;
        return this;
    }

    /** New zones for this stream (the admin API): applied at its next pass. */
    void zones(List<Zone> zones) {
        this.zones = zones;
    }

    List<Zone> zones() {
        return zones;
    }

    private int pass;
    private int width;
    private int height;

    @Override
    public void tracked(List<Tracker.Observation> observations, int[] ids, int width, int height, java.nio.ByteBuffer image,
                        long now) {
        if (pictures != null) {
            pictures.offer(stream, observations, ids, width, height, image, now);
        }
        this.image = image;
        List<Zone> zs = zones;
        if (zs != applied) {
            apply(zs, now);
        }
        if (zs.isEmpty()) {
            release(now); // the leaves of zones just removed
            return;
        }
        this.width = width;
        this.height = height;
        pass++;
        for (int i = 0; i < ids.length; i++) {
            int id = ids[i];
            if (id == 0) {
                continue; // tentative: maybe a false positive, not yet an object
            }
            Tracker.Observation ob = observations.get(i);
            TrackState t = tracks.get(id);
            if (t == null) {
                if (tracks.size() >= MAX_TRACKS) {
                    continue;
                }
                t = new TrackState(id, zs.size());
                tracks.put(id, t);
            }
            t.label = ob.label();
            t.score = ob.score();
            t.box = ob.box();
            t.seenAt = now;
            t.pass = pass;
            double ax = (t.box.x() + t.box.w() / 2) / width;
            double ay = (t.box.y() + t.box.h()) / height;
            for (int z = 0; z < zs.size(); z++) {
                Zone zone = zs.get(z);
                if (zone.counts(t.label, t.score)) {
                    step(t, z, zone.contains(ax, ay), now);
                }
            }
        }
        if (tracks.size() > 0) {
            forgetLost(now);
        }
        release(now);
    }

    /** This pass's events go out with the state they made. */
    private void release(long now) {
        if (!made.isEmpty()) {
            List<Event> events = List.copyOf(made);
            made.clear();
            stateOut.accept(stream, state(now), events);
        }
    }

    /** One pass of evidence for (track, zone). */
    private void step(TrackState t, int z, boolean in, long now) {
        ZoneState s = t.zones[z];
        if (in) {
            s.in++;
            s.out = 0;
            if (!s.inside && s.in >= rules.enterFrames) {
                s.inside = true;
                s.enters++;
                s.enteredAt = now;
                s.dwelt = false;
                emit("enter", t, z, s, now, +1);
            } else if (s.inside && !s.dwelt && rules.dwellNanos > 0 && now - s.enteredAt >= rules.dwellNanos) {
                s.dwelt = true;
                emit("dwell", t, z, s, now, 0);
            }
        } else {
            s.out++;
            s.in = 0;
            if (s.inside && s.out >= rules.leaveFrames) {
                s.inside = false;
                emit("leave", t, z, s, now, -1);
            }
        }
    }

    /** Tracks unseen for longer than the tracker keeps them are gone: they leave where they were. */
    private void forgetLost(long now) {
        for (Iterator<TrackState> it = tracks.values().iterator(); it.hasNext(); ) {
            TrackState t = it.next();
            if (t.pass == pass || now - t.seenAt <= rules.lostNanos) {
                continue;
            }
            for (int z = 0; z < t.zones.length; z++) {
                if (t.zones[z].inside) {
                    t.zones[z].inside = false;
                    emit("leave", t, z, t.zones[z], now, -1);
                }
            }
            it.remove();
        }
    }

    /** Zones changed: state carries over by zone name; tracks inside a zone that is gone leave it. */
    private void apply(List<Zone> zs, long now) {
        Map<String, Integer> index = new HashMap<>();
        for (int z = 0; z < zs.size(); z++) {
            index.put(zs.get(z).name(), z);
        }
        List<Map<String, Integer>> newCounts = new ArrayList<>(zs.size());
        for (int z = 0; z < zs.size(); z++) {
            Integer old = indexOf(applied, zs.get(z).name());
            newCounts.add(old == null ? new HashMap<>() : counts.get(old));
        }
        for (TrackState t : tracks.values()) {
            ZoneState[] next = newStates(zs.size());
            for (int z = 0; z < t.zones.length; z++) {
                Integer to = index.get(applied.get(z).name());
                if (to != null) {
                    next[to] = t.zones[z];
                } else if (t.zones[z].inside) {
                    t.zones[z].inside = false;
                    emit("leave", t, z, t.zones[z], now, -1);
                }
            }
            t.zones = next;
        }
        applied = zs;
        counts = newCounts;
        if (zs.isEmpty()) {
            tracks.clear();
        }
    }

    private static Integer indexOf(List<Zone> zs, String name) {
        for (int z = 0; z < zs.size(); z++) {
            if (zs.get(z).name().equals(name)) {
                return z;
            }
        }
        return null;
    }

    private static ZoneState[] newStates(int n) {
        ZoneState[] s = new ZoneState[n];
        for (int i = 0; i < n; i++) {
            s[i] = new ZoneState();
        }
        return s;
    }

    private void emit(String type, TrackState t, int z, ZoneState s, long now, int delta) {
        String zone = applied.get(z).name();
        Map<String, Integer> byLabel = counts.get(z);
        int count = Math.max(0, byLabel.getOrDefault(t.label, 0) + delta);
        byLabel.put(t.label, count);
        Box b = t.box;
        int[] box = {(int) Math.round(Math.max(0, b.x())), (int) Math.round(Math.max(0, b.y())),
                (int) Math.round(b.w()), (int) Math.round(b.h())};
        String id = stream + ":" + epochMillis + ":" + t.id + ":" + zone + ":" + type + ":" + s.enters;
        long ts = (now + wallOffsetNanos) / 1_000_000;
        long dwellMs = type.equals("enter") ? 0 : (now - s.enteredAt) / 1_000_000;
        boolean snap = snapshots != null && !type.equals("leave") && snapshots.keep(id, stream, image);
        Event e = new Event(id, type, stream, zone, t.id, t.label, t.score, box, width, height, ts, count, dwellMs, snap);
        if (stateOut != null) {
            made.add(e);
        } else {
            out.accept(e);
        }
    }
}
