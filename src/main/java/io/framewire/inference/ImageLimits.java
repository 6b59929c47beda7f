package io.framewire.inference;

/**
 * Largest frame a worker will decode, checked against the header before decoding: a few kB of
 * JPEG or PNG can declare 65535x65535 and make the decoder allocate gigabytes (a decompression
 * bomb). The detectors run at the frame's own size, so a frame's decode memory and inference time
 * grow with its pixels too.
 */
public record ImageLimits(int maxWidth, int maxHeight, long maxPixels) {

    /** 4096 a side, 2^23 pixels: room for 4K UHD (3840x2160). */
    public static final ImageLimits DEFAULT = new ImageLimits(4096, 4096, 1L << 23);

    /** Why {@code header} is refused, or null when it is within the limits. */
    public String refusal(ImageHeader header) {
        if (header.width() > maxWidth || header.height() > maxHeight || header.pixels() > maxPixels) {
            return "image of " + header.width() + "x" + header.height() + " exceeds the limit of " + maxWidth + "x"
                    + maxHeight + ", " + maxPixels + " pixels";
        }
        return null;
    }
}
