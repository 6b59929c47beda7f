import io.framewire.inference.*;
import io.framewire.tracking.*;
import java.nio.ByteBuffer;
import java.nio.file.*;
import java.util.*;
/**
 * Gated vs ungated boxes without a server (issue #13): every frame of a directory through YuNet, and the same
 * frames through MotionGate + Tracker as a worker runs them (frame times at 15 FPS, every STEP-th frame, as a
 * stream served at 15/STEP FPS sees them). Prints recall of the ungated detections at IoU >= 0.5, the share
 * gated, the main (largest) object's id stability, and the gate's time per frame. Deterministic: no network,
 * no dropped frames, so a loaded machine changes only the times.
 * Run: java --enable-native-access=ALL-UNNAMED -cp target/framewire.jar bench/GateReplay.java DIR STEP THRESHOLD [MAX_FRAMES [MODEL]]
 */
public class GateReplay {
    public static void main(String[] a) throws Exception {
        Path dir = Path.of(a[0]); int step = Integer.parseInt(a[1]); double thr = Double.parseDouble(a[2]); int max = a.length > 3 ? Integer.parseInt(a[3]) : 300;
        long frameNs = 66_666_667L;
        List<Path> ps; try (var s = Files.list(dir)) { ps = s.filter(p -> p.toString().endsWith(".jpg")).sorted().limit(max).toList(); }
        var cfg = new DetectorConfig("yunet", Path.of(a.length > 4 ? a[4] : "../shared/models/yunet_s_640_640.onnx"), "cpu", null, 0.6f, 0.45f, 640);
        try (Detector det = Detectors.open(cfg).newDetector()) {
            Tracker tracker = new Tracker(3, 1_000_000_000L);
            MotionGate gate = new MotionGate(thr, 1_000_000_000L, tracker);
            Tracker plain = new Tracker(3, 1_000_000_000L);
            int total = 0, matched = 0, gated = 0, answers = 0, pairs = 0, same = 0; int lastId = -1;
            Set<Integer> ids = new HashSet<>();
            long gateNs = 0;
            for (int i = 0; i < ps.size(); i += step) {
                long t = i * frameNs;
                byte[] bytes = Files.readAllBytes(ps.get(i));
                ByteBuffer buf = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
                ImageHeader h = ImageHeader.read(buf);
                List<Detection> truth;
                try (var m = ImageCodec.decode(buf, h)) { truth = det.detect(List.of(m)).get(0); }
                long g0 = System.nanoTime();
                boolean skip = gate.skip(buf, h, t);
                gateNs += System.nanoTime() - g0;
                List<double[]> answer = new ArrayList<>(); List<Integer> answerIds = new ArrayList<>();
                if (skip) {
                    gated++;
                    for (Tracker.Tracked tr : tracker.predict(t)) { answer.add(new double[]{tr.box().x(), tr.box().y(), tr.box().w(), tr.box().h()}); answerIds.add(tr.id()); }
                } else {
                    List<Tracker.Observation> obs = new ArrayList<>();
                    for (Detection d : truth) { obs.add(new Tracker.Observation(d.label(), d.score(), new Box(d.x(), d.y(), d.w(), d.h()))); answer.add(new double[]{d.x(), d.y(), d.w(), d.h()}); }
                    int[] got = tracker.update(obs, t); for (int g : got) answerIds.add(g);
                }
                answers++;
                for (Detection d : truth) {
                    total++;
                    Box tb = new Box(d.x(), d.y(), d.w(), d.h());
                    for (double[] b : answer) if (tb.iou(new Box(b[0], b[1], b[2], b[3])) >= 0.5) { matched++; break; }
                }
                // main object: the largest answer box; its id vs the previous answer's main id
                int best = -1; double area = 0;
                for (int k = 0; k < answer.size(); k++) if (answer.get(k)[2] * answer.get(k)[3] > area) { area = answer.get(k)[2] * answer.get(k)[3]; best = k; }
                int id = best < 0 ? -1 : answerIds.get(best);
                if (id > 0) { ids.add(id); if (lastId > 0) { pairs++; if (id == lastId) same++; } }
                lastId = id;
            }
            System.out.printf(Locale.ROOT, "{\"dir\":\"%s\",\"step\":%d,\"threshold\":%s,\"answers\":%d,\"gated\":%d,\"gated_share\":%.3f,\"ungated_detections\":%d,\"matched\":%d,\"recall\":%.4f,\"main_pairs\":%d,\"main_same_id\":%d,\"stability\":%.3f,\"distinct_main_ids\":%d,\"gate_us_per_frame\":%.0f}%n",
                    dir, step, thr, answers, gated, (double) gated / answers, total, matched, total == 0 ? 1.0 : (double) matched / total, pairs, same, pairs == 0 ? 0 : (double) same / pairs, ids.size(), gateNs / 1e3 / answers);
        }
    }
}
