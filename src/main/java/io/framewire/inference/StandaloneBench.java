package io.framewire.inference;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * The baseline for the processing benchmark: decode + detect on one thread, no network, no queues.
 *
 * <pre>
 * StandaloneBench --detector yunet --model PATH --images DIR_OR_VIDEO [--seconds 10] [--device auto]
 *                 [--warmup 2] [--score 0.6] [--nms 0.45] [--inputSize 640] [--labels FILE]
 *                 [--maxSide 0] (the server's inference.maxSide: decode and detect at this longer side at most)
 *                 [--sim.batchMs 5] [--decodeOnly true] [--yunet.batched true] [--batch 1]
 * </pre>
 *
 * {@code --decodeOnly true} decodes without detecting: what one core can decode, the ceiling of
 * the split pipeline's decoders (bench/gpu.sh). {@code --batch N} hands the detector N frames per
 * call (YuNet batched vs frame by frame, same thread).
 *
 * A directory contributes its JPEGs as they are; a video is read once up front, each frame resized to
 * 320x240 and JPEG-encoded at quality 80 (what the load generator sends). Prints one JSON line.
 */
public final class StandaloneBench {

    private static final int VIDEO_WIDTH = 320;
    private static final int VIDEO_HEIGHT = 240;
    private static final int VIDEO_JPEG_QUALITY = 80;

    private StandaloneBench() {}

    public static void main(String[] args) throws IOException {
        try {
            System.out.println(run(args));
        } catch (IllegalArgumentException e) {
            System.err.println("StandaloneBench: " + e.getMessage());
            System.exit(2);
        }
    }

    static String run(String[] args) throws IOException {
        Map<String, String> opt = options(args);
        String images = opt.get("images");
        if (images == null) {
            throw new IllegalArgumentException("--images DIR_OR_VIDEO is required");
        }
        String model = opt.get("model");
        var cfg = new DetectorConfig(
                opt.getOrDefault("detector", "yunet"),
                model == null ? null : Path.of(model),
                opt.getOrDefault("device", "auto"),
                opt.containsKey("labels") ? Path.of(opt.get("labels")) : null,
                Float.parseFloat(opt.getOrDefault("score", "0.6")),
                Float.parseFloat(opt.getOrDefault("nms", "0.45")),
                Integer.parseInt(opt.getOrDefault("inputSize", "640")),
                Double.parseDouble(opt.getOrDefault("sim.batchMs", "5")),
                opt.containsKey("yunet.batched") ? Boolean.valueOf(opt.get("yunet.batched")) : null);
        int batch = Integer.parseInt(opt.getOrDefault("batch", "1"));
        boolean decodeOnly = Boolean.parseBoolean(opt.getOrDefault("decodeOnly", "false"));
        double seconds = Double.parseDouble(opt.getOrDefault("seconds", "10"));
        double warmup = Double.parseDouble(opt.getOrDefault("warmup", "2"));

        // direct buffers, as the server's frames are: the same decode path, without a copy
        List<ByteBuffer> frames = load(Path.of(images)).stream()
                .map(b -> ByteBuffer.allocateDirect(b.length).put(b).flip())
                .toList();
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("--images: no JPEG files or video frames in " + images);
        }
        DetectorFactory factory = Detectors.open(cfg);
        try (Detector detector = factory.newDetector()) {
            int maxSide = Integer.parseInt(opt.getOrDefault("maxSide", "0"));
            loop(detector, frames, (long) (warmup * 1e9), decodeOnly, batch, maxSide);
            long start = System.nanoTime();
            long count = loop(detector, frames, (long) (seconds * 1e9), decodeOnly, batch, maxSide);
            double elapsed = (System.nanoTime() - start) / 1e9;
            return String.format(Locale.ROOT,
                    "{\"detector\":\"%s\",\"decode_only\":%s,\"batch\":%d,\"frames\":%d,\"seconds\":%.3f,\"fps\":%.2f,\"ms_per_frame\":%.3f}",
                    cfg.kind(), decodeOnly, batch, count, elapsed, count / elapsed, elapsed * 1e3 / count);
        }
    }

    /** Decodes and detects frame after frame, round-robin, for {@code nanos}; returns the frames done. */
    private static long loop(Detector detector, List<ByteBuffer> frames, long nanos, boolean decodeOnly, int batch,
                             int maxSide) {
        if (batch > 1) {
            return loopBatched(detector, frames, nanos, batch);
        }
        long deadline = System.nanoTime() + nanos;
        long count = 0;
        while (System.nanoTime() < deadline) {
            ByteBuffer bytes = frames.get((int) (count % frames.size()));
            // the worker's steps: header check, then a decode only when the detector looks at pixels
            ImageHeader header = ImageHeader.read(bytes);
            if (header == null) {
                throw new IllegalStateException("frame " + count + " is not a JPEG or PNG");
            }
            Mat image = detector.needsPixels() || decodeOnly ? ImageCodec.decode(bytes, header, maxSide) : null;
            try {
                if (!decodeOnly) {
                    detector.detect(Collections.singletonList(image));
                }
            } finally {
                if (image != null) {
                    image.close();
                }
            }
            count++;
        }
        return count;
    }

    /** As {@link #loop} with {@code batch} frames decoded, then detected in one call. */
    private static long loopBatched(Detector detector, List<ByteBuffer> frames, long nanos, int batch) {
        long deadline = System.nanoTime() + nanos;
        long count = 0;
        List<Mat> images = new ArrayList<>(batch);
        while (System.nanoTime() < deadline) {
            try {
                for (int i = 0; i < batch; i++) {
                    ByteBuffer bytes = frames.get((int) ((count + i) % frames.size()));
                    if (ImageHeader.read(bytes) == null) {
                        throw new IllegalStateException("frame " + (count + i) + " is not a JPEG or PNG");
                    }
                    images.add(ImageCodec.decode(bytes));
                }
                detector.detect(images);
            } finally {
                images.forEach(Mat::close);
                images.clear();
            }
            count += batch;
        }
        return count;
    }

    private static List<byte[]> load(Path images) throws IOException {
        if (Files.isDirectory(images)) {
            try (Stream<Path> files = Files.list(images)) {
                List<Path> jpegs = files
                        .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.jpe?g"))
                        .sorted()
                        .toList();
                List<byte[]> frames = new ArrayList<>(jpegs.size());
                for (Path p : jpegs) {
                    frames.add(Files.readAllBytes(p));
                }
                return frames;
            }
        }
        if (!Files.isReadable(images)) {
            throw new IllegalArgumentException("--images: no directory or readable video at " + images);
        }
        return videoFrames(images);
    }

    /** Every frame of a video, resized to 320x240 and JPEG-encoded at quality 80. */
    static List<byte[]> videoFrames(Path video) throws IOException {
        List<byte[]> frames = new ArrayList<>();
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(video.toFile());
                OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat();
                Size size = new Size(VIDEO_WIDTH, VIDEO_HEIGHT);
                Mat small = new Mat();
                IntPointer params = new IntPointer(IMWRITE_JPEG_QUALITY, VIDEO_JPEG_QUALITY);
                BytePointer jpeg = new BytePointer()) {
            grabber.start();
            Frame frame;
            while ((frame = grabber.grabImage()) != null) {
                Mat image = converter.convert(frame); // a view of the grabber's buffer
                resize(image, small, size, 0, 0, INTER_AREA);
                if (!imencode(".jpg", small, jpeg, params)) {
                    throw new IOException("cannot JPEG-encode frame " + frames.size() + " of " + video);
                }
                byte[] bytes = new byte[(int) jpeg.limit()];
                jpeg.get(bytes);
                frames.add(bytes);
            }
            grabber.stop();
        }
        return frames;
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> opt = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got '" + args[i] + "'");
            }
            opt.put(args[i].substring(2), args[i + 1]);
        }
        return opt;
    }
}
