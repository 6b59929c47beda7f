package io.framewire.testing;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/** A test video's first frames as JPEGs a camera would send (the load generator's way, kept test-side). */
public final class VideoJpegs {
    private VideoJpegs() {
    }

    /** Up to {@code max} frames of {@code video}, resized to {@code width x height}, JPEG at {@code quality}. */
    public static List<ByteBuffer> load(Path video, int width, int height, int quality, int max) throws IOException {
        List<ByteBuffer> out = new ArrayList<>();
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(video.toFile());
                OpenCVFrameConverter.ToMat toMat = new OpenCVFrameConverter.ToMat();
                Mat resized = new Mat();
                Size size = new Size(width, height);
                IntPointer params = new IntPointer(IMWRITE_JPEG_QUALITY, quality);
                BytePointer jpeg = new BytePointer()) {
            avutil.av_log_set_level(avutil.AV_LOG_ERROR);
            grabber.start();
            Frame f;
            while (out.size() < max && (f = grabber.grabImage()) != null) {
                Mat m = toMat.convert(f); // shares the grabber's buffer: encode before the next grab
                if (m == null || m.empty()) {
                    continue;
                }
                resize(m, resized, size, 0, 0, INTER_AREA);
                if (!imencode(".jpg", resized, jpeg, params)) {
                    throw new IOException("JPEG encoding failed for frame " + out.size() + " of " + video);
                }
                byte[] b = new byte[(int) jpeg.limit()];
                jpeg.get(b);
                out.add(ByteBuffer.wrap(b).asReadOnlyBuffer());
            }
            grabber.stop();
        }
        return out;
    }
}
