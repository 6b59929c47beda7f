package io.framewire.events;

import java.util.List;
import java.util.Set;

/**
 * One named zone of a stream: a polygon in normalised coordinates (0..1 of the frame's width and
 * height, so it survives a resolution change), the labels it counts (empty: every label) and the
 * lowest score that counts.
 */
public record Zone(String name, double[] xs, double[] ys, Set<String> labels, double minScore) {

    /** Does this zone count {@code label} at {@code score}? */
    boolean counts(String label, float score) {
        return score >= minScore && (labels.isEmpty() || labels.contains(label));
    }

    /** Even-odd ray casting: is the point (normalised) inside the polygon? */
    boolean contains(double x, double y) {
        boolean in = false;
        int n = xs.length;
        for (int i = 0, j = n - 1; i < n; j = i++) {
            if ((ys[i] > y) != (ys[j] > y) && x < (xs[j] - xs[i]) * (y - ys[i]) / (ys[j] - ys[i]) + xs[i]) {
                in = !in;
            }
        }
        return in;
    }

    /** The polygon as the document writes it: [[x, y], ...]. */
    List<double[]> points() {
        List<double[]> out = new java.util.ArrayList<>(xs.length);
        for (int i = 0; i < xs.length; i++) {
            out.add(new double[] {xs[i], ys[i]});
        }
        return out;
    }
}
