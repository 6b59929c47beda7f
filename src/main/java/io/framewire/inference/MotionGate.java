package io.framewire.inference;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * One stream's motion gate: decides whether a frame differs enough from the frame the detector
 * last saw to be worth a forward pass. The comparison is a reduced greyscale decode of the same
 * JPEG bytes (libjpeg scales in the DCT, so a 1/4 decode costs a fraction of a full one) and the
 * share of pixels whose grey level moved by more than {@link #PIXEL_DELTA}: sensor noise and JPEG
 * requantisation stay below it, a person stepping into view does not. Bytes identical to the
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

    private final double threshold;
    private final long refreshNanos;
    private byte[] reference; // the reduced frame the detector last saw
    private int refWidth;
    private int refHeight;
    private long refAtNanos;
    private int refLength; // the reference frame's encoded length and CRC-32C
    private int refCrc;

    /**
     * @param threshold    share of reduced pixels (0..1) that must change for a frame to pass
     * @param refreshNanos a frame this long after the detector's last pass always passes
     */
    public MotionGate(double threshold, long refreshNanos) {
        this.threshold = threshold;
        this.refreshNanos = refreshNanos;
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
            return true; // the very same bytes
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
        if (ref != null && w == refWidth && h == refHeight && fresh && changedShare(ref, grey) < threshold) {
            return true;
        }
        reference = grey;
        refLength = encoded.limit();
        refCrc = sum;
        refWidth = w;
        refHeight = h;
        refAtNanos = nowNanos;
        return false;
    }

    static double changedShare(byte[] a, byte[] b) {
        int changed = 0;
        for (int i = 0; i < a.length; i++) {
            if (Math.abs((a[i] & 0xff) - (b[i] & 0xff)) > PIXEL_DELTA) {
                changed++;
            }
        }
        return a.length == 0 ? 0 : (double) changed / a.length;
    }

    private static BytePointer copy(ByteBuffer heap) {
        byte[] bytes = new byte[heap.limit()];
        heap.get(0, bytes);
        return new BytePointer(bytes);
    }
}
