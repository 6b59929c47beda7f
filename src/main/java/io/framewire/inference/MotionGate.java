package io.framewire.inference;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import io.framewire.tracking.Box;
import io.framewire.tracking.Tracker;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * One stream's motion gate: decides whether a frame differs enough from the frame the detector
 * last saw to be worth a forward pass. The comparison is a reduced greyscale decode of the same
 * JPEG bytes (libjpeg scales in the DCT, so a 1/4 decode costs a fraction of a full one), the
 * pixels whose grey level moved by more than {@link #PIXEL_DELTA} (sensor noise and JPEG
 * requantisation stay below it), and the size of the largest connected region of them. A region,
 * not the share of all changed pixels: a fixed camera over a street always has a few small movers
 * (pedestrians far off, leaves) whose changes add up to more than a large share of the frame over a
 * few hundred milliseconds, while what makes a new detection likely is one object-sized change.
 * Any change where the detector lately found something (a track's predicted box, or a detection of
 * the last {@code tracking.maxAgeMs}, widened by {@link #TRACK_MARGIN} of its size each side) runs
 * the detector too, whatever its size: the boxes of what the detector already found stay exact,
 * and a small object that comes and goes between passes is not lost, and only changes away from every known object are measured against the
 * threshold; a new object smaller than that is found at the forced refresh. Bytes identical to the
 * reference frame's (a camera re-sending its last JPEG, a still test pattern) are recognised by
 * length and CRC-32C, in about a microsecond, without decoding.
 *
 * <p>Not thread-safe: a stream has one frame at a worker at a time (see Mailbox).
 */
public final class MotionGate {

    /** Grey levels (of 255) a pixel must change by to count as changed. */
    static final int PIXEL_DELTA = 24;
    /**
     * The reduced image is at least this wide: a face of 1/20 of the frame still covers a few
     * reduced pixels. The decode's cost is mostly entropy decoding, the same at every scale, so a
     * smaller scale saves less than it seems (1/4 is about half a full colour decode).
     */
    private static final int MIN_REDUCED_WIDTH = 80;
    /**
     * Changed pixels this close (in reduced pixels, either axis) belong to one region: touching
     * pixels, diagonals included. Linking wider (2) merged pedestrians a few metres apart into one
     * "object" and halved what vtest.avi could gate (bench/RESULTS.md).
     */
    static final int LINK = 1;
    /**
     * A stream whose frames keep changing stops paying for the gate's decode: after this many
     * checks in a row found a change, frames go to the detector unchecked for a span that doubles
     * with every further change found, up to {@link #MAX_UNCHECKED} frames. The last frame of a span
     * is decoded only to become the reference, so that the next check compares neighbours, not a
     * frame from a span ago. A moving camera then pays about 2/{@value #MAX_UNCHECKED} of a gate
     * decode per frame, and a scene that goes still is noticed at most that many frames late.
     */
    static final int CHECK_AFTER = 3;
    static final int MAX_UNCHECKED = 16;

    /**
     * A stream whose detector found anything this recently is a busy scene: there the gate is as
     * cautious as a plain pixel count (all changed pixels together against half the threshold),
     * since what the detector finds there may be smaller than an object-sized region (a distant
     * face in a crowd). The region threshold alone applies to scenes where the detector keeps
     * finding nothing, where only an object-sized change is likely to change that.
     */
    static final long BUSY_NANOS = 10_000_000_000L;

    /** Share of a tracked box's width and height its watched area extends beyond it on each side. */
    static final double TRACK_MARGIN = 0.5;

    private final double threshold;
    private final long refreshNanos;
    private final Tracker tracker; // null: no tracks to watch
    private byte[] reference; // the reduced frame the detector last saw
    private int refWidth;
    private int refHeight;
    private long refAtNanos;
    private int refLength; // the reference frame's encoded length and CRC-32C
    private int refCrc;
    /** Checks in a row that found a change (the stream is moving), and frames left to let through unchecked. */
    private int changedInARow;
    private int uncheckedLeft;
    private int[] stack = new int[0]; // scratch for the region search, reused
    private boolean[] seen = new boolean[0];

    /**
     * @param threshold    share of the reduced frame (0..1) the largest changed region must reach
     *                     for a frame to pass; 0: any changed pixel
     * @param refreshNanos a frame this long after the detector's last pass always passes
     */
    public MotionGate(double threshold, long refreshNanos) {
        this(threshold, refreshNanos, null);
    }

    /** @param tracker the stream's tracker: a change at one of its tracks always runs the detector */
    public MotionGate(double threshold, long refreshNanos, Tracker tracker) {
        this.threshold = threshold;
        this.refreshNanos = refreshNanos;
        this.tracker = tracker;
    }

    /**
     * True when the frame can skip the detector. A frame that passes becomes the new reference,
     * as the caller runs the detector on it. A frame the reduced decode cannot read passes (and
     * the full decode reports it).
     */
    public boolean skip(ByteBuffer encoded, ImageHeader header, long nowNanos) {
        CRC32C crc = new CRC32C();
        crc.update(encoded.duplicate().position(0));
        int sum = (int) crc.getValue();
        boolean fresh = nowNanos - refAtNanos < refreshNanos;
        if (reference != null && fresh && encoded.limit() == refLength && sum == refCrc) {
            changedInARow = 0;
            return true; // the very same bytes
        }
        boolean referenceOnly = false;
        if (uncheckedLeft > 0) {
            if (--uncheckedLeft > 0) {
                // a moving stream: no decode, straight to the detector; the detector now sees a frame
                // the reference is not, so nothing may be gated against it (issue #25 G1)
                reference = null;
                return false;
            }
            referenceOnly = true;
        }
        int flag = header.width() >= 8 * MIN_REDUCED_WIDTH ? IMREAD_REDUCED_GRAYSCALE_8
                : header.width() >= 4 * MIN_REDUCED_WIDTH ? IMREAD_REDUCED_GRAYSCALE_4 : IMREAD_REDUCED_GRAYSCALE_2;
        byte[] grey;
        int w;
        int h;
        int length = encoded.limit();
        try (BytePointer data = encoded.isDirect() ? new BytePointer(encoded.duplicate().position(0)) : copy(encoded);
                Mat bytes = new Mat(1, length, CV_8UC1, data);
                Mat image = imdecode(bytes, flag | IMREAD_IGNORE_ORIENTATION)) {
            if (image.empty() || image.channels() != 1 || !image.isContinuous()) {
                reference = null;
                return false;
            }
            w = image.cols();
            h = image.rows();
            grey = new byte[w * h];
            image.data().get(grey, 0, grey.length);
        } catch (RuntimeException e) {
            reference = null; // cv::Exception on a corrupt stream
            return false;
        }
        byte[] ref = reference;
        if (!referenceOnly && ref != null && w == refWidth && h == refHeight && fresh) {
            if (!changed(ref, grey, w, h, (double) w / header.width(), nowNanos)) {
                changedInARow = 0;
                return true;
            }
            if (++changedInARow >= CHECK_AFTER) {
                uncheckedLeft = Math.min(MAX_UNCHECKED, 1 << Math.min(changedInARow - CHECK_AFTER + 1, 16));
            }
        }
        reference = grey;
        refLength = encoded.limit();
        refCrc = sum;
        refWidth = w;
        refHeight = h;
        refAtNanos = nowNanos;
        return false;
    }

    /**
     * True when a changed pixel lies at a tracked object, or some connected region of changed pixels
     * covers at least the threshold's share. {@code scale}: reduced pixels per frame pixel.
     */
    private boolean changed(byte[] a, byte[] b, int w, int h, double scale, long nowNanos) {
        int n = a.length;
        int need = Math.max(1, (int) Math.ceil(threshold * n));
        if (seen.length < n) {
            seen = new boolean[n];
            stack = new int[n];
        }
        boolean[] hit = seen; // true: changed and not yet taken into a region
        int total = 0;
        for (int i = 0; i < n; i++) {
            boolean c = Math.abs((a[i] & 0xff) - (b[i] & 0xff)) > PIXEL_DELTA;
            hit[i] = c;
            total += c ? 1 : 0;
        }
        if (total == 0) {
            return false;
        }
        if (tracker != null && changedAtTracks(hit, w, h, scale, nowNanos)) {
            return true;
        }
        if (tracker != null && tracker.observedWithin(BUSY_NANOS, nowNanos)) {
            return total >= Math.max(1, Math.ceil(threshold / 2 * n));
        }
        if (total < need) {
            return false; // no region can be larger than all changes together
        }
        return largestRegion(hit, w, h, need, stack) >= need;
    }

    private boolean changedAtTracks(boolean[] hit, int w, int h, double scale, long nowNanos) {
        for (Box b : tracker.watched(nowNanos)) {
            double mx = TRACK_MARGIN * b.w();
            double my = TRACK_MARGIN * b.h();
            int x0 = Math.max(0, (int) Math.floor((b.x() - mx) * scale));
            int y0 = Math.max(0, (int) Math.floor((b.y() - my) * scale));
            int x1 = Math.min(w - 1, (int) Math.ceil((b.x() + b.w() + mx) * scale));
            int y1 = Math.min(h - 1, (int) Math.ceil((b.y() + b.h() + my) * scale));
            for (int y = y0; y <= y1; y++) {
                for (int x = x0; x <= x1; x++) {
                    if (hit[y * w + x]) {
                        return true;
                    }
                }
            }
        }
        return false;
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
