package io.framewire.bench;

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
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import io.framewire.inference.Detector;
import io.framewire.inference.DetectorConfig;
import io.framewire.inference.DetectorFactory;
import io.framewire.inference.Detectors;
import io.framewire.inference.ImageCodec;
import io.framewire.inference.ImageHeader;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The baseline for the processing benchmark: decode + detect on one thread, no network, no queues.
 * {@code --decodeOnly true} decodes without detecting: what one core can decode, the ceiling of
 * the split pipeline's decoders (bench/gpu.sh). {@code --batch N} hands the detector N frames per
 * call (YuNet batched vs frame by frame, same thread).
 *
 * A directory contributes its JPEGs as they are; a video is read once up front, each frame resized to
 * 320x240 and JPEG-encoded at quality 80 (what the load generator sends). Prints one JSON line.
 */
@Command(name = "standalone", sortOptions = false, usageHelpAutoWidth = true,
        description = "Decode + detect on one thread, no network, no queues: the processing benchmark's baseline. " +
            "Prints one JSON line: detector, decode_only, batch, frames, seconds, fps, ms_per_frame. " +
            "Detector options take the server's values (docs/configuration.md, settings inference.*).")
public final class StandaloneBench implements Callable<Integer> {

    private static final int VIDEO_WIDTH = 320;
    private static final int VIDEO_HEIGHT = 240;
    private static final int VIDEO_JPEG_QUALITY = 80;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    @Option(names = "--images", required = true, paramLabel = "DIR_OR_VIDEO",
            description = "a directory of JPEGs (sent as they are) or a video (320x240 JPEGs at quality 80) (required)")
    Path images;

    @Option(names = "--detector", defaultValue = "yunet", paramLabel = "KIND",
            description = "as the server's --detector (default: ${DEFAULT-VALUE})")
    String detector;

    @Option(names = "--model", paramLabel = "PATH", description = "the detector's model file")
    Path model;

    @Option(names = "--device", defaultValue = "auto", paramLabel = "DEVICE",
            description = "as the server's --device (default: ${DEFAULT-VALUE})")
    String device;

    @Option(names = "--labels", paramLabel = "FILE", description = "class names, one a line (yolo)")
    Path labels;

    @Option(names = "--score", defaultValue = "0.6", description = "score threshold (default: ${DEFAULT-VALUE})")
    float score;

    @Option(names = "--nms", defaultValue = "0.45", description = "NMS IoU threshold (default: ${DEFAULT-VALUE})")
    float nms;

    @Option(names = "--inputSize", defaultValue = "640", description = "network input side (default: ${DEFAULT-VALUE})")
    int inputSize;

    @Option(names = "--sim.batchMs", defaultValue = "5", paramLabel = "MS",
            description = "sim detector: ms per batch (default: ${DEFAULT-VALUE})")
    double simBatchMs;

    @Option(names = "--yunet.batched", arity = "1", paramLabel = "true|false",
            description = "YuNet: one batched forward pass (default: the server's choice for the device)")
    Boolean yunetBatched;

    @Option(names = "--maxSide", defaultValue = "0", paramLabel = "PX",
            description = "the server's inference.maxSide: decode and detect at this longer side at most; 0 = off (default: ${DEFAULT-VALUE})")
    int maxSide;

    @Option(names = "--decodeOnly", defaultValue = "false", arity = "1", paramLabel = "true|false",
            description = "decode without detecting (default: ${DEFAULT-VALUE})")
    boolean decodeOnly;

    @Option(names = "--batch", defaultValue = "1", paramLabel = "N",
            description = "frames per detector call (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--seconds", defaultValue = "10", description = "measured time (default: ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--warmup", defaultValue = "2", description = "seconds before measuring (default: ${DEFAULT-VALUE})")
    double warmup;

    public static void main(String[] args) {
        System.exit(new CommandLine(new StandaloneBench()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        try {
            System.out.println(measure());
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println("standalone: " + e.getMessage());
            return 2;
        }
    }

    /** Parses {@code args} and runs; returns the JSON line (tests). */
    static String run(String[] args) throws IOException {
        StandaloneBench b = new StandaloneBench();
        new CommandLine(b).parseArgs(args);
        return b.measure();
    }

    private String measure() throws IOException {
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be >= 1: " + batch);
        }
        var cfg = new DetectorConfig(detector, model, device, labels, score, nms, inputSize, simBatchMs, yunetBatched);

        // direct buffers, as the server's frames are: the same decode path, without a copy
        List<ByteBuffer> frames = load(images).stream()
                .map(b -> ByteBuffer.allocateDirect(b.length).put(b).flip())
                .toList();
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("--images: no JPEG files or video frames in " + images);
        }
        DetectorFactory factory = Detectors.open(cfg);
        try (Detector d = factory.newDetector()) {
            loop(d, frames, (long) (warmup * 1e9), decodeOnly, batch, maxSide);
            long start = System.nanoTime();
            long count = loop(d, frames, (long) (seconds * 1e9), decodeOnly, batch, maxSide);
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
}
