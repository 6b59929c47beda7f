package io.framewire.inference;

import static io.framewire.inference.Fixtures.MESSI;
import static io.framewire.inference.Fixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;

class ImageHeaderTest {

    /** {@code image} encoded by OpenCV as {@code ext} (".png", ".jpg"). */
    static byte[] encode(String ext, int width, int height) {
        try (Scalar colour = new Scalar(10, 200, 30, 0);
                Mat image = new Mat(height, width, CV_8UC3, colour);
                BytePointer out = new BytePointer()) {
            assertThat(opencv_imgcodecs.imencode(ext, image, out)).isTrue();
            byte[] bytes = new byte[(int) out.limit()];
            out.get(bytes);
            return bytes;
        }
    }

    @Test
    void readsTheJpegFrameHeader() {
        assertThat(ImageHeader.read(bytes(MESSI))).isEqualTo(new ImageHeader("jpeg", 548, 342));
    }

    @Test
    void readsThePngIhdr() {
        ImageHeader header = ImageHeader.read(encode(".png", 37, 23));

        assertThat(header).isEqualTo(new ImageHeader("png", 37, 23));
        assertThat(header.pixels()).isEqualTo(37 * 23);
    }

    @Test
    void readsAnOpenCvJpeg() {
        assertThat(ImageHeader.read(encode(".jpg", 320, 240))).isEqualTo(new ImageHeader("jpeg", 320, 240));
    }

    @Test
    void needsOnlyTheBytesUpToTheFrameHeader() {
        byte[] jpeg = bytes(MESSI);
        int sof = sofOffset(jpeg);
        // marker(2) length(2) precision(1) height(2) width(2) end the frame header
        assertThat(ImageHeader.read(Arrays.copyOf(jpeg, sof + 9))).isEqualTo(new ImageHeader("jpeg", 548, 342));
        assertThat(ImageHeader.read(Arrays.copyOf(jpeg, sof + 8))).isNull();
        assertThat(ImageHeader.read(Arrays.copyOf(jpeg, sof))).isNull();
        assertThat(ImageHeader.read(Arrays.copyOf(jpeg, 3))).isNull();

        byte[] png = encode(".png", 37, 23);
        assertThat(ImageHeader.read(Arrays.copyOf(png, 24))).isEqualTo(new ImageHeader("png", 37, 23));
        assertThat(ImageHeader.read(Arrays.copyOf(png, 23))).isNull();
    }

    @Test
    void rejectsWhatIsNotAJpegOrPng() {
        byte[] random = new byte[4096];
        new Random(42).nextBytes(random);
        random[0] = 0x12; // not 0xFF 0xD8 by chance

        assertThat(ImageHeader.read(random)).isNull();
        assertThat(ImageHeader.read(new byte[0])).isNull();
        assertThat(ImageHeader.read((byte[]) null)).isNull();
        assertThat(ImageHeader.read("GIF89a\u0001\u0000\u0001\u0000".getBytes(StandardCharsets.ISO_8859_1))).isNull();
        assertThat(ImageHeader.read("{\"type\":\"hello\"}".getBytes(StandardCharsets.UTF_8))).isNull();
        // a JPEG start followed by garbage instead of marker segments
        byte[] fake = random.clone();
        fake[0] = (byte) 0xff;
        fake[1] = (byte) 0xd8;
        fake[2] = 0x00;
        assertThat(ImageHeader.read(fake)).isNull();
    }

    @Test
    void rejectsAZeroSizedPng() {
        byte[] png = encode(".png", 37, 23);
        png[16] = png[17] = png[18] = png[19] = 0; // width 0
        assertThat(ImageHeader.read(png)).isNull();
    }

    /** Offset of the SOF0/SOF2 marker in a JPEG. */
    static int sofOffset(byte[] jpeg) {
        for (int i = 2; i + 1 < jpeg.length; i++) {
            int m = jpeg[i + 1] & 0xff;
            if ((jpeg[i] & 0xff) == 0xff && (m == 0xc0 || m == 0xc2)) {
                return i;
            }
        }
        throw new AssertionError("no SOF marker");
    }
}
