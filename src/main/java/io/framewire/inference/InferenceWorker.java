package io.framewire.inference;

import io.framewire.metrics.Metrics;
import io.framewire.protocol.Detection;
import io.framewire.protocol.ErrorCode;
import io.framewire.protocol.Messages;
import io.framewire.schedule.Job;
import io.framewire.schedule.Scheduler;
import io.framewire.tracking.Box;
import io.framewire.tracking.Tracker;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One platform thread that owns one {@link Detector}: takes a batch of frames from the scheduler,
 * decodes them (only now: replaced frames are never decoded), runs the detector and hands each
 * result to its stream. A bad frame or a failed forward pass costs that frame, never the worker.
 * A frame its stream's motion gate lets skip the detector (a still scene, or only its confirmed
 * tracks moving within the stream's {@link DetectorInterval}) is answered at once with the
 * stream's tracks predicted to it (the gate runs here, before the batch, so its cost is counted as
 * worker time). Every frame leaves through {@link #answer}, whatever became of it.
 */
final class InferenceWorker implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(InferenceWorker.class);

    private final DetectorFactory factory;
    private final int index;
    private final Scheduler scheduler;
    private final int batchMax;
    private final long batchWaitNanos;
    private final Runnable onReady;
    private final Metrics metrics;
    private final ImageLimits limits;
    private final int maxSide;
    private final int maxDetections;
    private final Advisor advisor;

    /** {@code inference.maxDetections}'s default. */
    static final int MAX_DETECTIONS = 256;

    /** Worker {@code index} of the pool ({@link DetectorFactory#deviceOf}). */
    InferenceWorker(DetectorFactory factory, int index, Scheduler scheduler, int batchMax, long batchWaitNanos, ImageLimits limits,
                    int maxSide, int maxDetections, Metrics metrics, Advisor advisor, Runnable onReady) {
        this.index = index;
        this.maxDetections = maxDetections;
        this.maxSide = maxSide;
        this.advisor = advisor;
        this.metrics = metrics;
        this.limits = limits;
        this.factory = factory;
        this.scheduler = scheduler;
        this.batchMax = batchMax;
        this.batchWaitNanos = batchWaitNanos;
        this.onReady = onReady;
    }

    @Override
    public void run() {
        try (Detector detector = factory.newDetector(index)) {
            onReady.run();
            int max = Math.max(1, Math.min(batchMax, detector.maxBatch()));
            // Waiting to fill a batch only pays off when the model runs it as one forward pass.
            long wait = max > 1 ? batchWaitNanos : 0;
            List<Job> jobs = new ArrayList<>(max);
            while (!Thread.currentThread().isInterrupted()) {
                scheduler.next(jobs, max, wait);
                process(detector, jobs);
                jobs.clear();
            }
        } catch (InterruptedException e) {
            // pool shutdown
        } catch (RuntimeException e) {
            log.error("inference worker failed to start: {}", e.toString(), e);
            onReady.run();
        }
    }

    /** One frame of a batch bound for the detector: its job, its header, its decoded image (null when the detector needs no pixels), its decode time. */
    record Item(Job job, ImageHeader header, Mat image, long decodeNanos) {}

    /**
     * A batch between its decode and its forward pass: every job taken (each answered exactly once
     * by the end of {@link #finish}), and the items bound for the detector. Frames refused or
     * gated are answered while the batch is prepared and have no item.
     */
    static final class Batch {
        final List<Job> jobs;
        final List<Item> items;
        final long started;
        int gated;
        boolean detectorFailed;

        Batch(List<Job> jobs, long started) {
            this.jobs = jobs;
            this.started = started;
            this.items = new ArrayList<>(jobs.size());
        }

        /** Frames that need the detector. */
        int size() {
            return items.size();
        }

        /** Frames answered with a result (by the detector or the gate), for the send-rate advice. */
        int results() {
            return gated + (detectorFailed ? 0 : items.size());
        }
    }

    private void process(Detector detector, List<Job> jobs) {
        Batch b = new Batch(jobs, System.nanoTime());
        try {
            prepare(b, detector.needsPixels());
            infer(detector, b, null);
        } finally {
            finish(b, true);
        }
    }

    /**
     * Answers one frame on the calling thread (a stream's reader) with {@code detector}, which must
     * be safe to share and need no pixels ({@link DetectorFactory#needsNoWorker}): the same checks,
     * answer and accounting as a worker's batch of one.
     */
    void answerHere(Detector detector, Job job) {
        Batch b = new Batch(List.of(job), System.nanoTime());
        try {
            prepare(b, false);
            infer(detector, b, null);
        } finally {
            finish(b, true);
        }
    }

    /**
     * Checks, gates and decodes a batch's frames (thread-safe: it only touches the batch's own
     * streams, which the scheduler hands to one thread at a time). Refused and gated frames are
     * answered here.
     */
    void prepare(Batch b, boolean needsPixels) {
        for (Job job : b.jobs) {
            long t0 = System.nanoTime();
            long received = job.frame().receivedNanos();
            ImageHeader header = ImageHeader.read(job.frame().data());
            String tooLarge = header == null ? null : limits.refusal(header);
            if (tooLarge != null) {
                answer(job, new Refused(ErrorCode.IMAGE_TOO_LARGE, tooLarge)); // never decoded
                continue;
            }
            StreamContext ctx = context(job);
            // nothing to save for a detector that never looks at pixels
            MotionGate gate = header != null && ctx != null && needsPixels ? ctx.gate() : null;
            if (gate != null) {
                boolean keepingUp = job.dropped() == 0;
                MotionGate.Verdict v = gate.check(job.frame().data(), header, received, keepingUp);
                if (v == MotionGate.Verdict.STILL
                        || (v == MotionGate.Verdict.TRACKS_MOVED && ctx.interval().predict(keepingUp, received))) {
                    answer(job, predicted(ctx, header, received, System.nanoTime() - t0));
                    b.gated++;
                    continue;
                }
            }
            Mat image = null;
            if (header != null && needsPixels) {
                // at a bounded working size: one stream's 8-megapixel frame must not cost the others seconds
                image = ImageCodec.decode(job.frame().data(), header, maxSide);
            }
            if (header == null || (needsPixels && image == null)) {
                answer(job, new Refused(ErrorCode.BAD_IMAGE, header == null
                        ? "not a JPEG or PNG image" : "image could not be decoded (corrupt or truncated)"));
                continue;
            }
            if (gate != null) {
                gate.detected(job.frame().data(), header, image, received); // the reference is what the detector sees
            }
            long decodeNanos = System.nanoTime() - t0;
            metrics.decode.observe(Metrics.seconds(decodeNanos));
            b.items.add(new Item(job, header, image, decodeNanos));
        }
        if (b.gated > 0 && b.items.isEmpty()) {
            metrics.detectorPassesSaved.inc();
        }
    }

    /**
     * Runs the detector over a prepared batch (concatenated from one or more decodes) and answers
     * each frame. {@code device}: the executor's per-device instruments, null in the inline pipeline.
     */
    void infer(Detector detector, Batch b, Metrics.Device device) {
        List<Item> items = b.items;
        if (items.isEmpty()) {
            return;
        }
        List<Mat> images = new ArrayList<>(items.size());
        for (Item item : items) {
            images.add(item.image());
        }
        long t1 = System.nanoTime();
        List<List<Detection>> results;
        try {
            results = detector.detect(images);
        } catch (RuntimeException e) {
            log.warn("inference failed on a batch of {}: {}", items.size(), e.toString());
            b.detectorFailed = true;
            for (Item item : items) {
                answer(item.job(), new Refused(ErrorCode.INFERENCE_FAILED, "the detector failed on this frame: " + e.getMessage()));
            }
            return;
        }
        long t2 = System.nanoTime();
        metrics.inference.observe(Metrics.seconds(t2 - t1));
        metrics.batchSize.observe(items.size());
        if (device != null) {
            device.forwardPass(items.size(), t1, t2);
        }
        metrics.workerBusySeconds.inc(Metrics.seconds(t2 - t1)); // the pass once; each frame's decode in answer
        for (int i = 0; i < items.size(); i++) {
            Item item = items.get(i);
            Job job = item.job();
            ImageHeader h = item.header();
            List<Detection> all = results.get(i);
            // a face mosaic must not choose the size of the answer or the tracker's work: the best maxDetections only
            int omitted = all == null ? 0 : Math.max(0, all.size() - maxDetections);
            List<Detection> found = toFrame(omitted > 0 ? Boxes.best(all, maxDetections) : all, item.image(), h); // tracks live in the frame's pixels
            int[] tracks = track(context(job), found, h, job.frame().data(), job.frame().receivedNanos());
            answer(job, new Detected(found, tracks, h, item.decodeNanos(), t2 - t1, items.size(), omitted));
        }
    }

    /** What became of a frame: {@link #answer} turns each kind into its message, its counters and its timing alike. */
    sealed interface Outcome permits Detected, Predicted, Refused {}

    /**
     * A detector pass found {@code boxes} (in the frame's pixels) in a batch of {@code batch} frames;
     * {@code omitted} more beyond {@code inference.maxDetections}.
     */
    record Detected(List<Detection> boxes, int[] tracks, ImageHeader header, long decodeNanos, long inferNanos,
                    int batch, int omitted) implements Outcome {}

    /** No detector pass: the stream's tracks predicted to this frame; {@code gateNanos}: the gate's time on it. */
    record Predicted(List<Detection> boxes, int[] tracks, ImageHeader header, long gateNanos) implements Outcome {}

    /** Not answered with a result: an error {@code code} and its message. */
    record Refused(ErrorCode code, String message) implements Outcome {}

    /**
     * The one way a frame leaves a worker: its message, then the same accounting for every kind
     * (mailbox wait, latency, worker time, the counter of its kind). Answers go out in each stream's
     * {@code seq} order, since a stream has one frame at a worker at a time.
     */
    void answer(Job job, Outcome outcome) {
        long received = job.frame().receivedNanos();
        long queue = job.takenNanos() - received;
        String message;
        long busy = 0;
        switch (outcome) {
            case Detected d -> {
                double advice = advisor.fps();
                var timing = new Messages.Timing(queue, d.decodeNanos(), d.inferNanos(), System.nanoTime() - received, d.batch());
                message = Messages.result(job.streamId(), job.frame().seq(), d.header().width(), d.header().height(),
                        job.dropped(), d.boxes(), d.tracks(), false, false, advice, timing, d.omitted());
                metrics.framesProcessed.inc();
                metrics.advisedFps.observe(advice);
                busy = d.decodeNanos();
            }
            case Predicted p -> {
                double advice = advisor.fps();
                var timing = new Messages.Timing(queue, p.gateNanos(), 0, System.nanoTime() - received, 0);
                message = Messages.result(job.streamId(), job.frame().seq(), p.header().width(), p.header().height(),
                        job.dropped(), p.boxes(), p.tracks(), true, true, advice, timing, 0);
                metrics.framesGated.inc();
                metrics.advisedFps.observe(advice);
                busy = p.gateNanos();
            }
            case Refused r -> {
                (switch (r.code()) {
                    case BAD_IMAGE -> metrics.droppedBadImage;
                    case IMAGE_TOO_LARGE -> metrics.droppedTooLarge;
                    default -> metrics.droppedFailed;
                }).inc();
                message = Messages.error(job.frame().seq(), r.code(), r.message(), job.dropped());
            }
        }
        job.answer(message, switch (outcome) {
            case Detected d -> Job.Work.DETECTOR;
            case Predicted p -> Job.Work.SHORTCUT;
            case Refused r -> Job.Work.OTHER;
        });
        metrics.stageWait.observe(Metrics.seconds(queue));
        metrics.stageWork.observe(Metrics.seconds(System.nanoTime() - job.takenNanos()));
        if (!(outcome instanceof Refused)) {
            metrics.mailboxWait.observe(Metrics.seconds(queue));
            metrics.frameLatency.observe(Metrics.seconds(System.nanoTime() - received));
            metrics.workerBusySeconds.inc(Metrics.seconds(busy));
        }
    }

    /**
     * Frees the batch's images and answers any job still unanswered (a bug or an unexpected error
     * on the way: its stream must not wait for ever). With {@code advise} the batch's time since
     * {@link Batch#started} feeds the send-rate advice (the split pipeline's decoders record their
     * own time instead).
     */
    void finish(Batch b, boolean advise) {
        for (Item item : b.items) {
            if (item.image() != null) {
                item.image().close();
            }
        }
        for (Job job : b.jobs) {
            if (!job.answered()) {
                answer(job, new Refused(ErrorCode.INFERENCE_FAILED, "the frame could not be processed"));
            }
        }
        int results = b.results();
        if (advise && results > 0) {
            long now = System.nanoTime();
            advisor.record(results, now - b.started, now);
        }
    }

    /** Boxes found at the working size, in the frame's own pixels. */
    static List<Detection> toFrame(List<Detection> found, Mat image, ImageHeader frame) {
        if (found == null || image == null || (image.cols() == frame.width() && image.rows() == frame.height())) {
            return found;
        }
        double sx = (double) frame.width() / image.cols();
        double sy = (double) frame.height() / image.rows();
        List<Detection> scaled = new ArrayList<>(found.size());
        for (Detection d : found) {
            int x = (int) Math.round(d.x() * sx);
            int y = (int) Math.round(d.y() * sy);
            scaled.add(new Detection(d.label(), d.score(), x, y,
                    Math.min((int) Math.round(d.w() * sx), frame.width() - x),
                    Math.min((int) Math.round(d.h() * sy), frame.height() - y)));
        }
        return scaled;
    }

    private static StreamContext context(Job job) {
        return job.context() instanceof StreamContext c ? c : null;
    }

    /**
     * Track ids for a detector pass's detections; null (no ids) for a stream without a tracker. First
     * scores the tracks' predictions for this frame against what the detector found, for the
     * stream's detector interval.
     */
    private static int[] track(StreamContext ctx, List<Detection> found, ImageHeader h, java.nio.ByteBuffer image,
                               long nowNanos) {
        if (ctx == null) {
            return null;
        }
        Tracker tracker = ctx.tracker();
        List<Tracker.Observation> obs = found.isEmpty() ? List.of() : new ArrayList<>(found.size());
        for (Detection d : found) {
            obs.add(new Tracker.Observation(d.label(), d.score(), new Box(d.x(), d.y(), d.w(), d.h())));
        }
        ctx.interval().detected(agrees(tracker.predict(nowNanos), obs), nowNanos);
        int[] ids = tracker.update(obs, nowNanos);
        ctx.tracksChanged();
        ctx.tracked(obs, ids, h.width(), h.height(), image, nowNanos); // zone events and pictures: the one place they hear of tracks
        return ids;
    }

    /** IoU a prediction must reach with its detection to count as agreeing: above the 0.5 answers are scored at. */
    static final double AGREEMENT_IOU = 0.6;

    /**
     * Whether the confirmed tracks' predictions match a pass's detections one to one (each at
     * {@link #AGREEMENT_IOU}); null when there was no confirmed track to predict with.
     */
    static Boolean agrees(List<Tracker.Tracked> predicted, List<Tracker.Observation> found) {
        int confirmed = 0;
        for (Tracker.Tracked t : predicted) {
            if (t.id() == 0) {
                continue;
            }
            confirmed++;
            boolean matched = false;
            for (Tracker.Observation o : found) {
                if (o.label().equals(t.label()) && o.box().iou(t.box()) >= AGREEMENT_IOU) {
                    matched = true;
                    break;
                }
            }
            if (!matched) {
                return false;
            }
        }
        return confirmed == 0 ? null : found.size() == predicted.size();
    }

    /** A frame answered without the detector: the stream's tracks, predicted to this frame. */
    private static Predicted predicted(StreamContext ctx, ImageHeader h, long receivedNanos, long gateNanos) {
        List<Tracker.Tracked> predicted = ctx.tracker().predict(receivedNanos);
        List<Detection> boxes = new ArrayList<>(predicted.size());
        int[] ids = new int[predicted.size()];
        for (int i = 0; i < predicted.size(); i++) {
            Tracker.Tracked t = predicted.get(i);
            Box b = t.box();
            int x = (int) Math.round(Math.max(0, b.x()));
            int y = (int) Math.round(Math.max(0, b.y()));
            int w = (int) Math.round(Math.min(b.x() + b.w(), h.width())) - x;
            int hh = (int) Math.round(Math.min(b.y() + b.h(), h.height())) - y;
            boxes.add(new Detection(t.label(), t.score(), x, y, Math.max(1, w), Math.max(1, hh)));
            ids[i] = t.id();
        }
        return new Predicted(boxes, ids, h, gateNanos);
    }
}
