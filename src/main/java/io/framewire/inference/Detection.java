package io.framewire.inference;

/** One detected object, box in pixels of the original frame as {@code x, y, w, h}. */
public record Detection(String label, float score, int x, int y, int w, int h) {}
