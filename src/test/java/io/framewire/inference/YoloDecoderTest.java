package io.framewire.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.framewire.inference.YoloDecoder.Layout;
import io.framewire.inference.YoloDecoder.Letterbox;
import io.framewire.protocol.Detection;
import java.nio.FloatBuffer;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/** YOLO post-processing on hand-built output tensors with known boxes. */
class YoloDecoderTest {

    private static final Letterbox SQUARE = Letterbox.of(640, 640, 640); // identity mapping

    /** Boxes per synthetic image: real models output thousands, always more than 4+C; the rest score 0. */
    private static final int BOXES = 200;

    /** An output tensor and its shape. */
    record Tensor(float[] data, int[] shape) {}

    /** One v5 image {@code [1, BOXES, 5+C]}: each row is cx, cy, w, h, objectness, class scores. */
    static Tensor v5(int classes, float[]... rows) {
        float[] t = new float[BOXES * (5 + classes)];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, t, i * (5 + classes), 5 + classes);
        }
        return new Tensor(t, new int[] {1, BOXES, 5 + classes});
    }

    /** One v8 image {@code [1, 4+C, n]}, given box by box (cx, cy, w, h, class scores) and transposed. */
    static Tensor v8(int classes, float[]... boxes) {
        int n = Math.max(BOXES, boxes.length);
        float[] t = new float[(4 + classes) * n];
        for (int i = 0; i < boxes.length; i++) {
            for (int a = 0; a < 4 + classes; a++) {
                t[a * n + i] = boxes[i][a];
            }
        }
        return new Tensor(t, new int[] {1, 4 + classes, n});
    }

    /** A v8 box of class {@code cls} with {@code score}, zeros for the other classes. */
    static float[] box8(int classes, float cx, float cy, float w, float h, int cls, float score) {
        float[] b = new float[4 + classes];
        b[0] = cx;
        b[1] = cy;
        b[2] = w;
        b[3] = h;
        b[4 + cls] = score;
        return b;
    }

    static List<Detection> decode(YoloDecoder decoder, Tensor t, Letterbox box) {
        return decoder.decode(FloatBuffer.wrap(t.data()), t.shape(), 0, box);
    }

    @Test
    void decodesV5WithObjectnessTimesClassScore() {
        Tensor t = v5(3,
                new float[] {100, 200, 40, 60, 0.9f, 0.1f, 0.2f, 0.8f},  // class 2, 0.72
                new float[] {400, 300, 50, 50, 0.9f, 0.3f, 0.2f, 0.1f},  // 0.27: below threshold
                new float[] {500, 500, 50, 50, 0.4f, 1.0f, 0.0f, 0.0f}); // objectness below threshold
        var decoder = new YoloDecoder(null, 0.5f, 0.45f);

        List<Detection> found = decode(decoder, t, SQUARE);

        assertThat(found).hasSize(1);
        Detection d = found.get(0);
        assertThat(d.label()).isEqualTo("class2");
        assertThat(d.score()).isCloseTo(0.72f, within(1e-6f));
        assertThat(d).extracting(Detection::x, Detection::y, Detection::w, Detection::h).containsExactly(80, 170, 40, 60);
    }

    @Test
    void decodesV8TransposedWithCocoNames() {
        Tensor t = v8(80,
                box8(80, 320, 240, 100, 200, 0, 0.91f),  // person
                box8(80, 100, 100, 60, 40, 16, 0.55f),   // dog
                box8(80, 500, 500, 30, 30, 2, 0.2f));    // car, below threshold
        var decoder = new YoloDecoder(null, 0.25f, 0.45f);

        List<Detection> found = decode(decoder, t, SQUARE);

        assertThat(found).containsExactly(
                new Detection("person", 0.91f, 270, 140, 100, 200),
                new Detection("dog", 0.55f, 70, 80, 60, 40));
    }

    @Test
    void detectsTheLayoutFromTheShape() {
        var decoder = new YoloDecoder(null, 0.25f, 0.45f);
        assertThat(decoder.layout(new int[] {1, 84, 8400})).isEqualTo(Layout.V8);
        assertThat(decoder.layout(new int[] {1, 25200, 85})).isEqualTo(Layout.V5);
        assertThat(decoder.layout(new int[] {4, 6, 8400})).isEqualTo(Layout.V8);
        assertThatThrownBy(() -> decoder.layout(new int[] {1, 4, 5})).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> decoder.layout(new int[] {1, 8400})).isInstanceOf(IllegalStateException.class);

        var twoClasses = new YoloDecoder(List.of("cat", "dog"), 0.25f, 0.45f);
        assertThat(twoClasses.layout(new int[] {1, 6, 8400})).isEqualTo(Layout.V8);
        assertThat(twoClasses.layout(new int[] {1, 25200, 7})).isEqualTo(Layout.V5);
        assertThatThrownBy(() -> twoClasses.layout(new int[] {1, 84, 8400}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("does not fit the 2 classes of --labels");
    }

    @Test
    void namesClassesFromTheLabelsFile() {
        Tensor t = v8(2, box8(2, 50, 50, 20, 20, 1, 0.9f), box8(2, 300, 300, 20, 20, 0, 0.8f));
        var decoder = new YoloDecoder(List.of("cat", "dog"), 0.5f, 0.45f);

        assertThat(decode(decoder, t, SQUARE)).extracting(Detection::label).containsExactly("dog", "cat");
    }

    @Test
    void letterboxScalesByTheLongSideAndCentres() {
        Letterbox wide = Letterbox.of(1280, 720, 640);
        assertThat(wide.scale()).isEqualTo(0.5f);
        assertThat(wide).extracting(Letterbox::scaledWidth, Letterbox::scaledHeight, Letterbox::padX, Letterbox::padY)
                .containsExactly(640, 360, 0, 140);

        Letterbox tall = Letterbox.of(240, 320, 640);
        assertThat(tall.scale()).isEqualTo(2f);
        assertThat(tall).extracting(Letterbox::scaledWidth, Letterbox::scaledHeight, Letterbox::padX, Letterbox::padY)
                .containsExactly(480, 640, 80, 0);
    }

    @Test
    void undoesTheLetterboxAndClipsToTheImage() {
        Letterbox wide = Letterbox.of(1280, 720, 640); // scale 0.5, 140 rows of padding above and below
        Tensor t = v8(1,
                new float[] {320, 320, 100, 50, 0.9f},  // centre of the image
                new float[] {20, 150, 60, 40, 0.8f},    // sticks out left and into the top padding
                new float[] {320, 50, 100, 50, 0.7f});  // entirely in the top padding
        var decoder = new YoloDecoder(null, 0.5f, 0.45f);

        List<Detection> found = decode(decoder, t, wide);

        assertThat(found).containsExactly(
                new Detection("class0", 0.9f, 540, 310, 200, 100),
                new Detection("class0", 0.8f, 0, 0, 100, 60)); // x -20..100, y -20..60 in the original
    }

    @Test
    void suppressesOverlapsOfTheSameClass() {
        Tensor t = v8(2,
                box8(2, 100, 100, 100, 100, 0, 0.8f),
                box8(2, 105, 105, 100, 100, 0, 0.9f),  // IoU ~0.82 with the first: keeps only the better
                box8(2, 400, 400, 100, 100, 0, 0.7f),
                box8(2, 440, 400, 100, 100, 0, 0.6f)); // IoU 0.43 with the third: below 0.45, kept
        var decoder = new YoloDecoder(null, 0.5f, 0.45f);

        List<Detection> found = decode(decoder, t, SQUARE);

        assertThat(found).extracting(Detection::score).containsExactly(0.9f, 0.7f, 0.6f);
        assertThat(found.get(0).x()).isEqualTo(55);
    }

    @Test
    void keepsOverlappingBoxesOfDifferentClasses() {
        Tensor t = v5(2,
                new float[] {100, 100, 100, 100, 1f, 0.9f, 0.1f},  // class 0
                new float[] {105, 105, 100, 100, 1f, 0.1f, 0.8f}); // class 1, same place
        var decoder = new YoloDecoder(List.of("person", "bicycle"), 0.5f, 0.45f);

        assertThat(decode(decoder, t, SQUARE))
                .extracting(Detection::label, Detection::score)
                .containsExactly(Tuple.tuple("person", 0.9f),
                        Tuple.tuple("bicycle", 0.8f));
    }

    @Test
    void scoreThresholdIsInclusive() {
        Tensor t = v8(1, new float[] {100, 100, 10, 10, 0.5f}, new float[] {300, 300, 10, 10, 0.49f});

        assertThat(decode(new YoloDecoder(null, 0.5f, 0.45f), t, SQUARE))
                .extracting(Detection::score).containsExactly(0.5f);
        assertThat(decode(new YoloDecoder(null, 0.1f, 0.45f), t, SQUARE)).hasSize(2);
        assertThat(decode(new YoloDecoder(null, 0.9f, 0.45f), t, SQUARE)).isEmpty();
    }

    @Test
    void decodesEachImageOfABatchFromItsOwnSlice() {
        Tensor first = v8(1, new float[] {100, 100, 20, 20, 0.9f});
        Tensor second = v8(1, new float[] {500, 300, 40, 40, 0.8f});
        float[] batch = new float[2 * first.data().length];
        System.arraycopy(first.data(), 0, batch, 0, first.data().length);
        System.arraycopy(second.data(), 0, batch, first.data().length, second.data().length);
        int[] shape = {2, 5, BOXES};
        var decoder = new YoloDecoder(null, 0.5f, 0.45f);

        assertThat(decoder.decode(FloatBuffer.wrap(batch), shape, 0, SQUARE))
                .containsExactly(new Detection("class0", 0.9f, 90, 90, 20, 20));
        assertThat(decoder.decode(FloatBuffer.wrap(batch), shape, 1, SQUARE))
                .containsExactly(new Detection("class0", 0.8f, 480, 280, 40, 40));
    }

    @Test
    void keepsAtMostMaxDetections() {
        float[][] boxes = new float[400][];
        for (int i = 0; i < boxes.length; i++) {
            boxes[i] = new float[] {(i % 20) * 32 + 16, (i / 20) * 32 + 16, 10, 10, 0.5f + i / 1000f};
        }
        var decoder = new YoloDecoder(null, 0.25f, 0.45f);

        List<Detection> found = decode(decoder, v8(1, boxes), SQUARE);

        assertThat(found).hasSize(YoloDecoder.MAX_DETECTIONS);
        assertThat(found.get(0).score()).isEqualTo(0.5f + 399 / 1000f);
    }
}
