package io.framewire.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.testing.Servers;
import io.framewire.testing.TestData;
import io.framewire.testing.WsClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.imageio.ImageIO;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Property-based fuzzing of the frame path: random bytes and mutations of real images (bit flips,
 * truncation, splices, header corruption, forged sizes) thrown at a server running YuNet, one at a
 * time so each is decoded. Every frame must get its own answer, the worker must survive, and a
 * camera streaming valid frames beside it must keep finding Messi's one face.
 *
 * <p>It found that OpenCV 4.13 spends ~40 s decoding a PNG whose IDAT chunk declares 3.9 GB
 * ({@link io.framewire.inference.ImageCodec#decode} now refuses such a PNG before decoding).
 */
class FrameFuzzTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Set<String> ERROR_CODES = Set.of("bad_image", "image_too_large", "empty_frame", "inference_failed");

    private static FramewireServer server;
    private static WsClient fuzz;
    private static long nextSeq;
    private static byte[] jpeg;
    private static byte[] png;
    private static Thread camera;
    private static volatile boolean cameraStop;
    private static final AtomicLong cameraResults = new AtomicLong();
    private static final AtomicReference<String> cameraFailure = new AtomicReference<>();
    private static final AtomicLong errors = new AtomicLong();
    private static final AtomicLong results = new AtomicLong();

    @BeforeContainer
    static void start() throws Exception {
        // a megapixel at most: a forged size that decodes costs a forward pass at that size, and CI has 2 cores
        server = Servers.start("detector", "yunet", "model", TestData.yunet().toString(), "workers", "1",
                "limits.maxImagePixels", "1000000");
        jpeg = TestData.messi();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(ImageIO.read(new ByteArrayInputStream(jpeg)), "png", out);
        png = out.toByteArray();
        fuzz = WsClient.stream(server.port(), "fuzz");
        WsClient cam = WsClient.stream(server.port(), "camera");
        camera = Thread.ofVirtual().start(() -> {
            try (cam) {
                while (!cameraStop) {
                    cam.send(jpeg);
                    JsonNode r = cam.next(WAIT);
                    if (!r.path("type").asText().equals("result") || r.path("detections").size() != 1) {
                        cameraFailure.compareAndSet(null, r.toString());
                    }
                    cameraResults.incrementAndGet();
                    Thread.sleep(100);
                }
            } catch (Throwable t) {
                cameraFailure.compareAndSet(null, t.toString());
            }
        });
    }

    @AfterContainer
    static void stop() throws Exception {
        cameraStop = true;
        camera.join(WAIT.toMillis());
        System.out.printf("fuzz: %d frames, %d results, %d errors; camera: %d results%n",
                nextSeq, results.get(), errors.get(), cameraResults.get());
        try {
            assertThat(cameraFailure.get()).as("the camera's stream").isNull();
            assertThat(cameraResults.get()).isGreaterThan(10);
            assertThat(server.workersAlive()).isEqualTo(1);
        } finally {
            fuzz.close();
            server.close();
        }
    }

    @Property(tries = 2000)
    void everyFrameGetsItsOwnAnswerAndNothingBreaks(@ForAll("frames") byte[] frame) throws Exception {
        long seq = nextSeq++;
        fuzz.send(frame);
        JsonNode m = fuzz.next(WAIT);
        assertThat(m.path("seq").asLong()).as(m.toString()).isEqualTo(seq);
        assertThat(m.path("dropped").asLong()).isZero();
        switch (m.path("type").asText()) {
            case "result" -> {
                results.incrementAndGet();
                assertThat(m.path("width").asInt()).isPositive();
                assertThat(m.path("height").asInt()).isPositive();
            }
            case "error" -> {
                errors.incrementAndGet();
                assertThat(m.path("code").asText()).isIn(ERROR_CODES);
            }
            default -> throw new AssertionError("unexpected message " + m);
        }
        assertThat(server.workersAlive()).as("no worker died").isEqualTo(1);
        assertThat(cameraFailure.get()).as("the camera's stream").isNull();
    }

    @Provide
    Arbitrary<byte[]> frames() {
        Arbitrary<byte[]> base = Arbitraries.of(true, false).map(j -> j ? jpeg : png);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, bitFlips(base)),
                net.jqwik.api.Tuple.of(2, truncations(base)),
                net.jqwik.api.Tuple.of(2, splices(base)),
                net.jqwik.api.Tuple.of(3, headerCorruption(base)),
                net.jqwik.api.Tuple.of(2, forgedSizes()),
                net.jqwik.api.Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(4096)),
                net.jqwik.api.Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(2048)
                        .map(b -> concat(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}, b))));
    }

    private static Arbitrary<byte[]> bitFlips(Arbitrary<byte[]> base) {
        return Combinators.combine(base, Arbitraries.integers().greaterOrEqual(0).list().ofMinSize(1).ofMaxSize(32))
                .as((img, positions) -> {
                    byte[] b = img.clone();
                    for (int p : positions) {
                        int bit = p % (b.length * 8);
                        b[bit / 8] ^= (byte) (1 << (bit % 8));
                    }
                    return b;
                });
    }

    private static Arbitrary<byte[]> truncations(Arbitrary<byte[]> base) {
        return Combinators.combine(base, Arbitraries.doubles().between(0, 1))
                .as((img, f) -> Arrays.copyOf(img, (int) (img.length * f)));
    }

    /** The head of one image on the tail of another, or of itself at another offset. */
    private static Arbitrary<byte[]> splices(Arbitrary<byte[]> base) {
        return Combinators.combine(base, base, Arbitraries.doubles().between(0, 1), Arbitraries.doubles().between(0, 1))
                .as((a, b, f, g) -> concat(Arrays.copyOf(a, (int) (a.length * f)),
                        Arrays.copyOfRange(b, (int) (b.length * g), b.length)));
    }

    /** Random bytes written over the first kilobyte, where the markers, tables and sizes are. */
    private static Arbitrary<byte[]> headerCorruption(Arbitrary<byte[]> base) {
        return Combinators.combine(base, Arbitraries.integers().between(0, 1023).list().ofMinSize(1).ofMaxSize(16),
                        Arbitraries.bytes().list().ofSize(16))
                .as((img, positions, values) -> {
                    byte[] b = img.clone();
                    for (int i = 0; i < positions.size(); i++) {
                        b[positions.get(i)] = values.get(i);
                    }
                    return b;
                });
    }

    /** A real JPEG or PNG whose header declares another size: tiny, mismatched, or a bomb. */
    private Arbitrary<byte[]> forgedSizes() {
        return Combinators.combine(Arbitraries.of(true, false), Arbitraries.integers().between(0, 65535),
                        Arbitraries.integers().between(0, 65535))
                .as((isJpeg, w, h) -> {
                    byte[] b = (isJpeg ? jpeg : png).clone();
                    int at = isJpeg ? LimitsServerTest.sof(b) + 5 : 16;
                    if (isJpeg) {
                        b[at] = (byte) (h >> 8); b[at + 1] = (byte) h.intValue();
                        b[at + 2] = (byte) (w >> 8); b[at + 3] = (byte) w.intValue();
                    } else {
                        java.nio.ByteBuffer.wrap(b, at, 8).putInt(w).putInt(h);
                    }
                    return b;
                });
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

}
