package io.framewire.inference;

/**
 * Largest frame a worker will decode, checked against the header before decoding: a few kB of
 * JPEG or PNG can declare 65535x65535 and make the decoder allocate gigabytes (a decompression bomb).
 */
public record ImageLimits(int maxWidth, int maxHeight, long maxPixels) {

    public static final ImageLimits DEFAULT = new ImageLimits(8192, 8192, 1L << 25);

    /** Why {@code header} is refused, or null when it is within the limits. */
    public String refusal(ImageHeader header) {
        if (header.width() > maxWidth || header.height() > maxHeight || header.pixels() > maxPixels) {
            return "image of " + header.width() + "x" + header.height() + " exceeds the limit of " + maxWidth + "x"
                    + maxHeight + ", " + maxPixels + " pixels";
        }
        return null;
    }
}
