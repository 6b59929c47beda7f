package io.framewire.inference;

import java.nio.ByteBuffer;

/**
 * Format and size of a JPEG or PNG, read from its header without decoding: lets the worker reject
 * non-images before paying for a decode, and report the frame size when the detector skips decoding.
 *
 * @param format "jpeg" or "png"
 */
public record ImageHeader(String format, int width, int height) {

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    /** The header of {@code bytes}, or null when they do not start like a JPEG or PNG with a positive size. */
    public static ImageHeader read(byte[] bytes) {
        return bytes == null ? null : read(ByteBuffer.wrap(bytes));
    }

    /** As {@link #read(byte[])} for bytes 0 to the limit of {@code b}; absolute reads, so {@code b} is left as it was. */
    public static ImageHeader read(ByteBuffer b) {
        if (b.limit() < 4) {
            return null;
        }
        if ((b.get(0) & 0xff) == 0xff && (b.get(1) & 0xff) == 0xd8) {
            return jpeg(b);
        }
        return png(b);
    }

    public long pixels() {
        return (long) width * height;
    }

    /** Walks the marker segments up to the first SOFn, which holds the frame size. */
    private static ImageHeader jpeg(ByteBuffer b) {
        int i = 2;
        while (i + 1 < b.limit()) {
            if ((b.get(i) & 0xff) != 0xff) {
                return null; // not at a marker: corrupt
            }
            int marker = b.get(i + 1) & 0xff;
            i += 2;
            if (marker == 0xff) {
                i--; // fill byte: the next byte starts the marker again
                continue;
            }
            if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
                continue; // TEM, RSTn, SOI stand alone without a length
            }
            if (marker == 0xd9 || marker == 0xda) {
                return null; // EOI or start of scan before any frame header
            }
            if (i + 2 > b.limit()) {
                return null;
            }
            int length = u16(b, i);
            if (length < 2) {
                return null;
            }
            if (isStartOfFrame(marker)) {
                // length(2) precision(1) height(2) width(2)
                if (i + 7 > b.limit()) {
                    return null;
                }
                return sized("jpeg", u16(b, i + 5), u16(b, i + 3));
            }
            i += length;
        }
        return null;
    }

    /** SOF0..SOF15, less DHT (C4), JPG (C8) and DAC (CC), which share the range. */
    private static boolean isStartOfFrame(int marker) {
        return marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
    }

    /** Signature, then the IHDR chunk (length, "IHDR", width, height), always first. */
    private static ImageHeader png(ByteBuffer b) {
        if (b.limit() < 24) {
            return null;
        }
        for (int i = 0; i < PNG_SIGNATURE.length; i++) {
            if (b.get(i) != PNG_SIGNATURE[i]) {
                return null;
            }
        }
        if (b.get(12) != 'I' || b.get(13) != 'H' || b.get(14) != 'D' || b.get(15) != 'R') {
            return null;
        }
        return sized("png", u32(b, 16), u32(b, 20));
    }

    private static ImageHeader sized(String format, int width, int height) {
        // 0 is a JPEG "height from DNL" (never sent by real encoders); u32 above 2^31 reads negative
        return width > 0 && height > 0 ? new ImageHeader(format, width, height) : null;
    }

    private static int u16(ByteBuffer b, int i) {
        return (b.get(i) & 0xff) << 8 | (b.get(i + 1) & 0xff);
    }

    private static int u32(ByteBuffer b, int i) {
        return (b.get(i) & 0xff) << 24 | (b.get(i + 1) & 0xff) << 16 | (b.get(i + 2) & 0xff) << 8 | (b.get(i + 3) & 0xff);
    }
}
