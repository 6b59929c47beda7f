package io.framewire.bench;

import io.framewire.inference.ImageCodec;
import io.framewire.inference.ImageHeader;
import io.framewire.inference.MotionGate;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgproc.COLOR_BGR2GRAY;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.cvtColor;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import java.nio.ByteBuffer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Cost of MotionGate.check per frame: identical bytes, other bytes, and a full colour decode for scale. */
@Command(name = "gatecost", usageHelpAutoWidth = true,
        description = "Cost of the motion gate (MotionGate.check) per frame: identical bytes, other bytes (1/4 grey " +
            "decode + compare) broken down, a full colour decode for scale, and the reference taken from the detector's decode; four rounds of 1,000 frames.")
public class GateCost implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;
    @Parameters(index = "0", paramLabel = "A.jpg", description = "the frame the gate has seen")
    Path first;
    @Parameters(index = "1", paramLabel = "B.jpg", description = "another frame of the same size")
    Path second;

    @Override
    public Integer call() throws Exception {
        byte[] f0 = Files.readAllBytes(first), f1 = Files.readAllBytes(second);
        ByteBuffer b0 = ByteBuffer.allocateDirect(f0.length).put(f0).flip(), b1 = ByteBuffer.allocateDirect(f1.length).put(f1).flip();
        ImageHeader h = ImageHeader.read(b0);
        Mat bytes = new Mat(new org.bytedeco.javacpp.BytePointer(f1));
        for (int round = 0; round < 4; round++) {
            MotionGate g = new MotionGate(1.0, Long.MAX_VALUE, Integer.MAX_VALUE, null);
            g.check(b0, h, 0, true);
            try (var m = ImageCodec.decode(b0, h)) {
                g.detected(b0, h, m, 0);
            }
            int n = 1000;
            long t = System.nanoTime();
            for (int i = 0; i < n; i++) g.check(b0, h, 1, true);
            long same = System.nanoTime() - t; t = System.nanoTime();
            for (int i = 0; i < n; i++) g.check(b1, h, 1, true); // other bytes: CRC, reduced decode, compare
            long other = System.nanoTime() - t; t = System.nanoTime();
            for (int i = 0; i < n; i++) {
                java.util.zip.CRC32C c = new java.util.zip.CRC32C();
                c.update(b1.duplicate().position(0));
            }
            long crc = System.nanoTime() - t; t = System.nanoTime();
            for (int i = 0; i < n; i++) imdecode(bytes, IMREAD_REDUCED_GRAYSCALE_8).close();
            long reduced8 = System.nanoTime() - t; t = System.nanoTime();
            for (int i = 0; i < n; i++) imdecode(bytes, IMREAD_REDUCED_GRAYSCALE_4).close();
            long reduced4 = System.nanoTime() - t; t = System.nanoTime();
            for (int i = 0; i < n; i++) ImageCodec.decode(b1, h).close();
            long full = System.nanoTime() - t;
            long fromFull;
            try (Mat m = ImageCodec.decode(b1, h); Mat grey = new Mat(); Mat small = new Mat();
                    Size sz = new Size((h.width() + 7) / 8, (h.height() + 7) / 8)) {
                t = System.nanoTime();
                for (int i = 0; i < n; i++) { // as MotionGate.detected: area resize, then grey
                    resize(m, small, sz, 0, 0, INTER_AREA);
                    cvtColor(small, grey, COLOR_BGR2GRAY);
                }
                fromFull = System.nanoTime() - t;
            }
            System.out.printf(java.util.Locale.ROOT, "%dx%d: identical bytes %.1f us | other bytes (check: CRC + reduced decode + "
                    + "compare) %.1f us = CRC %.1f + 1/8 grey decode %.1f (1/4: %.1f) + compare ~%.1f | full colour decode %.1f us; "
                    + "reference from the detector's decode (area resize + grey) %.1f us%n",
                    h.width(), h.height(), same / n / 1e3, other / n / 1e3, crc / n / 1e3, reduced8 / n / 1e3, reduced4 / n / 1e3,
                    (other - crc - (h.width() >= 640 ? reduced8 : reduced4)) / n / 1e3, full / n / 1e3, fromFull / n / 1e3);
        }
        return 0;
    }
}
