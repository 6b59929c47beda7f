import io.framewire.inference.*;
import java.nio.*;
import java.nio.file.*;
/** Cost of MotionGate.skip per frame: identical bytes, other bytes, and a full colour decode for scale. Run: java --enable-native-access=ALL-UNNAMED -cp target/framewire.jar bench/GateCost.java A.jpg B.jpg */
public class GateCost {
    public static void main(String[] a) throws Exception {
        byte[] f0 = Files.readAllBytes(Path.of(a[0])), f1 = Files.readAllBytes(Path.of(a[1]));
        ByteBuffer b0 = ByteBuffer.allocateDirect(f0.length).put(f0).flip(), b1 = ByteBuffer.allocateDirect(f1.length).put(f1).flip();
        ImageHeader h = ImageHeader.read(b0);
        for (int round = 0; round < 4; round++) {
            MotionGate g = new MotionGate(1.0, Long.MAX_VALUE);
            g.skip(b0, h, 0);
            int n = 2000;
            long t = System.nanoTime();
            for (int i = 0; i < n; i++) g.skip(b0, h, 1);
            long same = System.nanoTime() - t; t = System.nanoTime();
            for (int i = 0; i < n; i++) g.skip(b1, h, 1); // other bytes: reduced decode + compare
            long other = System.nanoTime() - t; t = System.nanoTime();
            for (int i = 0; i < n; i++) ImageCodec.decode(b1, h).close();
            long full = System.nanoTime() - t;
            System.out.printf("identical bytes %.1f us, other bytes (1/4 grey decode + compare) %.1f us, full colour decode %.1f us%n",
                    same / n / 1e3, other / n / 1e3, full / n / 1e3);
        }
    }
}
