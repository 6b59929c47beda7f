package io.framewire.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Gated against ungated answers on the same frames: sends each JPEG of a directory, in order and
 * paced like a camera, to two streams of one server, one with {@code ?gating=off}; then
 * <ul>
 *   <li>recall: the share of the ungated run's detections that the gated run's answer for the same
 *       frame has a box for, IoU >= 0.5 (same label);</li>
 *   <li>track stability: over consecutive answers of the gated run in which the main (largest)
 *       detection is the same object (IoU >= 0.3 with the previous one), the share that carry the
 *       same {@code track} id (an answer without an id counts against it).</li>
 * </ul>
 * Prints one JSON line. Run: {@code java -jar bench/target/framewire-bench.jar agreement WS_BASE DIR FPS NAME}.
 */
@Command(name = "agreement", usageHelpAutoWidth = true,
        description = "Gated against ungated answers on the same frames (two streams of one server, one with " +
            "?gating=off): recall at IoU >= 0.5 and the main detection's track-id stability. One JSON line.")
public final class Agreement implements Callable<Integer> {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;
    @Parameters(index = "0", paramLabel = "WS_BASE", description = "the server, e.g. ws://127.0.0.1:8080")
    String base;
    @Parameters(index = "1", paramLabel = "DIR", description = "a directory of JPEGs, sent in name order")
    Path dir;
    @Parameters(index = "2", paramLabel = "FPS", description = "send rate, like a camera")
    double fps;
    @Parameters(index = "3", paramLabel = "NAME", description = "names the two streams (agree-off-NAME, agree-on-NAME) and the output")
    String name;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One stream's answers by seq. */
    static final class Stream implements WebSocket.Listener {
        final Map<Long, JsonNode> results = new ConcurrentHashMap<>();
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                try {
                    JsonNode r = JSON.readTree(text.toString());
                    if (r.path("type").asText().equals("result")) {
                        results.put(r.path("seq").asLong(), r);
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

    @Override
    public Integer call() throws Exception {
        List<Path> files;
        try (var s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
        }
        List<byte[]> frames = new ArrayList<>();
        for (Path f : files) {
            frames.add(Files.readAllBytes(f));
        }
        HttpClient http = HttpClient.newHttpClient();
        Stream off = new Stream(), on = new Stream();
        WebSocket wsOff = http.newWebSocketBuilder().buildAsync(URI.create(base + "/ws/streams/agree-off-" + name + "?gating=off"), off).get();
        WebSocket wsOn = http.newWebSocketBuilder().buildAsync(URI.create(base + "/ws/streams/agree-on-" + name), on).get();
        long period = (long) (1e9 / fps);
        long start = System.nanoTime();
        for (int i = 0; i < frames.size(); i++) {
            long due = start + i * period;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            CompletableFuture<WebSocket> a = wsOff.sendBinary(ByteBuffer.wrap(frames.get(i)), true);
            CompletableFuture<WebSocket> b = wsOn.sendBinary(ByteBuffer.wrap(frames.get(i)), true);
            a.get();
            b.get();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && (off.results.size() + dropped(off) < frames.size()
                || on.results.size() + dropped(on) < frames.size())) {
            Thread.sleep(50);
        }
        wsOff.sendClose(1000, "done").get();
        wsOn.sendClose(1000, "done").get();

        long truth = 0, found = 0, compared = 0, gated = 0, gatedTruth = 0, gatedFound = 0;
        for (var e : new TreeMap<>(off.results).entrySet()) {
            JsonNode g = on.results.get(e.getKey());
            if (g == null) {
                continue; // replaced in one of the runs: nothing to compare
            }
            compared++;
            boolean isGated = g.path("gated").asBoolean();
            if (isGated) {
                gated++;
            }
            for (JsonNode d : e.getValue().path("detections")) {
                truth++;
                boolean hit = false;
                for (JsonNode c : g.path("detections")) {
                    if (c.path("label").asText().equals(d.path("label").asText()) && iou(box(c), box(d)) >= 0.5) {
                        hit = true;
                        break;
                    }
                }
                if (hit) {
                    found++;
                }
                if (isGated) {
                    gatedTruth++;
                    gatedFound += hit ? 1 : 0;
                }
            }
        }
        // track stability of the main object, gated run
        long pairs = 0, sameId = 0, mainSeen = 0;
        Map<Integer, Long> idCount = new TreeMap<>();
        JsonNode prev = null;
        for (var e : new TreeMap<>(on.results).entrySet()) {
            JsonNode main = main(e.getValue());
            if (main != null) {
                mainSeen++;
                if (main.has("track")) {
                    idCount.merge(main.path("track").asInt(), 1L, Long::sum);
                }
                if (prev != null && iou(box(prev), box(main)) >= 0.3) {
                    pairs++;
                    if (prev.has("track") && main.has("track") && prev.path("track").asInt() == main.path("track").asInt()) {
                        sameId++;
                    }
                }
            }
            prev = main;
        }
        var out = JSON.createObjectNode();
        out.put("clip", name);
        out.put("frames", frames.size());
        out.put("fps", fps);
        out.put("answered_ungated", off.results.size());
        out.put("answered_gated_run", on.results.size());
        out.put("compared", compared);
        out.put("gated", gated);
        out.put("ungated_detections", truth);
        out.put("matched", found);
        out.put("recall", truth == 0 ? 0 : Math.round(1e4 * found / (double) truth) / 1e4);
        out.put("recall_on_gated_frames", gatedTruth == 0 ? 0 : Math.round(1e4 * gatedFound / (double) gatedTruth) / 1e4);
        out.put("main_object_answers", mainSeen);
        out.put("main_object_pairs", pairs);
        out.put("main_object_same_id", sameId);
        out.put("track_stability", pairs == 0 ? 0 : Math.round(1e4 * sameId / (double) pairs) / 1e4);
        out.put("distinct_main_ids", idCount.size());
        System.out.println(out);
        return 0;
    }

    private static long dropped(Stream s) {
        return s.results.values().stream().mapToLong(r -> r.path("dropped").asLong()).sum();
    }

    private static JsonNode main(JsonNode result) {
        JsonNode best = null;
        double area = -1;
        for (JsonNode d : result.path("detections")) {
            double[] b = box(d);
            if (b[2] * b[3] > area) {
                area = b[2] * b[3];
                best = d;
            }
        }
        return best;
    }

    private static double[] box(JsonNode d) {
        JsonNode b = d.path("box");
        return new double[] {b.get(0).asDouble(), b.get(1).asDouble(), b.get(2).asDouble(), b.get(3).asDouble()};
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
}
