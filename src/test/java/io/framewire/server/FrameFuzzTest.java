package io.framewire.server;

import static io.framewire.testing.Waits.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.testing.Servers;
import io.framewire.testing.TestData;
import io.framewire.testing.Waits;
import io.framewire.testing.WsClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/**
 * Coverage-guided fuzzing of the frame path with Jazzer: frames made from the fuzzer's input are
 * thrown at a server running YuNet, one at a time so each is decoded. Every frame must get its own
 * answer, the worker must survive, and a camera streaming valid frames beside it must keep finding
 * Messi's one face.
 *
 * <p>The input mostly chooses a mutation of a real image (bit flips, truncation, splices, header
 * corruption, forged sizes, the fuzzer's bytes written over the header) and its parameters; some
 * inputs are sent as they are. The image bodies stay real, so most frames get past the header
 * checks, while libFuzzer's coverage feedback from {@code io.framewire} (instrumented by Jazzer:
 * {@code ImageHeader}, {@code ImageCodec}, the worker) steers the header bytes.
 *
 * <p>It runs only in the {@code fuzz} surefire execution, which sets {@code JAZZER_FUZZ=1} in its own
 * JVM; without it (an IDE run) Jazzer only replays the inputs in {@code FrameFuzzTestInputs}, if
 * any. The corpus it builds and any crashing input go to {@code target/jazzer}
 * ({@code jazzer.internal.basedir} in junit-platform.properties).
 *
 * <p>It found that OpenCV 4.13 spends ~40 s decoding a PNG whose IDAT chunk declares 3.9 GB
 * ({@link io.framewire.inference.ImageCodec#decode} now refuses such a PNG before decoding).
 */
@Tag("fuzz")
class FrameFuzzTest {

    private static final Set<String> ERROR_CODES = Set.of("bad_image", "image_too_large", "empty_frame", "inference_failed");
    /** Raw inputs and overlays are at most this long (libFuzzer's default -max_len). */
    private static final int MAX_RAW = 4096;
    /** Random inputs libFuzzer starts from (and counts among its executions). */
    private static final int SEEDS = 500;

    private static FramewireServer server;
    private static WsClient fuzz;
    private static long nextSeq;
    private static byte[] jpeg;
    private static byte[] png;
    private static int jpegSof;
    private static Thread camera;
    private static volatile boolean cameraStop;
    private static long startNanos;
    private static final AtomicLong cameraResults = new AtomicLong();
    private static final AtomicReference<String> cameraFailure = new AtomicReference<>();
    private static final AtomicLong errors = new AtomicLong();
    private static final AtomicLong results = new AtomicLong();
    private static final long[] strategyCounts = new long[Strategy.values().length];

    @BeforeAll
    static void start() throws Exception {
        // a megapixel at most: a forged size that decodes costs a forward pass at that size, and CI has 2 cores
        server = Servers.start("detector", "yunet", "model", TestData.yunet().toString(), "workers", "1",
                "limits.maxImagePixels", "1000000");
        jpeg = TestData.messi();
        jpegSof = LimitsServerTest.sof(jpeg);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(ImageIO.read(new ByteArrayInputStream(jpeg)), "png", out);
        png = out.toByteArray();
        if (System.getenv("JAZZER_FUZZ") != null) {
            writeSeeds();
        }
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
        startNanos = System.nanoTime();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            // the camera still gets its faces after the last fuzz frame (and had a fair number of turns
            // even when Jazzer only replays a few inputs)
            long seen = cameraResults.get();
            Waits.until(cameraResults::get, n -> n >= Math.max(seen + 2, 10) || cameraFailure.get() != null);
        } finally {
            cameraStop = true;
            camera.join(WAIT.toMillis());
        }
        System.out.printf("fuzz: %d frames in %.0f s, %d results, %d errors; camera: %d results; strategies %s%n",
                nextSeq, (System.nanoTime() - startNanos) / 1e9, results.get(), errors.get(), cameraResults.get(),
                strategyShares(strategyCounts));
        try {
            assertThat(cameraFailure.get()).as("the camera's stream").isNull();
            assertThat(cameraResults.get()).isGreaterThanOrEqualTo(10);
            assertThat(server.workersAlive()).isEqualTo(1);
        } finally {
            if (fuzz != null) {
                fuzz.close();
            }
            server.close();
        }
    }

    // 2,000 frames (the 500 seeds among them) take 15-30 s on 2 cores; the duration bounds a slower machine
    @FuzzTest(maxExecutions = 2000, maxDuration = "60s")
    void everyFrameGetsItsOwnAnswerAndNothingBreaks(FuzzedDataProvider data) throws Exception {
        byte[] frame = frame(data);
        if (fuzz == null) {
            // connected at the first input, not in start(): Jazzer's agent may take longer than
            // ws.firstFrameMs (30 s) to instrument and start libFuzzer on a loaded 2-core machine,
            // and the server closes a publisher that sent nothing for that long
            fuzz = WsClient.stream(server.port(), "fuzz");
        }
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
                assertThat(m.path("code").asText()).as(m.toString()).isIn(ERROR_CODES);
            }
            default -> throw new AssertionError("unexpected message " + m);
        }
        assertThat(server.workersAlive()).as("no worker died").isEqualTo(1);
        assertThat(cameraFailure.get()).as("the camera's stream").isNull();
    }

    /**
     * Random inputs of up to a kilobyte into the corpus directory that libFuzzer reads when it starts:
     * the first executions draw every strategy's parameters over their whole range (an empty corpus
     * would start from one-byte inputs, whose parameters are mostly their minimums), and libFuzzer
     * then mutates the ones that reached new code. Generated here, from a seed printed and overridable
     * with {@code -Dfuzz.seed=}, not stored in the repository.
     */
    private static void writeSeeds() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        System.out.printf("fuzz: %d seed inputs from -Dfuzz.seed=%d%n", SEEDS, seed);
        SplittableRandom random = new SplittableRandom(seed);
        // jazzer.internal.basedir (junit-platform.properties) / Jazzer's generated corpus path
        Path corpus = Path.of("target", "jazzer", ".cifuzz-corpus", FrameFuzzTest.class.getName(),
                "everyFrameGetsItsOwnAnswerAndNothingBreaks");
        Files.createDirectories(corpus);
        for (int i = 0; i < SEEDS; i++) {
            byte[] input = new byte[random.nextInt(16, 1025)];
            random.nextBytes(input);
            Files.write(corpus.resolve("seed-" + i), input);
        }
    }

    /** How a frame is made from the input, and how often (out of 17). */
    enum Strategy {
        BIT_FLIPS(3), TRUNCATION(2), SPLICE(2), HEADER_CORRUPTION(3), FORGED_SIZE(2), HEADER_OVERLAY(3),
        RAW(1), JPEG_SOI_THEN_RAW(1);

        final int weight;

        Strategy(int weight) {
            this.weight = weight;
        }

        private static final int TOTAL = Arrays.stream(values()).mapToInt(s -> s.weight).sum();

        static Strategy pick(int ticket) {
            for (Strategy s : values()) {
                if (ticket < s.weight) {
                    return s;
                }
                ticket -= s.weight;
            }
            throw new IllegalArgumentException();
        }
    }

    static byte[] frame(FuzzedDataProvider data) {
        Strategy strategy = Strategy.pick(data.consumeInt(0, Strategy.TOTAL - 1));
        strategyCounts[strategy.ordinal()]++;
        return switch (strategy) {
            case BIT_FLIPS -> bitFlips(data);
            case TRUNCATION -> {
                byte[] img = base(data);
                yield Arrays.copyOf(img, data.consumeInt(0, img.length));
            }
            case SPLICE -> splice(data);
            case HEADER_CORRUPTION -> headerCorruption(data);
            case FORGED_SIZE -> forgedSize(data);
            case HEADER_OVERLAY -> headerOverlay(data);
            case RAW -> data.consumeRemainingAsBytes();
            case JPEG_SOI_THEN_RAW -> concat(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF},
                    data.consumeBytes(MAX_RAW / 2));
        };
    }

    /** The real JPEG or the PNG made from it. */
    private static byte[] base(FuzzedDataProvider data) {
        return data.consumeBoolean() ? jpeg : png;
    }

    private static byte[] bitFlips(FuzzedDataProvider data) {
        byte[] b = base(data).clone();
        int flips = data.consumeInt(1, 32);
        for (int i = 0; i < flips; i++) {
            int bit = data.consumeInt(0, b.length * 8 - 1);
            b[bit / 8] ^= (byte) (1 << (bit % 8));
        }
        return b;
    }

    /** The head of one image on the tail of another, or of itself at another offset. */
    private static byte[] splice(FuzzedDataProvider data) {
        byte[] a = base(data);
        byte[] b = base(data);
        return concat(Arrays.copyOf(a, data.consumeInt(0, a.length)),
                Arrays.copyOfRange(b, data.consumeInt(0, b.length), b.length));
    }

    /** Random bytes written over the first kilobyte, where the markers, tables and sizes are. */
    private static byte[] headerCorruption(FuzzedDataProvider data) {
        byte[] b = base(data).clone();
        int writes = data.consumeInt(1, 16);
        for (int i = 0; i < writes; i++) {
            b[data.consumeInt(0, 1023)] = data.consumeByte();
        }
        return b;
    }

    /** A real JPEG or PNG whose header declares another size: tiny, mismatched, or a bomb. */
    private static byte[] forgedSize(FuzzedDataProvider data) {
        boolean isJpeg = data.consumeBoolean();
        int w = data.consumeInt(0, 65535);
        int h = data.consumeInt(0, 65535);
        byte[] b = (isJpeg ? jpeg : png).clone();
        if (isJpeg) {
            int at = jpegSof + 5;
            b[at] = (byte) (h >> 8);
            b[at + 1] = (byte) h;
            b[at + 2] = (byte) (w >> 8);
            b[at + 3] = (byte) w;
        } else {
            ByteBuffer.wrap(b, 16, 8).putInt(w).putInt(h);
        }
        return b;
    }

    /**
     * The fuzzer's bytes written over a real image from an offset in its first kilobyte: libFuzzer
     * evolves the markers, segment lengths, chunk lengths and sizes that the header parser and the
     * decoder read, in front of a real body.
     */
    private static byte[] headerOverlay(FuzzedDataProvider data) {
        byte[] b = base(data).clone();
        int at = data.consumeInt(0, 1023);
        byte[] patch = data.consumeRemainingAsBytes();
        System.arraycopy(patch, 0, b, at, Math.min(patch.length, b.length - at));
        return b;
    }

    private static String strategyShares(long[] counts) {
        StringBuilder s = new StringBuilder();
        for (Strategy st : Strategy.values()) {
            s.append(s.isEmpty() ? "" : ", ").append(st.name().toLowerCase()).append(' ').append(counts[st.ordinal()]);
        }
        return s.toString();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
