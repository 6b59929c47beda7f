package io.framewire.bench;

import io.framewire.inference.Detector;
import io.framewire.inference.DetectorConfig;
import io.framewire.inference.DetectorKind;
import io.framewire.inference.Detectors;
import io.framewire.inference.Device;
import io.framewire.inference.ImageCodec;
import io.framewire.inference.ImageHeader;
import io.framewire.inference.MotionGate;
import io.framewire.protocol.Detection;
import io.framewire.tracking.Box;
import io.framewire.tracking.Tracker;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Gated vs ungated boxes without a server (issue #13): deterministic, so a loaded machine changes
 * only the times, never which frames are seen.
 */
@Command(name = "gatereplay", usageHelpAutoWidth = true,
        description = "Every JPEG of DIR through YuNet, and the same frames through MotionGate + Tracker as a worker runs "
            + "them (frame times at 15 FPS, every STEP-th frame). Prints JSON: recall of the ungated detections at "
            + "IoU >= 0.5, the share gated, the main (largest) object's id stability, the gate's time per frame.")
public class GateReplay implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;
    @Parameters(index = "0", paramLabel = "DIR", description = "directory of .jpg frames (sorted by name)")
    Path dir;
    @Parameters(index = "1", paramLabel = "STEP", description = "take every STEP-th frame (a stream served at 15/STEP FPS)")
    int step;
    @Parameters(index = "2", paramLabel = "THRESHOLD", description = "gating.threshold")
    double thr;
    @Option(names = "--max-frames", defaultValue = "300", description = "frames read at most (default: ${DEFAULT-VALUE})")
    int max;
    @Option(names = "--model", defaultValue = "../shared/models/yunet_s_640_640.onnx", description = "YuNet ONNX (default: ${DEFAULT-VALUE})")
    Path model;

    @Override
    public Integer call() throws Exception {
        long frameNs = 66_666_667L;
        List<Path> ps; try (var s = Files.list(dir)) { ps = s.filter(p -> p.toString().endsWith(".jpg")).sorted().limit(max).toList(); }
        var cfg = new DetectorConfig(DetectorKind.YUNET, model, Device.CPU, null, 0.6f, 0.45f, 640);
        try (Detector det = Detectors.open(cfg).newDetector()) {
            Tracker tracker = new Tracker(3, 1_000_000_000L);
            MotionGate gate = new MotionGate(thr, 1_000_000_000L, 15, tracker);
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
                long g0 = System.nanoTime();
                // as a worker with the stream keeping up: a still frame, or one whose only change is at confirmed
                // tracks (every such frame: no detector interval here), is answered with the tracks' predictions
                boolean skip = gate.check(buf, h, t, true) != MotionGate.Verdict.CHANGED;
                gateNs += System.nanoTime() - g0;
                try (var m = ImageCodec.decode(buf, h)) {
                    truth = det.detect(List.of(m)).get(0);
                    if (!skip) {
                        gate.detected(buf, h, m, t);
                    }
                }
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
        return 0;
    }
}
