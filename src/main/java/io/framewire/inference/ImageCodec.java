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
