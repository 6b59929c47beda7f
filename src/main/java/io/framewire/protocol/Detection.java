package io.framewire.protocol;

/**
 * One detected object, box in pixels of the original frame as {@code x, y, w, h}: what detectors
 * return and what a result message carries ({@link Messages#result}).
 */
public record Detection(String label, float score, int x, int y, int w, int h) {}
