package io.framewire.inference;

import io.framewire.protocol.Detection;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * YOLO post-processing in plain Java: output tensor to labelled boxes in original-image pixels.
 * Needs no native model, so it is tested on hand-built tensors.
 */
final class YoloDecoder {

    /** Boxes kept per image after NMS (Ultralytics' max_det). */
    static final int MAX_DETECTIONS = 300;

    /** v5: {@code [N, boxes, 5+C]} rows of cx,cy,w,h,obj,cls...; v8: {@code [N, 4+C, boxes]}, no objectness. */
    enum Layout { V5, V8 }

    /** How an image was scaled (keeping its aspect) and centred into the square network input. */
    record Letterbox(int width, int height, float scale, int padX, int padY, int scaledWidth, int scaledHeight) {

        static Letterbox of(int width, int height, int size) {
            float scale = Math.min((float) size / width, (float) size / height);
            int sw = Math.min(size, Math.round(width * scale));
            int sh = Math.min(size, Math.round(height * scale));
            return new Letterbox(width, height, scale, (size - sw) / 2, (size - sh) / 2, sw, sh);
        }

        float unmapX(float x) {
            return (x - padX) / scale;
        }

        float unmapY(float y) {
            return (y - padY) / scale;
        }
    }

    /** A box of class {@code cls} in original-image pixels, not yet clipped. */
    record Candidate(int cls, float score, float x0, float y0, float x1, float y1) {

        float iou(Candidate o) {
            float w = Math.min(x1, o.x1) - Math.max(x0, o.x0);
            float h = Math.min(y1, o.y1) - Math.max(y0, o.y0);
            if (w <= 0 || h <= 0) {
                return 0;
            }
            float inter = w * h;
            return inter / ((x1 - x0) * (y1 - y0) + (o.x1 - o.x0) * (o.y1 - o.y0) - inter);
        }
    }

    private final List<String> names;
    private final float scoreThreshold;
    private final float nmsThreshold;

    /** {@code names}: class names from {@code --labels}, or null to take the class count from the output. */
    YoloDecoder(List<String> names, float scoreThreshold, float nmsThreshold) {
        this.names = names;
        this.scoreThreshold = scoreThreshold;
        this.nmsThreshold = nmsThreshold;
    }

    /** Detections of image {@code image} of a {@code [N, a, b]} output batch, original pixels, after NMS. */
    List<Detection> decode(FloatBuffer out, int[] shape, int image, Letterbox box) {
        Layout layout = layout(shape);
        int classes = layout == Layout.V8 ? shape[1] - 4 : shape[2] - 5;
        List<Candidate> kept = nms(candidates(out, shape, layout, image, box), nmsThreshold);
        List<Detection> found = new ArrayList<>(kept.size());
        for (Candidate c : kept) {
            Detection d = Boxes.clipped(Labels.name(names, c.cls(), classes), c.score(),
                    c.x0(), c.y0(), c.x1(), c.y1(), box.width(), box.height());
            if (d != null) {
                found.add(d);
            }
        }
        return found;
    }

    /**
     * v8 when the attribute axis (4+C) comes before the longer box axis, v5 when each row is a box of
     * 5+C values. With {@code --labels} the class count must fit one of them exactly.
     */
    Layout layout(int[] shape) {
        if (shape.length != 3 || shape[0] < 1) {
            throw new IllegalStateException("YOLO output " + Arrays.toString(shape) + " is not [batch, a, b]");
        }
        int a = shape[1];
        int b = shape[2];
        if (names != null) {
            int c = names.size();
            boolean v8 = a == 4 + c;
            boolean v5 = b == 5 + c;
            if (v8 && (!v5 || a < b)) {
                return Layout.V8;
            }
            if (v5) {
                return Layout.V5;
            }
            throw new IllegalStateException("YOLO output " + Arrays.toString(shape) + " does not fit the " + c
                    + " classes of --labels: expected [N, " + (4 + c) + ", boxes] (v8) or [N, boxes, " + (5 + c) + "] (v5)");
        }
        if (a > 4 && a < b) {
            return Layout.V8;
        }
        if (b > 5) {
            return Layout.V5;
        }
        throw new IllegalStateException("YOLO output " + Arrays.toString(shape)
                + " is neither v8 [N, 4+C, boxes] nor v5 [N, boxes, 5+C]");
    }

    /** Boxes of image {@code image} scoring at least the threshold, each with its best class. */
    List<Candidate> candidates(FloatBuffer out, int[] shape, Layout layout, int image, Letterbox box) {
        int a = shape[1];
        int b = shape[2];
        int base = image * a * b;
        List<Candidate> found = new ArrayList<>();
        if (layout == Layout.V8) {
            // Class-major pass: reads the tensor sequentially instead of striding across rows per box.
            float[] best = new float[b];
            int[] bestClass = new int[b];
            out.get(base + 4 * b, best);
            for (int c = 1; c < a - 4; c++) {
                int row = base + (4 + c) * b;
                for (int i = 0; i < b; i++) {
                    float s = out.get(row + i);
                    if (s > best[i]) {
                        best[i] = s;
                        bestClass[i] = c;
                    }
                }
            }
            for (int i = 0; i < b; i++) {
                if (best[i] >= scoreThreshold) {
                    found.add(candidate(bestClass[i], best[i], out.get(base + i), out.get(base + b + i),
                            out.get(base + 2 * b + i), out.get(base + 3 * b + i), box));
                }
            }
        } else {
            for (int i = 0; i < a; i++) {
                int row = base + i * b;
                float objectness = out.get(row + 4);
                if (objectness < scoreThreshold) {
                    continue; // score = obj * cls <= obj
                }
                int cls = 0;
                float p = out.get(row + 5);
                for (int c = 1; c < b - 5; c++) {
                    float s = out.get(row + 5 + c);
                    if (s > p) {
                        p = s;
                        cls = c;
                    }
                }
                float score = objectness * p;
                if (score >= scoreThreshold) {
                    found.add(candidate(cls, score, out.get(row), out.get(row + 1), out.get(row + 2), out.get(row + 3), box));
                }
            }
        }
        return found;
    }

    /** Centre-size box in network-input pixels to corners in original pixels (undoes the letterbox). */
    private static Candidate candidate(int cls, float score, float cx, float cy, float w, float h, Letterbox box) {
        return new Candidate(cls, score, box.unmapX(cx - w / 2), box.unmapY(cy - h / 2),
                box.unmapX(cx + w / 2), box.unmapY(cy + h / 2));
    }

    /**
     * Class-aware greedy NMS: best score first, a box is dropped when it overlaps a kept box of the
     * same class by more than {@code iouThreshold}; boxes of different classes never suppress each other.
     */
    static List<Candidate> nms(List<Candidate> candidates, float iouThreshold) {
        List<Candidate> sorted = new ArrayList<>(candidates);
        sorted.sort(Comparator.comparingDouble(Candidate::score).reversed());
        List<Candidate> kept = new ArrayList<>();
        for (Candidate c : sorted) {
            if (kept.size() == MAX_DETECTIONS) {
                break;
            }
            boolean suppressed = false;
            for (Candidate k : kept) {
                if (k.cls() == c.cls() && k.iou(c) > iouThreshold) {
                    suppressed = true;
                    break;
                }
            }
            if (!suppressed) {
                kept.add(c);
            }
        }
        return kept;
    }
}
