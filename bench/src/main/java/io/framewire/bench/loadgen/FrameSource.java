package io.framewire.bench.loadgen;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * Loads the frames to send, once, before any connection: image files are sent as they are;
 * video frames are resized and JPEG-encoded up front so the send path only copies bytes.
 */
public final class FrameSource {
    private FrameSource() {
    }

    /** Read-only buffers, one per frame; callers send {@code duplicate()}s so positions never clash. */
    public static List<ByteBuffer> load(Path source, int width, int height, int quality, int max) throws IOException {
        List<byte[]> raw;
        if (Files.isDirectory(source)) {
            raw = readImages(listImages(source), max);
        } else if (!Files.isRegularFile(source)) {
            throw new IOException("no such source: " + source);
        } else if (isImage(source)) {
            raw = readImages(List.of(source), max);
        } else {
            raw = grabVideo(source, width, height, quality, max);
        }
        List<ByteBuffer> out = new ArrayList<>(raw.size());
        for (byte[] b : raw) {
            // direct: Jetty's masking loop reads it a little faster than a heap buffer
            out.add(ByteBuffer.allocateDirect(b.length).put(b).flip().asReadOnlyBuffer());
        }
        return out;
    }

    /** Writes frames as 0000.jpg, 0001.jpg ... (the bench scripts' frame directory). */
    static void extract(List<ByteBuffer> frames, Path dir) throws IOException {
        Files.createDirectories(dir);
        for (int i = 0; i < frames.size(); i++) {
            ByteBuffer b = frames.get(i).duplicate();
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            Files.write(dir.resolve(String.format(Locale.ROOT, "%04d.jpg", i)), bytes);
        }
    }

    static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png");
    }

    private static List<Path> listImages(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).filter(FrameSource::isImage).sorted().toList();
        }
    }

    private static List<byte[]> readImages(List<Path> files, int max) throws IOException {
        List<byte[]> out = new ArrayList<>();
        for (Path f : files) {
            if (out.size() >= max) {
                break;
            }
            byte[] b = Files.readAllBytes(f);
            if (b.length > 0) {
                out.add(b);
            }
        }
        return out;
    }

    private static List<byte[]> grabVideo(Path video, int width, int height, int quality, int max) throws IOException {
        List<byte[]> out = new ArrayList<>();
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(video.toFile());
                OpenCVFrameConverter.ToMat toMat = new OpenCVFrameConverter.ToMat();
                Mat resized = new Mat();
                Size size = new Size(width, height);
                IntPointer params = new IntPointer(IMWRITE_JPEG_QUALITY, quality)) {
            avutil.av_log_set_level(avutil.AV_LOG_ERROR); // FFmpeg's stream banner is noise here
            grabber.start();
            Frame f;
            while (out.size() < max && (f = grabber.grabImage()) != null) {
                Mat m = toMat.convert(f); // BGR, shares the grabber's buffer: encode before the next grab
                if (m == null || m.empty()) {
                    continue;
                }
                resize(m, resized, size, 0, 0, INTER_AREA);
                try (BytePointer buf = new BytePointer()) {
                    if (!imencode(".jpg", resized, buf, params)) {
                        throw new IOException("JPEG encoding failed for frame " + out.size());
                    }
                    byte[] b = new byte[(int) buf.limit()];
                    buf.get(b);
                    out.add(b);
                }
            }
            grabber.stop();
        } catch (FFmpegFrameGrabber.Exception e) {
            throw new IOException("cannot read video " + video + ": " + e.getMessage(), e);
        }
        return out;
    }
}
