package io.framewire.inference;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import java.nio.ByteBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

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
            Mat image = imdecode(encoded, FLAGS);
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
