package io.framewire.inference;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

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
    static boolean pngChunksFit(byte[] png) {
        long i = 8; // after the signature
        while (i + 8 <= png.length) {
            int at = (int) i;
            long length = ((png[at] & 0xffL) << 24) | ((png[at + 1] & 0xff) << 16) | ((png[at + 2] & 0xff) << 8) | (png[at + 3] & 0xff);
            long end = i + 12 + length; // length, type, data, CRC
            if (end > png.length) {
                return false;
            }
            if (png[at + 4] == 'I' && png[at + 5] == 'E' && png[at + 6] == 'N' && png[at + 7] == 'D') {
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
        return decode(bytes, ImageHeader.read(bytes));
    }

    /** As {@link #decode(byte[])}, for a caller that has already read the header (null: not an image). */
    public static Mat decode(byte[] bytes, ImageHeader header) {
        if (header == null || header.pixels() > MAX_PIXELS) {
            return null;
        }
        if (header.format().equals("png") && !pngChunksFit(bytes)) {
            return null;
        }
        // The one copy, into native memory; the Mat only views it and both are freed right after imdecode.
        try (BytePointer data = new BytePointer(bytes);
                Mat encoded = new Mat(1, bytes.length, CV_8UC1, data)) {
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
}
