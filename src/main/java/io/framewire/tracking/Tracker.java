package io.framewire.tracking;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

/**
 * A pixel-free multi-object tracker for one stream, after SORT (Bewley et al. 2016): each track
 * predicts its box with a constant-velocity model, detections are matched to predictions by IoU,
 * matched tracks are corrected, unmatched detections start tentative tracks. A track gets its id
 * once it has been matched {@code minHits} times in a row and dies {@code maxAgeNanos} after its
 * last match; ids are never reused within a tracker.
 *
 * <p>Two simplifications against SORT, both for code size: association is greedy by descending
 * IoU rather than Hungarian (they differ only when one detection is the best match of two
 * tracks at once, rare with faces and people), and the motion model is an alpha-beta filter on
 * centre and size rather than a full Kalman filter. Not thread-safe: one stream's frames are
 * processed one at a time. All times are passed in, in nanoseconds of one monotonic clock.
 */
public final class Tracker {

    /** Below this IoU a detection never continues a track (SORT's default). */
    static final double MIN_IOU = 0.3;
    // alpha-beta gains: how much of a residual goes into position, and into velocity
    private static final double ALPHA = 0.6;
    private static final double BETA = 0.2;

    /** What a detector saw, as the tracker needs it. */
    public record Observation(String label, float score, Box box) {}

    /**
     * A track as reported: {@code id} 0 while tentative (not yet {@code minHits} matches);
     * {@code box} its last observation, or the prediction for a time after it.
     */
    public record Tracked(int id, String label, float score, Box box) {}

    private final int minHits;
    private final long maxAgeNanos;
    private final List<Track> tracks = new ArrayList<>();
    // every detection of the last maxAge, also those whose tentative track died: where the detector
    // has lately found something (a small face that comes and goes between passes)
    private final java.util.ArrayDeque<Seen> recent = new java.util.ArrayDeque<>();

    private record Seen(Box box, long at) {}

    private long lastObservedAt;
    private boolean observed;
    private int nextId = 1;

    private static final int[] NO_IDS = new int[0];

    public Tracker(int minHits, long maxAgeNanos) {
        if (minHits < 1 || maxAgeNanos < 0) {
            throw new IllegalArgumentException("minHits >= 1, maxAgeNanos >= 0");
        }
        this.minHits = minHits;
        this.maxAgeNanos = maxAgeNanos;
    }

    /**
     * One detector pass at {@code nowNanos}: returns, for each observation in order, its track id
     * (0 when its track is still tentative). Tracks unmatched for longer than maxAge are dropped.
     */
    public int[] update(List<Observation> observations, long nowNanos) {
        while (!recent.isEmpty() && nowNanos - recent.peekFirst().at > maxAgeNanos) {
            recent.pollFirst();
        }
        if (observations.isEmpty() && tracks.isEmpty()) {
            return NO_IDS; // the common case of an empty scene (and of --detector none): nothing allocated
        }
        if (!observations.isEmpty()) {
            observed = true;
            lastObservedAt = nowNanos;
        }
        for (Observation ob : observations) {
            if (recent.size() >= MAX_SNAPSHOT_TRACKS * 8) {
                recent.pollFirst();
            }
            recent.addLast(new Seen(ob.box(), nowNanos));
        }
        for (Iterator<Track> it = tracks.iterator(); it.hasNext(); ) {
            if (nowNanos - it.next().lastSeen > maxAgeNanos) {
                it.remove();
            }
        }
        record Pair(int track, int obs, double iou) {}
        List<Pair> pairs = new ArrayList<>();
        Box[] predicted = new Box[tracks.size()];
        for (int t = 0; t < tracks.size(); t++) {
            Track tr = tracks.get(t);
            predicted[t] = tr.predict(nowNanos);
            for (int o = 0; o < observations.size(); o++) {
                Observation ob = observations.get(o);
                if (!ob.label().equals(tr.label)) {
                    continue;
                }
                double iou = predicted[t].iou(ob.box());
                if (iou >= MIN_IOU) {
                    pairs.add(new Pair(t, o, iou));
                }
            }
        }
        pairs.sort(Comparator.comparingDouble(Pair::iou).reversed());
        boolean[] trackUsed = new boolean[tracks.size()];
        int[] matchOf = new int[observations.size()];
        java.util.Arrays.fill(matchOf, -1);
        for (Pair p : pairs) {
            if (!trackUsed[p.track] && matchOf[p.obs] < 0) {
                trackUsed[p.track] = true;
                matchOf[p.obs] = p.track;
            }
        }
        int[] ids = new int[observations.size()];
        List<Track> born = new ArrayList<>();
        for (int o = 0; o < observations.size(); o++) {
            Observation ob = observations.get(o);
            Track tr;
            if (matchOf[o] >= 0) {
                tr = tracks.get(matchOf[o]);
                tr.correct(ob, nowNanos);
            } else {
                tr = new Track(ob, nowNanos);
                born.add(tr);
            }
            if (tr.id == 0 && tr.hits >= minHits) {
                tr.id = nextId++;
            }
            ids[o] = tr.id;
        }
        for (int t = tracks.size() - 1; t >= 0; t--) {
            Track tr = tracks.get(t);
            if (!trackUsed[t]) {
                tr.hits = 0; // "in a row": a miss restarts the count of a tentative track
                tr.seenInLastPass = false;
                if (tr.id == 0) {
                    tracks.remove(t); // a tentative track that misses was likely a false positive
                }
            }
        }
        // bounded: association is O(tracks x detections), and a mosaic of faces must not grow it without end
        tracks.addAll(born.subList(0, Math.max(0, Math.min(born.size(), MAX_TRACKS - tracks.size()))));
        return ids;
    }

    /**
     * The tracks the last detector pass saw, with boxes predicted for {@code nowNanos}: what a frame
     * that skips the detector is answered with. Tentative tracks come with id 0.
     */
    public List<Tracked> predict(long nowNanos) {
        if (tracks.isEmpty()) {
            return List.of();
        }
        List<Tracked> out = new ArrayList<>(tracks.size());
        for (Track tr : tracks) {
            if (tr.seenInLastPass) {
                out.add(new Tracked(tr.id, tr.label, tr.score, tr.predict(nowNanos)));
            }
        }
        return out;
    }

    /** Most tracks a snapshot carries (the most confident first): it stays a few kilobytes at worst. */
    public static final int MAX_SNAPSHOT_TRACKS = 64;

    /** Tracks one stream keeps at most (twice inference.maxDetections' default); detections beyond get no track. */
    public static final int MAX_TRACKS = 512;
    private static final String SNAPSHOT_VERSION = "t1";
    private static final double NANOS_PER_SECOND = 1e9;

    /** True once this tracker has given out an id: only then has it anything to hand over. */
    public boolean hasIds() {
        return nextId > 1;
    }

    /**
     * The confirmed tracks and the next id, as a compact line of text, for another host that takes
     * the stream over (see {@link #restore}). Times are kept relative ({@code nowNanos} minus the
     * track's last match), since another host's monotonic clock has another origin. Null before any id.
     */
    public String snapshot(long nowNanos) {
        if (!hasIds()) {
            return null;
        }
        StringBuilder b = new StringBuilder(32 + 96 * Math.min(tracks.size(), MAX_SNAPSHOT_TRACKS));
        b.append(SNAPSHOT_VERSION).append(' ').append(nextId);
        List<Track> confirmed = new ArrayList<>(tracks.size());
        for (Track tr : tracks) {
            if (tr.id != 0) {
                confirmed.add(tr);
            }
        }
        if (confirmed.size() > MAX_SNAPSHOT_TRACKS) {
            confirmed.sort(Comparator.comparingDouble((Track tr) -> tr.score).reversed());
            confirmed = confirmed.subList(0, MAX_SNAPSHOT_TRACKS);
        }
        for (Track tr : confirmed) {
            b.append(' ').append(tr.id)
                    .append(',').append(java.net.URLEncoder.encode(tr.label, java.nio.charset.StandardCharsets.UTF_8))
                    .append(',').append(tr.score)
                    .append(',').append(Math.max(0, (nowNanos - tr.lastSeen) / 1_000_000))
                    .append(',').append((float) tr.cx).append(',').append((float) tr.cy)
                    .append(',').append((float) tr.w).append(',').append((float) tr.h)
                    .append(',').append((float) (tr.vx * NANOS_PER_SECOND)).append(',').append((float) (tr.vy * NANOS_PER_SECOND))
                    .append(',').append((float) (tr.vw * NANOS_PER_SECOND)).append(',').append((float) (tr.vh * NANOS_PER_SECOND));
        }
        return b.toString();
    }

    /**
     * Adopts another host's {@link #snapshot} of this stream: its confirmed tracks, with their ids,
     * boxes, velocities and ages, and ids continue after its last. Only a tracker that has not given
     * out an id of its own adopts one (two sets of ids must never mix); its tentative tracks are
     * dropped for the restored ones. Returns false, changing nothing, when it does not adopt it
     * (already has ids, or the text is not a snapshot).
     */
    public boolean restore(String snapshot, long nowNanos) {
        if (hasIds() || snapshot == null) {
            return false;
        }
        String[] parts = snapshot.trim().split(" ");
        if (parts.length < 2 || !SNAPSHOT_VERSION.equals(parts[0])) {
            return false;
        }
        List<Track> restored = new ArrayList<>(parts.length - 2);
        int next;
        try {
            next = Integer.parseInt(parts[1]);
            for (int i = 2; i < parts.length && restored.size() < MAX_SNAPSHOT_TRACKS; i++) {
                String[] f = parts[i].split(",", -1);
                if (f.length != 12) {
                    return false;
                }
                int id = Integer.parseInt(f[0]);
                String label = java.net.URLDecoder.decode(f[1], java.nio.charset.StandardCharsets.UTF_8);
                float score = Float.parseFloat(f[2]);
                long ageNanos = Long.parseLong(f[3]) * 1_000_000;
                double[] v = new double[8];
                for (int k = 0; k < 8; k++) {
                    v[k] = Float.parseFloat(f[4 + k]);
                    if (!Double.isFinite(v[k])) {
                        return false;
                    }
                }
                if (id < 1 || id >= next || v[2] <= 0 || v[3] <= 0 || ageNanos < 0) {
                    return false;
                }
                Track tr = new Track(new Observation(label, score,
                        new Box(v[0] - v[2] / 2, v[1] - v[3] / 2, v[2], v[3])), nowNanos - ageNanos);
                tr.id = id;
                tr.hits = minHits;
                tr.vx = v[4] / NANOS_PER_SECOND;
                tr.vy = v[5] / NANOS_PER_SECOND;
                tr.vw = v[6] / NANOS_PER_SECOND;
                tr.vh = v[7] / NANOS_PER_SECOND;
                restored.add(tr);
            }
        } catch (IllegalArgumentException e) { // NumberFormatException too
            return false;
        }
        if (next < 2) {
            return false;
        }
        tracks.clear();
        tracks.addAll(restored);
        nextId = next;
        return true;
    }

    /**
     * Where something is or lately was, for the motion gate: every live track's box predicted for
     * {@code nowNanos} (confirmed ones also while unmatched) and every detection of the last maxAge.
     */
    public List<Box> watched(long nowNanos) {
        if (tracks.isEmpty() && recent.isEmpty()) {
            return List.of();
        }
        List<Box> out = new ArrayList<>(tracks.size() + recent.size());
        for (Track tr : tracks) {
            out.add(tr.predict(nowNanos));
        }
        for (Seen s : recent) {
            if (nowNanos - s.at <= maxAgeNanos) {
                out.add(s.box);
            }
        }
        return out;
    }

    /** True when a detector pass found anything within {@code windowNanos} before {@code nowNanos}. */
    public boolean observedWithin(long windowNanos, long nowNanos) {
        return observed && nowNanos - lastObservedAt <= windowNanos;
    }

    /** Tracks with an id (confirmed), alive now. */
    public int confirmed() {
        int n = 0;
        for (Track tr : tracks) {
            if (tr.id != 0) {
                n++;
            }
        }
        return n;
    }

    /** One object: centre, size and their velocities (per nanosecond). */
    private static final class Track {
        final String label;
        float score;
        int id;
        int hits = 1;
        boolean seenInLastPass = true;
        long lastSeen;
        double cx, cy, w, h;
        double vx, vy, vw, vh;

        Track(Observation ob, long now) {
            label = ob.label();
            score = ob.score();
            Box b = ob.box();
            cx = b.x() + b.w() / 2;
            cy = b.y() + b.h() / 2;
            w = b.w();
            h = b.h();
            lastSeen = now;
        }

        Box predict(long now) {
            double dt = now - lastSeen;
            double pw = Math.max(1, w + vw * dt);
            double ph = Math.max(1, h + vh * dt);
            return new Box(cx + vx * dt - pw / 2, cy + vy * dt - ph / 2, pw, ph);
        }

        void correct(Observation ob, long now) {
            double dt = now - lastSeen;
            Box b = ob.box();
            double zx = b.x() + b.w() / 2;
            double zy = b.y() + b.h() / 2;
            if (dt > 0) {
                double px = cx + vx * dt, py = cy + vy * dt, pw = w + vw * dt, ph = h + vh * dt;
                double rx = zx - px, ry = zy - py, rw = b.w() - pw, rh = b.h() - ph;
                cx = px + ALPHA * rx;
                cy = py + ALPHA * ry;
                w = pw + ALPHA * rw;
                h = ph + ALPHA * rh;
                vx += BETA * rx / dt;
                vy += BETA * ry / dt;
                vw += BETA * rw / dt;
                vh += BETA * rh / dt;
            } else {
                cx = zx;
                cy = zy;
                w = b.w();
                h = b.h();
            }
            score = ob.score();
            lastSeen = now;
            hits++;
            seenInLastPass = true;
        }
    }
}
