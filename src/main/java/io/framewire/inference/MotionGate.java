package io.framewire.inference;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import io.framewire.tracking.Box;
import io.framewire.tracking.Tracker;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.CRC32C;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * One stream's motion gate: says how a frame differs from the frame the detector last saw (the
 * reference), so that the worker runs the detector only where that is worth a forward pass. The
 * comparison is a reduced greyscale decode of the same JPEG bytes (libjpeg scales in the DCT), the
 * pixels whose grey level moved by more than {@link #PIXEL_DELTA} (sensor noise and JPEG
 * requantisation stay below it), and where they lie:
 * <ul>
 *   <li>at a confirmed track (between its box at the detector's last pass and its predicted box now,
 *       widened by {@link #TRACK_MARGIN}): {@link Verdict#TRACKS_MOVED}: the tracker can answer it
 *       (the worker's detector interval decides);</li>
 *   <li>at any other place the detector lately found something (a tentative track, a detection of
 *       the last {@code tracking.maxAgeMs}): {@link Verdict#CHANGED}, whatever its size;</li>
 *   <li>elsewhere: {@link Verdict#CHANGED} when the largest connected region of changes reaches the
 *       threshold (a new object), or, while the detector found anything in the last
 *       {@link #BUSY_NANOS}, when all such changes together reach half of it.</li>
 * </ul>
 * A region, not the share of all changed pixels: a fixed camera over a street always has a few small
 * movers whose changes add up, while what makes a new detection likely is one object-sized change.
 *
 * <p>Staleness is counted in the stream's own answers, not in wall-clock time: after
 * {@code refreshFrames} answers without the detector a frame goes to it, so an overloaded host
 * (each stream answered once a second) keeps gating the same share of frames as one at capacity;
 * the wall-clock refresh ({@code refreshNanos}) applies only while the stream is answered at its
 * send rate (no frame dropped), that is from spare capacity. Frames bound for the detector anyway
 * (due a refresh, no reference, a moving stream's unchecked span) are not decoded here: the
 * detector's own decode, reduced, becomes the reference ({@link #detected}; frames at least 640
 * wide), so the reference is always the frame the detector last saw.
 *
 * <p>Not thread-safe: a stream has one frame at a worker at a time (see Mailbox).
 */
public final class MotionGate {

    /** How a frame differs from the frame the detector last saw. */
    public enum Verdict {
        /** No change that matters: the tracks as they are answer it. */
        STILL,
        /** Changes only at confirmed tracks: their predictions can answer it. */
        TRACKS_MOVED,
        /** A change the tracks cannot explain, or a refresh is due: the detector must run. */
        CHANGED
    }

    /** Grey levels (of 255) a pixel must change by to count as changed. */
    static final int PIXEL_DELTA = 24;
    /**
     * The reduced image is at least this wide: a face of 1/20 of the frame still covers a few
     * reduced pixels. The decode's cost is mostly entropy decoding, the same at every scale.
     */
    private static final int MIN_REDUCED_WIDTH = 80;
    /** Changed pixels this close (in reduced pixels, either axis) belong to one region. */
    static final int LINK = 1;
    /**
     * A stream whose whole view keeps changing (a moving camera) stops paying for the gate's decode:
     * after this many checks in a row found {@link #MOVING_SHARE} of the frame changed, frames go to the detector unchecked for a span that doubles
     * with every further change found, up to {@link #MAX_UNCHECKED} frames.
     */
    static final int CHECK_AFTER = 3;
    static final int MAX_UNCHECKED = 16;
    /** Share of the reduced frame changed for a check to count towards {@link #CHECK_AFTER}: the whole view moving. */
    static final double MOVING_SHARE = 0.1;

    /** While the detector found anything this recently, changes away from tracks count together. */
    static final long BUSY_NANOS = 10_000_000_000L;

    /** Share of a tracked box's width and height its watched area extends beyond it on each side. */
    static final double TRACK_MARGIN = 0.5;

    private final double threshold;
    private final long refreshNanos;
    private final int refreshFrames;
    private final Tracker tracker; // null: no tracks to watch
    private byte[] reference; // the reduced frame the detector last saw
    private int refWidth;
    private int refHeight;
    private long refAtNanos;
    private int refLength; // the reference frame's encoded length and CRC-32C
    private int refCrc;
    private int answeredSince; // answers without the detector since its last pass
    /** The last frame checked (its reduced decode), kept for {@link #detected} when that frame goes to the detector. */
    private byte[] checked;
    private int checkedLength;
    private int checkedCrc;
    /** Checks in a row that found a change (the stream is moving), and frames left to let through unchecked. */
    private int changedInARow;
    private double changedShare; // of the last comparison
    private int uncheckedLeft;
    private int[] stack = new int[0]; // scratch for the region search, reused
    private boolean[] hit = new boolean[0];
    private byte[] zone = new byte[0];

    /**
     * @param threshold     share of the reduced frame (0..1) the largest changed region must reach
     *                      for a frame to need the detector; 0: any changed pixel
     * @param refreshNanos  while the stream is answered at its send rate, a frame this long after the
     *                      detector's last pass needs it; 0: every frame does (gating never skips)
     * @param refreshFrames a frame after this many answers without the detector needs it
     * @param tracker       the stream's tracker, or null
     */
    public MotionGate(double threshold, long refreshNanos, int refreshFrames, Tracker tracker) {
        if (refreshFrames < 1) {
            throw new IllegalArgumentException("refreshFrames >= 1");
        }
        this.threshold = threshold;
        this.refreshNanos = refreshNanos;
        this.refreshFrames = refreshFrames;
        this.tracker = tracker;
    }

    /**
     * The verdict on a frame. {@code keepingUp}: the stream's previous frames were all answered
     * (none dropped), so a wall-clock refresh costs only spare capacity. A frame judged
     * {@link Verdict#STILL} or {@link Verdict#TRACKS_MOVED} counts as answered without the
     * detector unless {@link #detected} follows for it.
     */
    public Verdict check(ByteBuffer encoded, ImageHeader header, long nowNanos, boolean keepingUp) {
        if (reference == null || refreshNanos <= 0 || answeredSince + 1 >= refreshFrames
                || (keepingUp && nowNanos - refAtNanos >= refreshNanos)) {
            return Verdict.CHANGED; // due anyway: no decode here
        }
        if (uncheckedLeft > 0) {
            uncheckedLeft--;
            return Verdict.CHANGED; // a moving stream: no decode, straight to the detector
        }
        int length = encoded.limit();
        int sum = crc(encoded);
        if (length == refLength && sum == refCrc) {
            changedInARow = 0;
            answeredSince++;
            return Verdict.STILL; // the very same bytes
        }
        byte[] grey = reducedDecode(encoded, header, length);
        if (grey == null || grey.length != refWidth * refHeight) {
            return Verdict.CHANGED; // unreadable (the full decode reports it) or another size
        }
        Verdict v = compare(reference, grey, refWidth, refHeight, (double) refWidth / header.width(), nowNanos);
        // kept for detected(): a frame checked here may still go to the detector (CHANGED, or the interval's turn)
        checked = grey;
        checkedLength = length;
        checkedCrc = sum;
        if (v == Verdict.CHANGED) {
            // only a change across the frame (a moving camera) counts towards the unchecked span: an object
            // moving off its prediction must keep being checked, or its stream loses the gate for a span
            changedInARow = changedShare >= MOVING_SHARE ? changedInARow + 1 : 0;
            if (changedInARow >= CHECK_AFTER) {
                uncheckedLeft = Math.min(MAX_UNCHECKED, 1 << Math.min(changedInARow - CHECK_AFTER + 1, 16)) - 1;
            }
            return v;
        }
        changedInARow = 0;
        answeredSince++;
        return v;
    }

    /**
     * The detector runs on this frame: it becomes the reference, from the check's reduced decode
     * when this frame was checked, else from the detector's decoded {@code image} (BGR at any
     * working size), reduced as the check would. A null image (nothing decoded) leaves no reference.
     */
    public void detected(ByteBuffer encoded, ImageHeader header, Mat image, long nowNanos) {
        int length = encoded.limit();
        int sum = crc(encoded);
        byte[] grey = checked != null && length == checkedLength && sum == checkedCrc ? checked
                // at 1/8 libjpeg's reduced decode is each 8x8 block's mean (the DC term), which an area resize of the
                // detector's decode reproduces; at 1/4 and 1/2 it is a partial inverse DCT, so decode it as the check would
                : scale(header) == 8 ? reduce(image, header) : reducedDecode(encoded, header, length);
        checked = null;
        reference = grey;
        refLength = length;
        refCrc = sum;
        refAtNanos = nowNanos;
        answeredSince = 0;
        if (grey != null) {
            int scale = scale(header);
            refWidth = (header.width() + scale - 1) / scale;
            refHeight = (header.height() + scale - 1) / scale;
        }
    }

    private static int crc(ByteBuffer encoded) {
        CRC32C crc = new CRC32C();
        crc.update(encoded.duplicate().position(0));
        return (int) crc.getValue();
    }

    /** libjpeg's DCT scaling for a frame of this width: the smallest that keeps {@link #MIN_REDUCED_WIDTH}. */
    private static int scale(ImageHeader header) {
        return header.width() >= 8 * MIN_REDUCED_WIDTH ? 8 : header.width() >= 4 * MIN_REDUCED_WIDTH ? 4 : 2;
    }

    private static byte[] reducedDecode(ByteBuffer encoded, ImageHeader header, int length) {
        int scale = scale(header);
        int flag = scale == 8 ? IMREAD_REDUCED_GRAYSCALE_8 : scale == 4 ? IMREAD_REDUCED_GRAYSCALE_4 : IMREAD_REDUCED_GRAYSCALE_2;
        try (BytePointer data = encoded.isDirect() ? new BytePointer(encoded.duplicate().position(0)) : copy(encoded);
                Mat bytes = new Mat(1, length, CV_8UC1, data);
                Mat image = imdecode(bytes, flag | IMREAD_IGNORE_ORIENTATION)) {
            if (image.empty() || image.channels() != 1 || !image.isContinuous()) {
                return null;
            }
            byte[] grey = new byte[image.cols() * image.rows()];
            image.data().get(grey, 0, grey.length);
            return grey;
        } catch (RuntimeException e) {
            return null; // cv::Exception on a corrupt stream
        }
    }

    /** The detector's decoded image as the reduced decode would see it: grey, area-averaged to 1/scale. */
    private static byte[] reduce(Mat image, ImageHeader header) {
        if (image == null || image.empty() || image.channels() != 3) {
            return null;
        }
        int scale = scale(header);
        int w = (header.width() + scale - 1) / scale;
        int h = (header.height() + scale - 1) / scale;
        // area-average first, then grey: grey is linear in B, G, R, so the order changes nothing but the cost
        // (the conversion then touches 1/64 of the pixels)
        try (Mat small = new Mat(); Mat grey = new Mat(); Size size = new Size(w, h)) {
            resize(image, small, size, 0, 0, INTER_AREA);
            cvtColor(small, grey, COLOR_BGR2GRAY);
            if (!grey.isContinuous()) {
                return null;
            }
            byte[] out = new byte[w * h];
            grey.data().get(out, 0, out.length);
            return out;
        }
    }

    /** Where the changed pixels lie (see the class comment). {@code scale}: reduced pixels per frame pixel. */
    private Verdict compare(byte[] a, byte[] b, int w, int h, double scale, long nowNanos) {
        int n = a.length;
        if (hit.length < n) {
            hit = new boolean[n];
            zone = new byte[n];
            stack = new int[n];
        }
        int total = 0;
        for (int i = 0; i < n; i++) {
            boolean c = Math.abs((a[i] & 0xff) - (b[i] & 0xff)) > PIXEL_DELTA;
            hit[i] = c;
            total += c ? 1 : 0;
        }
        changedShare = total / (double) n;
        if (total == 0) {
            return Verdict.STILL;
        }
        boolean atTracks = false;
        if (tracker != null) {
            java.util.Arrays.fill(zone, 0, n, (byte) 0);
            for (Box box : tracker.watched(nowNanos)) {
                mark(box, w, h, scale, (byte) 2);
            }
            // a confirmed track's way from its box at the last pass to its predicted box now
            List<Tracker.Tracked> then = tracker.predict(refAtNanos);
            List<Tracker.Tracked> now = tracker.predict(nowNanos);
            for (int i = 0; i < then.size() && i < now.size(); i++) {
                if (then.get(i).id() != 0) {
                    mark(union(then.get(i).box(), now.get(i).box()), w, h, scale, (byte) 1);
                }
            }
            for (int i = 0; i < n; i++) {
                if (hit[i] && zone[i] != 0) {
                    if (zone[i] == 2) {
                        return Verdict.CHANGED; // where the detector lately found something untracked
                    }
                    atTracks = true;
                    hit[i] = false;
                    total--;
                }
            }
        }
        if (total > 0 && changedAway(total, w, h, nowNanos)) {
            return Verdict.CHANGED;
        }
        return atTracks ? Verdict.TRACKS_MOVED : Verdict.STILL;
    }

    /** The changes away from every track ({@code total} of them in {@link #hit}): enough for the detector? */
    private boolean changedAway(int total, int w, int h, long nowNanos) {
        int n = w * h;
        int need = Math.max(1, (int) Math.ceil(threshold * n));
        if (tracker != null && tracker.observedWithin(BUSY_NANOS, nowNanos)) {
            return total >= Math.max(1, Math.ceil(threshold / 2 * n));
        }
        if (total < need) {
            return false; // no region can be larger than all changes together
        }
        return largestRegion(hit, w, h, need, stack) >= need;
    }

    private static Box union(Box a, Box b) {
        double x0 = Math.min(a.x(), b.x()), y0 = Math.min(a.y(), b.y());
        double x1 = Math.max(a.x() + a.w(), b.x() + b.w()), y1 = Math.max(a.y() + a.h(), b.y() + b.h());
        return new Box(x0, y0, x1 - x0, y1 - y0);
    }

    /** Sets {@code value} over {@code b} widened by {@link #TRACK_MARGIN}, in reduced pixels. */
    private void mark(Box b, int w, int h, double scale, byte value) {
        double mx = TRACK_MARGIN * b.w();
        double my = TRACK_MARGIN * b.h();
        int x0 = Math.min(w, Math.max(0, (int) Math.floor((b.x() - mx) * scale)));
        int y0 = Math.max(0, (int) Math.floor((b.y() - my) * scale));
        int x1 = Math.min(w - 1, (int) Math.ceil((b.x() + b.w() + mx) * scale));
        int y1 = Math.min(h - 1, (int) Math.ceil((b.y() + b.h() + my) * scale));
        for (int y = y0; y <= y1; y++) {
            java.util.Arrays.fill(zone, y * w + x0, y * w + Math.max(x0, x1 + 1), value);
        }
    }

    /**
     * Size of the largest region of {@code hit} pixels linked within {@link #LINK} pixels, stopping
     * early once one reaches {@code enough}. Clears {@code hit} as it goes.
     */
    static int largestRegion(boolean[] hit, int w, int h, int enough, int[] stack) {
        int best = 0;
        for (int start = 0; start < w * h && best < enough; start++) {
            if (!hit[start]) {
                continue;
            }
            hit[start] = false;
            int top = 0;
            int size = 0;
            stack[top++] = start;
            while (top > 0) {
                int p = stack[--top];
                size++;
                int px = p % w;
                int py = p / w;
                for (int y = Math.max(0, py - LINK); y <= Math.min(h - 1, py + LINK); y++) {
                    for (int x = Math.max(0, px - LINK); x <= Math.min(w - 1, px + LINK); x++) {
                        int q = y * w + x;
                        if (hit[q]) {
                            hit[q] = false;
                            stack[top++] = q;
                        }
                    }
                }
            }
            best = Math.max(best, size);
        }
        return best;
    }

    private static BytePointer copy(ByteBuffer heap) {
        byte[] bytes = new byte[heap.limit()];
        heap.get(0, bytes);
        return new BytePointer(bytes);
    }
}
