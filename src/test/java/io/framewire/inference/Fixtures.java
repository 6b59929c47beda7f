package io.framewire.inference;

import io.framewire.protocol.Detection;
import io.framewire.testing.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;

/** Detector-level fixtures over the shared models and media ({@link TestData}). */
final class Fixtures {

    static final Path YUNET = TestData.yunet();
    static final Path MESSI = TestData.media("messi5.jpg");
    static final Path MEGAMIND = TestData.media("Megamind.avi");

    private Fixtures() {}

    static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** messi5.jpg decoded (548x342); the caller closes it. */
    static Mat messi() {
        return ImageCodec.decode(bytes(MESSI));
    }

    static DetectorConfig config(String kind, Path model, String device) {
        return new DetectorConfig(kind, model, device, null, 0.6f, 0.3f, 640);
    }

    /** The frames of {@code video} with the given indices, as BGR Mats the caller closes. */
    static List<Mat> videoFrames(Path video, Set<Integer> indices) throws IOException {
        List<Mat> frames = new ArrayList<>();
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(video.toFile());
                OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat()) {
            grabber.start();
            Frame frame;
            for (int i = 0; (frame = grabber.grabImage()) != null; i++) {
                if (indices.contains(i)) {
                    frames.add(converter.convert(frame).clone()); // the converter's Mat is reused per frame
                }
            }
            grabber.stop();
        }
        return frames;
    }

    /** Centre of a detection. */
    static int[] centre(Detection d) {
        return new int[] {d.x() + d.w() / 2, d.y() + d.h() / 2};
    }
}
