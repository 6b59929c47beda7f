package io.framewire.bench;

import io.framewire.inference.ImageCodec;
import io.framewire.inference.ImageHeader;
import io.framewire.inference.MotionGate;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Cost of MotionGate.check per frame: identical bytes, other bytes, and a full colour decode for scale. */
@Command(name = "gatecost", usageHelpAutoWidth = true,
        description = "Cost of the motion gate (MotionGate.check) per frame: identical bytes, other bytes (1/4 grey " +
            "decode + compare), and a full colour decode for scale; four rounds of 2,000 frames.")
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
        for (int round = 0; round < 4; round++) {
            MotionGate g = new MotionGate(1.0, Long.MAX_VALUE, Integer.MAX_VALUE, null);
            g.check(b0, h, 0, true);
            try (var m = ImageCodec.decode(b0, h)) {
                g.detected(b0, h, m, 0);
            }
            int n = 2000;
            long t = System.nanoTime();
            for (int i = 0; i < n; i++) g.check(b0, h, 1, true);
            long same = System.nanoTime() - t; t = System.nanoTime();
            for (int i = 0; i < n; i++) g.check(b1, h, 1, true); // other bytes: reduced decode + compare
            long other = System.nanoTime() - t; t = System.nanoTime();
            for (int i = 0; i < n; i++) ImageCodec.decode(b1, h).close();
            long full = System.nanoTime() - t;
            System.out.printf("identical bytes %.1f us, other bytes (1/4 grey decode + compare) %.1f us, full colour decode %.1f us%n",
                    same / n / 1e3, other / n / 1e3, full / n / 1e3);
        }
        return 0;
    }
}
