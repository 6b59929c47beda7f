package io.framewire.inference;

import io.framewire.protocol.Detection;

/** Float corner boxes to the integer, in-image boxes of a {@link Detection}. */
final class Boxes {

    private Boxes() {}

    /**
     * The box (x0, y0)-(x1, y1) clipped to a {@code width} x {@code height} image and rounded to pixels,
     * or null when nothing of it lies inside the image.
     */
    static Detection clipped(String label, float score, float x0, float y0, float x1, float y1, int width, int height) {
        int left = Math.round(Math.clamp(x0, 0f, width));
        int top = Math.round(Math.clamp(y0, 0f, height));
        int right = Math.round(Math.clamp(x1, 0f, width));
        int bottom = Math.round(Math.clamp(y1, 0f, height));
        if (right <= left || bottom <= top) {
            return null;
        }
        return new Detection(label, score, left, top, right - left, bottom - top);
    }

    /** The {@code n} highest-scoring of {@code found}, best first. */
    static java.util.List<Detection> best(java.util.List<Detection> found, int n) {
        return found.stream().sorted(java.util.Comparator.comparingDouble(Detection::score).reversed()).limit(n).toList();
    }
}
