package io.framewire.inference;

import io.framewire.metrics.Metrics;
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
 * A frame its stream's motion gate lets skip the detector is answered at once with the stream's
 * tracks (the gate runs here, before the batch, so its cost is counted as worker time).
 */
final class InferenceWorker implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(InferenceWorker.class);

    private final DetectorFactory factory;
    private final Scheduler scheduler;
    private final int batchMax;
    private final long batchWaitNanos;
    private final Runnable onReady;
    private final Metrics metrics;
    private final ImageLimits limits;
    private final int maxSide;
    private final Advisor advisor;

    InferenceWorker(DetectorFactory factory, Scheduler scheduler, int batchMax, long batchWaitNanos, ImageLimits limits,
                    int maxSide, Metrics metrics, Advisor advisor, Runnable onReady) {
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
        try (Detector detector = factory.newDetector()) {
            onReady.run();
            int max = Math.max(1, Math.min(batchMax, detector.maxBatch()));
            // Waiting to fill a batch only pays off when the model runs it as one forward pass.
            long wait = max > 1 ? batchWaitNanos : 0;
            List<Job> batch = new ArrayList<>(max);
            while (!Thread.currentThread().isInterrupted()) {
                scheduler.next(batch, max, wait);
                process(detector, batch);
                batch.clear();
            }
        } catch (InterruptedException e) {
            // pool shutdown
        } catch (RuntimeException e) {
            log.error("inference worker failed to start: {}", e.toString(), e);
            onReady.run();
        }
    }

    /**
     * A batch between its decode and its forward pass: the jobs taken, those accepted for the
     * detector (with their decoded images), those the gate answered already.
     */
    static final class Prepared {
        final List<Job> batch;
        final List<Job> accepted;
        final List<Job> gated;
        final List<Mat> images;
        final List<ImageHeader> headers;
        final long[] decodeNanos;
        final long started;

        Prepared(List<Job> batch, long started) {
            this.batch = batch;
            this.started = started;
            this.accepted = new ArrayList<>(batch.size());
            this.gated = new ArrayList<>(batch.size());
            this.images = new ArrayList<>(batch.size());
            this.headers = new ArrayList<>(batch.size());
            this.decodeNanos = new long[batch.size()];
        }

        /** Frames that need the detector. */
        int size() {
            return accepted.size();
        }
    }

    private void process(Detector detector, List<Job> batch) {
        Prepared p = new Prepared(batch, System.nanoTime());
        try {
            prepare(p, detector.needsPixels());
            infer(detector, p, null);
        } finally {
            finish(p, true);
        }
    }

    /**
     * Checks, gates and decodes a batch's frames (thread-safe: it only touches the batch's own
     * streams, which the scheduler hands to one thread at a time). Refused frames are answered here.
     */
    void prepare(Prepared p, boolean needsPixels) {
        for (Job job : p.batch) {
            long t0 = System.nanoTime();
            ImageHeader header = ImageHeader.read(job.frame().data());
            String tooLarge = header == null ? null : limits.refusal(header);
            if (tooLarge != null) {
                fail(job, "image_too_large", tooLarge); // never decoded
                continue;
            }
            StreamContext ctx = context(job);
            // nothing to save for a detector that never looks at pixels
            if (header != null && ctx != null && ctx.gate() != null && needsPixels
                    && ctx.gate().skip(job.frame().data(), header, job.frame().receivedNanos())) {
                answerGated(job, ctx, header, System.nanoTime() - t0);
                p.gated.add(job);
                continue;
            }
            Mat image = null;
            if (header != null && needsPixels) {
                // at a bounded working size: one stream's 8-megapixel frame must not cost the others seconds
                image = ImageCodec.decode(job.frame().data(), header, maxSide);
            }
            if (header == null || (needsPixels && image == null)) {
                fail(job, "bad_image", header == null
                        ? "not a JPEG or PNG image" : "image could not be decoded (corrupt or truncated)");
                continue;
            }
            p.decodeNanos[p.accepted.size()] = System.nanoTime() - t0;
            metrics.mailboxWait.observe(Metrics.seconds(job.takenNanos() - job.frame().receivedNanos()));
            metrics.decode.observe(Metrics.seconds(p.decodeNanos[p.accepted.size()]));
            p.accepted.add(job);
            p.headers.add(header);
            p.images.add(image);
        }
        if (!p.gated.isEmpty() && p.accepted.isEmpty()) {
            metrics.detectorPassesSaved.inc();
        }
    }

    /**
     * Runs the detector over a prepared batch (concatenated from one or more decodes) and answers
     * each frame. {@code device}: the executor's per-device instruments, null in the inline pipeline.
     */
    void infer(Detector detector, Prepared p, Metrics.Device device) {
        List<Job> accepted = p.accepted;
        if (accepted.isEmpty()) {
            return;
        }
        List<ImageHeader> headers = p.headers;
        long[] decodeNanos = p.decodeNanos;
        long t1 = System.nanoTime();
        List<List<Detection>> results;
        try {
            results = detector.detect(p.images);
        } catch (RuntimeException e) {
            log.warn("inference failed on a batch of {}: {}", accepted.size(), e.toString());
            for (Job job : accepted) {
                fail(job, "inference_failed", "the detector failed on this frame: " + e.getMessage());
            }
            accepted.clear();
            return;
        }
        long t2 = System.nanoTime();
        metrics.inference.observe(Metrics.seconds(t2 - t1));
        metrics.batchSize.observe(accepted.size());
        if (device != null) {
            device.forwardPass(accepted.size(), t2 - t1);
        }
        long busy = t2 - t1;
        double advice = advisor.fps();
        for (int i = 0; i < accepted.size(); i++) {
            Job job = accepted.get(i);
            ImageHeader h = headers.get(i);
            List<Detection> found = toFrame(results.get(i), p.images.get(i), h); // tracks live in the frame's pixels
            int[] tracks = track(context(job), found, job.frame().receivedNanos());
            var timing = new Messages.Timing(job.takenNanos() - job.frame().receivedNanos(),
                    decodeNanos[i], t2 - t1, t2 - job.frame().receivedNanos(), accepted.size());
            job.mailbox().sink().send(Messages.result(job.mailbox().streamId(), job.frame().seq(),
                    h.width(), h.height(), job.dropped(), found, tracks, false, advice, timing));
            metrics.frameLatency.observe(Metrics.seconds(System.nanoTime() - job.frame().receivedNanos()));
            metrics.advisedFps.observe(advice);
            busy += decodeNanos[i];
        }
        metrics.framesProcessed.inc(accepted.size());
        metrics.workerBusySeconds.inc(Metrics.seconds(busy));
    }

    /**
     * Frees the batch's images and frames and hands its streams back to the scheduler. With
     * {@code advise} the batch's time since {@link Prepared#started} feeds the send-rate advice
     * (the split pipeline's decoders record their own time instead).
     */
    void finish(Prepared p, boolean advise) {
        for (Mat m : p.images) {
            if (m != null) {
                m.close();
            }
        }
        for (Job job : p.batch) {
            job.frame().release();
        }
        for (Job job : p.accepted) {
            scheduler.done(job);
        }
        for (Job job : p.gated) {
            scheduler.done(job);
        }
        int answered = p.accepted.size() + p.gated.size();
        if (advise && answered > 0) {
            long now = System.nanoTime();
            advisor.record(answered, now - p.started, now);
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
        return job.mailbox().context() instanceof StreamContext c ? c : null;
    }

    /** Track ids for a detector pass's detections; null (no ids) for a stream without a tracker. */
    private static int[] track(StreamContext ctx, List<Detection> found, long nowNanos) {
        if (ctx == null) {
            return null;
        }
        List<Tracker.Observation> obs = found.isEmpty() ? List.of() : new ArrayList<>(found.size());
        for (Detection d : found) {
            obs.add(new Tracker.Observation(d.label(), d.score(), new Box(d.x(), d.y(), d.w(), d.h())));
        }
        int[] ids = ctx.tracker().update(obs, nowNanos);
        ctx.tracksChanged();
        return ids;
    }

    /** Answers a frame the gate let skip the detector: the stream's tracks, predicted to this frame. */
    private void answerGated(Job job, StreamContext ctx, ImageHeader h, long gateNanos) {
        long received = job.frame().receivedNanos();
        List<Tracker.Tracked> predicted = ctx.tracker().predict(received);
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
        long now = System.nanoTime();
        double advice = advisor.fps();
        var timing = new Messages.Timing(job.takenNanos() - received, gateNanos, 0, now - received, 0);
        job.mailbox().sink().send(Messages.result(job.mailbox().streamId(), job.frame().seq(),
                h.width(), h.height(), job.dropped(), boxes, ids, true, advice, timing));
        metrics.mailboxWait.observe(Metrics.seconds(job.takenNanos() - received));
        metrics.frameLatency.observe(Metrics.seconds(System.nanoTime() - received));
        metrics.framesGated.inc();
        metrics.advisedFps.observe(advice);
        metrics.workerBusySeconds.inc(Metrics.seconds(gateNanos));
    }

    private void fail(Job job, String code, String message) {
        (switch (code) {
            case "bad_image" -> metrics.droppedBadImage;
            case "image_too_large" -> metrics.droppedTooLarge;
            default -> metrics.droppedFailed;
        }).inc();
        job.mailbox().sink().send(Messages.error(job.frame().seq(), code, message, job.dropped()));
        scheduler.done(job);
    }
}
