package io.framewire.inference;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.nio.ByteBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/** JPEG/PNG bytes to a BGR {@link Mat}. */
public final class ImageCodec {

    /**
     * Frames declaring more pixels are refused before decoding: a few kB of JPEG can declare
     * 65535x65535 and make the decoder allocate gigabytes.
     */
    public static final long MAX_PIXELS = 8192L * 8192;

    /*
     * EXIF rotation is ignored so the decoded pixel grid is the one the header (and so the reported
     * width/height) describes, and boxes come back in the coordinates the client sent.
     */
    private static final int FLAGS = IMREAD_COLOR | IMREAD_IGNORE_ORIENTATION;

    private ImageCodec() {}

    /**
     * True when every PNG chunk up to IEND lies within {@code png}. OpenCV 4.13's reader spends some
     * 40 s on a 400 kB PNG whose IDAT declares 3.9 GB before giving up (found by FrameFuzzTest),
     * holding a worker the whole time; a truncated PNG has no IEND and cannot decode either.
     */
    static boolean pngChunksFit(ByteBuffer png) {
        long i = 8; // after the signature
        while (i + 8 <= png.limit()) {
            int at = (int) i;
            long length = png.getInt(at) & 0xffffffffL; // big-endian, ByteBuffer's default order
            long end = i + 12 + length; // length, type, data, CRC
            if (end > png.limit()) {
                return false;
            }
            if (png.get(at + 4) == 'I' && png.get(at + 5) == 'E' && png.get(at + 6) == 'N' && png.get(at + 7) == 'D') {
                return true;
            }
            i = end;
        }
        return false;
    }

    /**
     * Decodes a JPEG or PNG into a new 8-bit BGR image that the caller must close, or returns null
     * when the bytes are not one, declare more than {@link #MAX_PIXELS}, or are corrupt or truncated.
     */
    public static Mat decode(byte[] bytes) {
        return decode(ByteBuffer.wrap(bytes));
    }

    /** As {@link #decode(byte[])} for bytes 0 to the limit of {@code bytes}. */
    public static Mat decode(ByteBuffer bytes) {
        return decode(bytes, ImageHeader.read(bytes));
    }

    /**
     * As {@link #decode(ByteBuffer)}, for a caller that has already read the header (null: not an
     * image). A direct buffer is decoded where it lies; a heap one is copied into native memory first.
     */
    public static Mat decode(ByteBuffer bytes, ImageHeader header) {
        return decode(bytes, header, 0);
    }

    /**
     * As {@link #decode(ByteBuffer, ImageHeader)}, at a working size whose longer side is at most
     * {@code maxSide} (0: the frame's own size). A JPEG is decoded already reduced by 2, 4 or 8
     * (libjpeg scales in the DCT: a fraction of the full decode's cost), then shrunk the rest of the
     * way; the caller maps boxes back with the header's size over the image's.
     */
    public static Mat decode(ByteBuffer bytes, ImageHeader header, int maxSide) {
        Mat image = decodeReduced(bytes, header, reduction(header, maxSide));
        if (image == null || maxSide <= 0 || Math.max(image.cols(), image.rows()) <= maxSide) {
            return image;
        }
        double scale = (double) maxSide / Math.max(image.cols(), image.rows());
        Mat small = new Mat();
        try (Size size = new Size(Math.max(1, (int) Math.round(image.cols() * scale)),
                Math.max(1, (int) Math.round(image.rows() * scale)))) {
            resize(image, small, size, 0, 0, INTER_AREA);
        } finally {
            image.close();
        }
        return small;
    }

    /** The largest of 1, 2, 4, 8 that keeps the longer side at or above {@code maxSide}. */
    static int reduction(ImageHeader header, int maxSide) {
        if (header == null || maxSide <= 0 || !header.format().equals("jpeg")) {
            return 1;
        }
        int longer = Math.max(header.width(), header.height());
        int r = 1;
        while (r < 8 && longer / (r * 2) >= maxSide) {
            r *= 2;
        }
        return r;
    }

    private static Mat decodeReduced(ByteBuffer bytes, ImageHeader header, int reduction) {
        if (header == null || header.pixels() > MAX_PIXELS) {
            return null;
        }
        if (header.format().equals("png") && !pngChunksFit(bytes)) {
            return null;
        }
        int length = bytes.limit();
        // The Mat only views the bytes; pointer and Mat are freed right after imdecode (not the buffer).
        try (BytePointer data = bytes.isDirect() ? new BytePointer(bytes.duplicate().position(0)) : copy(bytes);
                Mat encoded = new Mat(1, length, CV_8UC1, data)) {
            int flags = switch (reduction) {
                case 2 -> IMREAD_REDUCED_COLOR_2 | IMREAD_IGNORE_ORIENTATION;
                case 4 -> IMREAD_REDUCED_COLOR_4 | IMREAD_IGNORE_ORIENTATION;
                case 8 -> IMREAD_REDUCED_COLOR_8 | IMREAD_IGNORE_ORIENTATION;
                default -> FLAGS;
            };
            Mat image = imdecode(encoded, flags);
            if (image.empty()) {
                image.close();
                return null;
            }
            return image;
        } catch (RuntimeException e) {
            return null; // cv::Exception from a corrupt stream
        }
    }

    private static BytePointer copy(ByteBuffer heap) {
        byte[] bytes = new byte[heap.limit()];
        heap.get(0, bytes);
        return new BytePointer(bytes);
    }
}
