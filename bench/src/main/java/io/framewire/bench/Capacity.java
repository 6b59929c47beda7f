package io.framewire.bench;

import static org.bytedeco.opencv.global.opencv_core.CV_16SC3;
import static org.bytedeco.opencv.global.opencv_core.CV_64F;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_core.add;
import static org.bytedeco.opencv.global.opencv_core.randn;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framewire.bench.loadgen.FrameSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Capacity on footage like a camera's (issue #22): cameras at a fixed rate, each starting at its
 * own point of a looped clip, every answer scored against an ungated detector pass over the same
 * frame (taken from the first server with {@code ?gating=off}, one frame at a time, before the
 * runs). For each server (variants run interleaved, probe by probe), the largest camera count
 * served at >= 95 % of frames with recall >= 0.95, then a sweep at multiples of it.
 * Prints one JSON line per run.
 */
@Command(name = "capacity", usageHelpAutoWidth = true,
        description = "Capacity on camera-like footage: cameras each starting at its own point of a looped clip, answers "
            + "scored against ungated passes over the same frames (recall/precision at IoU >= 0.5). One JSON line per run.")
public final class Capacity implements Callable<Integer> {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;
    @Option(names = "--footage", required = true, description = "still (noise + flicker, a face walks through a third of the "
            + "clip), identical (one JPEG repeated byte for byte), vtest (fixed street camera), megamind (moving camera)")
    String footage;
    @Option(names = "--size", defaultValue = "640x480", description = "WxH (default: ${DEFAULT-VALUE})")
    String size;
    @Option(names = "--frames", defaultValue = "300", description = "clip length in frames (default: ${DEFAULT-VALUE})")
    int clip;
    @Option(names = "--server", required = true, description = "NAME=ws://host:port, repeatable; the first also gives the truth")
    List<String> servers;
    @Option(names = "--shared", defaultValue = "../shared", description = "models and testdata (default: ${DEFAULT-VALUE})")
    Path shared;
    @Option(names = "--fps", defaultValue = "15") double fps;
    @Option(names = "--warmup", defaultValue = "4", description = "seconds before the window") double warmup;
    @Option(names = "--duration", defaultValue = "10", description = "seconds measured") double duration;
    @Option(names = "--start", defaultValue = "4", description = "first camera count of the search") int start;
    @Option(names = "--max", defaultValue = "400", description = "largest camera count probed in the search") int max;
    @Option(names = "--cameras", split = ",", description = "fixed camera counts instead of a search")
    int[] fixed;
    @Option(names = "--sweep", split = ",", defaultValue = "4,10", description = "multiples of each capacity run after the search")
    double[] sweep;
    @Option(names = "--seed", defaultValue = "22") long seed;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double SERVED = 0.95;
    private static final double RECALL = 0.95;

    private List<byte[]> frames;
    private List<double[][]> truth; // per frame: boxes x, y, w, h
    private final HttpClient http = HttpClient.newHttpClient();
    private int runNo;

    @Override
    public Integer call() throws Exception {
        Map<String, String> urls = new LinkedHashMap<>();
        for (String s : servers) {
            int eq = s.indexOf('=');
            urls.put(s.substring(0, eq), s.substring(eq + 1));
        }
        String[] wh = size.toLowerCase(Locale.ROOT).split("x");
        int w = Integer.parseInt(wh[0]), h = Integer.parseInt(wh[1]);
        String truthUrl = urls.values().iterator().next();
        frames = footage(w, h, truthUrl);
        truth = new ArrayList<>();
        Stream t = new Stream(0);
        WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(truthUrl + "/ws/streams/cap-truth-" + System.nanoTime()
                + "?gating=off"), t).get();
        for (int i = 0; i < frames.size(); i++) {
            ws.sendBinary(ByteBuffer.wrap(frames.get(i)), true).get();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (t.results.size() <= i && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            JsonNode r = t.results.get(i);
            if (r == null) {
                throw new IllegalStateException("no ungated answer for frame " + i);
            }
            truth.add(boxes(r));
        }
        ws.sendClose(1000, "done").get();
        long withObjects = truth.stream().filter(b -> b.length > 0).count();
        System.err.printf(Locale.ROOT, "%s %s: %d frames, %d with detections (%d boxes)%n", footage, size, frames.size(),
                withObjects, truth.stream().mapToLong(b -> b.length).sum());

        if (fixed != null) {
            for (int k : fixed) {
                for (var e : urls.entrySet()) {
                    System.out.println(run(e.getKey(), e.getValue(), k, "fixed"));
                }
            }
            return 0;
        }
        // the search, one probe per server in turn: grow by 1.6x until a probe fails, then halve the gap twice
        Map<String, int[]> state = new LinkedHashMap<>(); // pass, fail, bisections
        for (String n : urls.keySet()) {
            state.put(n, new int[] {0, 0, 0});
        }
        int[] next = new int[urls.size()];
        Arrays.fill(next, start);
        boolean more = true;
        while (more) {
            more = false;
            int i = 0;
            for (var e : urls.entrySet()) {
                int[] s = state.get(e.getKey());
                int k = next[i];
                if (k > 0) {
                    ObjectNode r = run(e.getKey(), e.getValue(), k, "search");
                    System.out.println(r);
                    boolean ok = r.get("served").asDouble() >= SERVED && r.get("recall").asDouble() >= RECALL;
                    if (ok) {
                        s[0] = Math.max(s[0], k);
                    } else {
                        s[1] = s[1] == 0 ? k : Math.min(s[1], k);
                    }
                    if (s[1] == 0) {
                        next[i] = k >= max ? 0 : Math.min(max, (int) Math.ceil(k * 1.6));
                    } else if (s[2] < 2 && s[1] - s[0] > Math.max(1, s[0] / 10)) {
                        s[2]++;
                        next[i] = (s[0] + s[1]) / 2;
                    } else {
                        next[i] = 0;
                    }
                    more |= next[i] > 0;
                }
                i++;
            }
        }
        for (var e : urls.entrySet()) {
            int cap = state.get(e.getKey())[0];
            ObjectNode c = JSON.createObjectNode();
            c.put("type", "capacity").put("footage", footage).put("size", size).put("server", e.getKey()).put("cameras", cap);
            System.out.println(c);
        }
        // sweeps: each multiple of each server's own capacity, servers in turn
        for (double m : sweep) {
            for (var e : urls.entrySet()) {
                int cap = Math.max(1, state.get(e.getKey())[0]);
                ObjectNode r = run(e.getKey(), e.getValue(), (int) Math.round(cap * m), "sweep");
                r.put("multiple", m);
                System.out.println(r);
            }
        }
        return 0;
    }

    /** One run: {@code k} cameras at {@link #fps} for warmup + duration; the window's frames scored. */
    private ObjectNode run(String name, String url, int k, String phase) throws Exception {
        int run = ++runNo;
        long period = (long) (1e9 / fps);
        int capacity = (int) Math.ceil(fps * (warmup + duration + 2)) + 16;
        List<Camera> cams = new ArrayList<>(k);
        List<CompletableFuture<WebSocket>> opening = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            Camera c = new Camera((int) ((long) i * frames.size() / k), capacity);
            cams.add(c);
            opening.add(http.newWebSocketBuilder().buildAsync(
                    URI.create(url + "/ws/streams/cap-" + footage + "-" + run + "-" + i), c.stream));
        }
        for (int i = 0; i < k; i++) {
            cams.get(i).ws = opening.get(i).get(30, TimeUnit.SECONDS);
        }
        long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        long windowFrom = t0 + (long) (warmup * 1e9);
        long windowTo = windowFrom + (long) (duration * 1e9);
        ScheduledExecutorService ticks = Executors.newScheduledThreadPool(2);
        List<ScheduledFuture<?>> tasks = new ArrayList<>();
        Random phase0 = new Random(seed + run);
        for (Camera c : cams) {
            long phaseNanos = (long) (phase0.nextDouble() * period);
            tasks.add(ticks.scheduleAtFixedRate(() -> c.tick(frames, windowFrom, windowTo),
                    t0 - System.nanoTime() + phaseNanos, period, TimeUnit.NANOSECONDS));
        }
        long end = windowTo + TimeUnit.MILLISECONDS.toNanos(50);
        TimeUnit.NANOSECONDS.sleep(Math.max(0, end - System.nanoTime()));
        tasks.forEach(f -> f.cancel(false));
        ticks.shutdown();
        ticks.awaitTermination(5, TimeUnit.SECONDS);
        Thread.sleep(2000); // answers still on their way (a frame waits at most one turn behind the others)
        for (Camera c : cams) {
            c.ws.sendClose(1000, "done");
        }
        // score
        long sent = 0, notSent = 0, answered = 0, gated = 0, predictedBoxes = 0, truthBoxes = 0, found = 0, answerBoxes = 0,
                correct = 0;
        long[] latencies = new long[0];
        int nl = 0;
        double jainSum = 0, jainSq = 0;
        for (Camera c : cams) {
            sent += c.sentInWindow;
            notSent += c.notSent.get();
            long mine = 0;
            for (var e : c.stream.results.entrySet()) {
                int seq = e.getKey();
                if (seq >= c.firstInWindow && seq < c.firstInWindow + c.sentInWindow && c.firstInWindow >= 0) {
                    JsonNode r = e.getValue();
                    mine++;
                    if (r.path("gated").asBoolean()) {
                        gated++;
                    }
                    for (JsonNode d : r.path("detections")) {
                        if (d.path("predicted").asBoolean()) {
                            predictedBoxes++;
                        }
                    }
                    double[][] want = truth.get((c.offset + seq) % frames.size());
                    double[][] got = boxes(r);
                    truthBoxes += want.length;
                    answerBoxes += got.length;
                    found += matched(want, got);
                    correct += matched(got, want);
                    if (nl == latencies.length) {
                        latencies = Arrays.copyOf(latencies, Math.max(1024, nl * 2));
                    }
                    latencies[nl++] = c.stream.latency.get(seq);
                }
            }
            answered += mine;
            double share = c.sentInWindow == 0 ? 0 : mine / (double) c.sentInWindow;
            jainSum += share;
            jainSq += share * share;
        }
        Arrays.sort(latencies, 0, nl);
        ObjectNode r = JSON.createObjectNode();
        r.put("type", "run").put("phase", phase).put("footage", footage).put("size", size).put("server", name)
                .put("cameras", k).put("fps", fps).put("window_s", duration);
        r.put("sent", sent).put("not_sent", notSent).put("answered", answered);
        r.put("served", round(sent + notSent == 0 ? 0 : answered / (double) (sent + notSent)));
        r.put("answers_per_s", round(answered / duration));
        r.put("gated_share", round(answered == 0 ? 0 : gated / (double) answered));
        r.put("recall", round(truthBoxes == 0 ? 1 : found / (double) truthBoxes));
        r.put("precision", round(answerBoxes == 0 ? 1 : correct / (double) answerBoxes));
        r.put("truth_boxes", truthBoxes).put("predicted_boxes", predictedBoxes);
        r.put("p50_ms", nl == 0 ? 0 : latencies[nl / 2] / 1e6);
        r.put("p99_ms", nl == 0 ? 0 : latencies[Math.min(nl - 1, (int) (nl * 0.99))] / 1e6);
        r.put("jain", round(k == 0 || jainSq == 0 ? 0 : jainSum * jainSum / (k * jainSq)));
        return r;
    }

    private static double round(double v) {
        return Math.round(v * 10_000) / 10_000.0;
    }

    /** Boxes of {@code a} that some box of {@code b} covers at IoU >= 0.5. */
    private static int matched(double[][] a, double[][] b) {
        int n = 0;
        for (double[] x : a) {
            for (double[] y : b) {
                if (iou(x, y) >= 0.5) {
                    n++;
                    break;
                }
            }
        }
        return n;
    }

    private static double iou(double[] a, double[] b) {
        double ix = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
        double iy = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
        if (ix <= 0 || iy <= 0) {
            return 0;
        }
        double inter = ix * iy;
        return inter / (a[2] * a[3] + b[2] * b[3] - inter);
    }

    private static double[][] boxes(JsonNode result) {
        JsonNode ds = result.path("detections");
        double[][] out = new double[ds.size()][];
        for (int i = 0; i < ds.size(); i++) {
            JsonNode b = ds.get(i).path("box");
            out[i] = new double[] {b.get(0).asDouble(), b.get(1).asDouble(), b.get(2).asDouble(), b.get(3).asDouble()};
        }
        return out;
    }

    /** One camera: its clip offset, what it sent in the window, its answers. */
    private static final class Camera {
        final int offset;
        final Stream stream;
        volatile WebSocket ws;
        CompletableFuture<WebSocket> pending;
        int seq;
        int firstInWindow = -1;
        int sentInWindow;
        final AtomicLong notSent = new AtomicLong();

        Camera(int offset, int capacity) {
            this.offset = offset;
            this.stream = new Stream(capacity);
        }

        /** One capture: sent unless the previous frame is still being written (then it is a frame not served). */
        synchronized void tick(List<byte[]> frames, long from, long to) {
            long now = System.nanoTime();
            if (now >= to) {
                return;
            }
            boolean inWindow = now >= from;
            if (pending != null && !pending.isDone()) {
                if (inWindow) {
                    notSent.incrementAndGet();
                }
                return;
            }
            if (seq >= stream.sentAt.length) {
                return;
            }
            if (inWindow) {
                if (firstInWindow < 0) {
                    firstInWindow = seq;
                }
                sentInWindow++;
            }
            stream.sentAt[seq] = now;
            byte[] f = frames.get((offset + seq) % frames.size());
            seq++;
            pending = ws.sendBinary(ByteBuffer.wrap(f), true);
        }
    }

    /** A stream's answers (results only) by seq, with their latency from the send. */
    static final class Stream implements WebSocket.Listener {
        final Map<Integer, JsonNode> results = new java.util.concurrent.ConcurrentHashMap<>();
        final Map<Integer, Long> latency = new java.util.concurrent.ConcurrentHashMap<>();
        final long[] sentAt;
        private final StringBuilder text = new StringBuilder();

        Stream(int capacity) {
            sentAt = new long[capacity];
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                long now = System.nanoTime();
                try {
                    JsonNode r = JSON.readTree(text.toString());
                    if (r.path("type").asText().equals("result")) {
                        int seq = r.path("seq").asInt();
                        if (seq < sentAt.length) {
                            latency.put(seq, now - sentAt[seq]);
                        }
                        results.put(seq, r);
                    }
                } catch (Exception e) {
                    System.err.println("unparsable: " + text);
                }
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }
    }

    // ---- footage ----

    private List<byte[]> footage(int w, int h, String url) throws Exception {
        Path testdata = shared.resolve("testdata");
        return switch (footage) {
            case "vtest" -> bytes(FrameSource.load(testdata.resolve("vtest.avi"), w, h, 80, clip));
            case "megamind" -> bytes(FrameSource.load(testdata.resolve("Megamind.avi"), w, h, 80, clip));
            case "still", "identical" -> still(w, h, url, footage.equals("identical"));
            default -> throw new IllegalArgumentException("unknown --footage " + footage);
        };
    }

    private static List<byte[]> bytes(List<ByteBuffer> bufs) {
        List<byte[]> out = new ArrayList<>();
        for (ByteBuffer b : bufs) {
            byte[] a = new byte[b.remaining()];
            b.duplicate().get(a);
            out.add(a);
        }
        return out;
    }

    /**
     * A still street (vtest.avi's first frame) with per-frame sensor noise (sigma 2.5 grey levels) and a
     * 1 % exposure flicker; messi5.jpg's face (found by the server's detector) walks across it for the
     * middle third of the clip. {@code identical}: the background alone, one JPEG repeated.
     */
    private List<byte[]> still(int w, int h, String url, boolean identical) throws Exception {
        Mat background = new Mat();
        try (Mat first = imdecode(new Mat(new BytePointer(bytes(FrameSource.load(shared.resolve("testdata/vtest.avi"),
                w, h, 95, 1)).get(0))), IMREAD_COLOR)) {
            first.copyTo(background);
        }
        if (identical) {
            byte[] one = encode(background);
            List<byte[]> out = new ArrayList<>();
            for (int i = 0; i < clip; i++) {
                out.add(one);
            }
            return out;
        }
        byte[] messi = Files.readAllBytes(shared.resolve("testdata/messi5.jpg"));
        Mat face = faceOf(messi, url, h / 4);
        List<byte[]> out = new ArrayList<>(clip);
        int from = clip / 3, to = 2 * clip / 3;
        try (Mat noise = new Mat(h, w, CV_16SC3); Mat frame16 = new Mat(); Mat frame = new Mat();
                Mat mean = new Mat(1, 1, CV_64F, new Scalar(0)); Mat sigma = new Mat(1, 1, CV_64F, new Scalar(2.5))) {
            for (int i = 0; i < clip; i++) {
                try (Mat canvas = background.clone()) {
                    if (i >= from && i < to) {
                        double p = (i - from) / (double) (to - from);
                        int x = (int) Math.round(p * (w - face.cols()));
                        int y = (int) Math.round(h * 0.35 + 0.05 * h * Math.sin(p * Math.PI * 4));
                        try (Rect r = new Rect(x, y, face.cols(), face.rows()); Mat roi = new Mat(canvas, r)) {
                            face.copyTo(roi);
                        }
                    }
                    double gain = 1 + 0.01 * Math.sin(2 * Math.PI * i / 20.0);
                    randn(noise, mean, sigma);
                    canvas.convertTo(frame16, CV_16SC3, gain, 0);
                    add(frame16, noise, frame16);
                    frame16.convertTo(frame, CV_8UC3);
                    out.add(encode(frame));
                }
            }
        }
        face.close();
        background.close();
        return out;
    }

    /** The largest face the server finds in {@code jpeg}, widened by a third, scaled to {@code height} px tall. */
    private Mat faceOf(byte[] jpeg, String url, int height) throws Exception {
        Stream s = new Stream(4);
        WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(url + "/ws/streams/cap-face-" + System.nanoTime()
                + "?gating=off"), s).get();
        ws.sendBinary(ByteBuffer.wrap(jpeg), true).get();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (s.results.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        ws.sendClose(1000, "done").get();
        double[] best = null;
        for (double[] b : boxes(s.results.get(0))) {
            if (best == null || b[2] * b[3] > best[2] * best[3]) {
                best = b;
            }
        }
        if (best == null) {
            throw new IllegalStateException("the detector found no face in messi5.jpg");
        }
        try (Mat image = imdecode(new Mat(new BytePointer(jpeg)), IMREAD_COLOR)) {
            int mx = (int) (best[2] / 3), my = (int) (best[3] / 3);
            int x = Math.max(0, (int) best[0] - mx), y = Math.max(0, (int) best[1] - my);
            int cw = Math.min(image.cols() - x, (int) best[2] + 2 * mx), ch = Math.min(image.rows() - y, (int) best[3] + 2 * my);
            try (Rect r = new Rect(x, y, cw, ch); Mat crop = new Mat(image, r)) {
                Mat scaled = new Mat();
                resize(crop, scaled, new Size((int) Math.round(cw * (double) height / ch), height), 0, 0, INTER_AREA);
                return scaled;
            }
        }
    }

    private static byte[] encode(Mat m) {
        try (BytePointer buf = new BytePointer(); IntPointer q = new IntPointer(IMWRITE_JPEG_QUALITY, 80)) {
            if (!imencode(".jpg", m, buf, q)) {
                throw new IllegalStateException("JPEG encoding failed");
            }
            byte[] b = new byte[(int) buf.limit()];
            buf.get(b);
            return b;
        }
    }
}
