import io.framewire.events.Events;
import io.framewire.events.EventsConfig;
import io.framewire.metrics.Metrics;
import io.framewire.tracking.Box;
import io.framewire.tracking.TrackListener;
import io.framewire.tracking.Tracker;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;

/**
 * Issue #24's cost target: zone events for STREAMS streams with zones at FPS frames/s must cost
 * at most 5 % of a core. One thread replays each stream's detector passes, paced in real time:
 * TRACKS faces per stream walking randomly over a 1280x720 frame, through 4 zones (one of 12 points),
 * every pass first through the stream's Tracker (the work that exists without events), then, in the
 * "events" blocks only, through the stream's zone listener. Blocks with and without events are
 * interleaved (ROUNDS each); the cost is the thread's CPU time per second of the difference.
 * Every event goes to a webhook sink whose receiver is dead (a closed port): its queue fills and
 * drops, the frame path must not notice.
 */
public class EventsCost {

    static final String ZONES = """
            {"zones":[
             {"name":"door","polygon":[[0.1,0.2],[0.3,0.2],[0.3,0.9],[0.1,0.9]],"labels":["face"],"minScore":0.5},
             {"name":"bay","polygon":[[0.5,0.5],[0.9,0.5],[0.9,0.95],[0.5,0.95]]},
             {"name":"aisle","polygon":[[0.35,0.1],[0.45,0.1],[0.45,0.9],[0.35,0.9]],"labels":["face","person"]},
             {"name":"fence","polygon":[[0.6,0.05],[0.7,0.1],[0.8,0.05],[0.9,0.1],[0.95,0.2],[0.9,0.3],[0.8,0.35],[0.7,0.3],[0.6,0.35],[0.55,0.25],[0.5,0.15],[0.55,0.1]]}
            ]}""";

    /** A frame's bytes as a stream sends them (only their size matters here: latest pictures are copied at most once a second). */
    static final java.nio.ByteBuffer FRAME = java.nio.ByteBuffer.allocateDirect(60_000);

    public static void main(String[] args) throws Exception {
        int streams = Integer.getInteger("streams", 200);
        int fps = Integer.getInteger("fps", 15);
        int tracks = Integer.getInteger("tracks", 3);
        int seconds = Integer.getInteger("seconds", 5);
        int rounds = Integer.getInteger("rounds", 3);
        String deadPort = System.getProperty("deadPort", "18401");
        Metrics metrics = new Metrics();
        EventsConfig c = new EventsConfig(null, 3, 5, Duration.ofSeconds(30), Duration.ofSeconds(1), 0,
                URI.create("http://127.0.0.1:" + deadPort + "/hook"), "secret", null, 10_000, 256L << 20, 0);
        Events events = Events.start(c, null, "bench", metrics);
        Random rnd = new Random(24);
        Tracker[] trackers = new Tracker[streams];
        TrackListener[] listeners = new TrackListener[streams];
        double[][] xs = new double[streams][tracks];
        double[][] ys = new double[streams][tracks];
        for (int s = 0; s < streams; s++) {
            trackers[s] = new Tracker(3, 1_000_000_000L);
            events.putZones("cam-" + s, ZONES.getBytes(StandardCharsets.UTF_8));
            listeners[s] = events.opened("cam-" + s);
            for (int t = 0; t < tracks; t++) {
                xs[s][t] = 100 + rnd.nextInt(1000);
                ys[s][t] = 100 + rnd.nextInt(500);
            }
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long passNanos = 1_000_000_000L / ((long) fps * streams);
        double[] with = new double[rounds], without = new double[rounds];
        long[] passes = new long[1];
        // warm-up: JIT both paths
        run(streams, tracks, trackers, listeners, xs, ys, rnd, passNanos, 2, true, mx, passes);
        for (int r = 0; r < rounds; r++) {
            without[r] = run(streams, tracks, trackers, listeners, xs, ys, rnd, passNanos, seconds, false, mx, passes);
            with[r] = run(streams, tracks, trackers, listeners, xs, ys, rnd, passNanos, seconds, true, mx, passes);
            System.out.printf("round %d: tracker only %.4f of a core, tracker + events %.4f, events %.4f (%.2f %%)%n",
                    r + 1, without[r], with[r], with[r] - without[r], 100 * (with[r] - without[r]));
        }
        java.util.Arrays.sort(with);
        java.util.Arrays.sort(without);
        double median = with[rounds / 2] - without[rounds / 2];
        var text = new java.io.ByteArrayOutputStream();
        io.prometheus.metrics.expositionformats.ExpositionFormats.init().getPrometheusTextFormatWriter()
                .write(text, metrics.registry().scrape());
        String m = text.toString(StandardCharsets.UTF_8);
        System.out.printf("%d streams x %d FPS, %d tracks each, 4 zones: events cost %.2f %% of a core (median of %d; target <= 5 %%)%n",
                streams, fps, tracks, 100 * median, rounds);
        m.lines().filter(l -> l.startsWith("framewire_events") || l.startsWith("framewire_event_")).forEach(System.out::println);
        events.close();
    }

    /** Seconds of paced passes; returns the thread's CPU seconds per wall second. */
    static double run(int streams, int tracks, Tracker[] trackers, TrackListener[] listeners, double[][] xs, double[][] ys,
                      Random rnd, long passNanos, int seconds, boolean withEvents, ThreadMXBean mx, long[] passes) {
        long start = System.nanoTime();
        long cpu0 = mx.getCurrentThreadCpuTime();
        long end = start + seconds * 1_000_000_000L;
        long next = start;
        int s = 0;
        List<Tracker.Observation> obs = new ArrayList<>(tracks);
        while (true) {
            long now = System.nanoTime();
            if (now >= end) {
                break;
            }
            if (now < next) {
                LockSupport.parkNanos(next - now);
                continue;
            }
            next += passNanos;
            obs.clear();
            for (int t = 0; t < tracks; t++) {
                xs[s][t] = Math.max(0, Math.min(1200, xs[s][t] + rnd.nextGaussian() * 4));
                ys[s][t] = Math.max(0, Math.min(620, ys[s][t] + rnd.nextGaussian() * 3));
                obs.add(new Tracker.Observation("face", 0.6f + rnd.nextFloat() * 0.4f, new Box(xs[s][t], ys[s][t], 80, 100)));
            }
            int[] ids = trackers[s].update(obs, now);
            if (withEvents) {
                listeners[s].tracked(obs, ids, 1280, 720, FRAME.duplicate(), now);
            }
            passes[0]++;
            s = (s + 1) % streams;
        }
        long cpu = mx.getCurrentThreadCpuTime() - cpu0;
        return cpu / (double) (System.nanoTime() - start);
    }
}
