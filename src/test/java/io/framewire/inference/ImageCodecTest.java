package io.framewire.inference;

import static io.framewire.inference.ImageHeaderTest.encode;
import static io.framewire.inference.Fixtures.MESSI;
import static io.framewire.inference.Fixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import java.util.Arrays;
import java.util.Random;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

class ImageCodecTest {

    @Test
    void decodesAJpegToABgrMatOfItsSize() {
        try (Mat image = ImageCodec.decode(bytes(MESSI))) {
            assertThat(image).isNotNull();
            assertThat(image.cols()).isEqualTo(548);
            assertThat(image.rows()).isEqualTo(342);
            assertThat(image.type()).isEqualTo(CV_8UC3);
        }
    }

    @Test
    void decodesAtABoundedWorkingSizeKeepingTheAspect() {
        java.nio.ByteBuffer jpeg = java.nio.ByteBuffer.wrap(bytes(MESSI));
        ImageHeader header = ImageHeader.read(jpeg);
        assertThat(ImageCodec.reduction(header, 274)).as("548 / 2 >= 274").isEqualTo(2);
        assertThat(ImageCodec.reduction(header, 275)).isEqualTo(1);
        assertThat(ImageCodec.reduction(header, 0)).isEqualTo(1);
        try (Mat small = ImageCodec.decode(jpeg, header, 200);
             Mat same = ImageCodec.decode(jpeg, header, 548);
             Mat reduced = ImageCodec.decode(jpeg, header, 137)) {
            assertThat(small.cols()).isEqualTo(200);
            assertThat(small.rows()).isEqualTo(125); // 342 * 200 / 548
            assertThat(same.cols()).as("not larger than maxSide: untouched").isEqualTo(548);
            assertThat(reduced.cols()).as("decoded at 1/4 exactly").isEqualTo(137);
        }
    }

    @Test
    void decodesADirectBufferInPlaceAndLeavesItUsable() {
        byte[] jpeg = bytes(MESSI);
        // a pooled frame buffer: larger than the frame, limit at its end
        java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(jpeg.length + 4096).put(jpeg).flip();
        try (Mat fromHeap = ImageCodec.decode(jpeg)) {
            for (int i = 0; i < 3; i++) {
                try (Mat fromDirect = ImageCodec.decode(direct)) {
                    assertThat(fromDirect.cols()).isEqualTo(548);
                    assertThat(fromDirect.rows()).isEqualTo(342);
                    assertThat(org.bytedeco.opencv.global.opencv_core.norm(fromDirect, fromHeap,
                            org.bytedeco.opencv.global.opencv_core.NORM_INF, new Mat())).isZero();
                }
                assertThat(direct.position()).isZero();
                assertThat(direct.limit()).isEqualTo(jpeg.length);
            }
        }
        direct.limit(ImageHeaderTest.sofOffset(jpeg));
        assertThat(ImageCodec.decode(direct)).as("read only up to the limit: the header is cut off").isNull();
    }

    @Test
    void decodesAPng() {
        try (Mat image = ImageCodec.decode(encode(".png", 37, 23))) {
            assertThat(image.cols()).isEqualTo(37);
            assertThat(image.rows()).isEqualTo(23);
            assertThat(image.type()).isEqualTo(CV_8UC3);
        }
    }

    @Test
    void returnsNullForGarbage() {
        byte[] random = new byte[10_000];
        new Random(7).nextBytes(random);
        assertThat(ImageCodec.decode(random)).isNull();
        assertThat(ImageCodec.decode(new byte[0])).isNull();

        // a valid JPEG start whose segments are garbage
        random[0] = (byte) 0xff;
        random[1] = (byte) 0xd8;
        assertThat(ImageCodec.decode(random)).isNull();
    }

    @Test
    void returnsNullWhenTheHeaderIsCutOff() {
        byte[] jpeg = bytes(MESSI);
        assertThat(ImageCodec.decode(Arrays.copyOf(jpeg, ImageHeaderTest.sofOffset(jpeg)))).isNull();
    }

    @Test
    void returnsNullWhenTheScanIsMissing() {
        byte[] jpeg = bytes(MESSI);
        // the header is whole but the image data stops before the first scan
        byte[] headerOnly = Arrays.copyOf(jpeg, ImageHeaderTest.sofOffset(jpeg) + 20);
        assertThat(ImageHeader.read(headerOnly)).isNotNull();
        assertThat(ImageCodec.decode(headerOnly)).isNull();
    }

    @Test
    void returnsNullForAJpegCutShortInItsScan() {
        byte[] jpeg = bytes(MESSI);
        // OpenCV 4.13 refuses a truncated scan rather than returning libjpeg's grey-filled rest
        assertThat(ImageCodec.decode(Arrays.copyOf(jpeg, jpeg.length / 2))).isNull();
        assertThat(ImageCodec.decode(Arrays.copyOf(jpeg, jpeg.length - 100))).isNull();
    }

    @Test
    void refusesImagesDeclaringTooManyPixels() {
        byte[] png = encode(".png", 37, 23);
        // declare 10000 x 10000 in the IHDR: over MAX_PIXELS, refused before any decoding
        png[16] = 0;
        png[17] = 0;
        png[18] = 0x27;
        png[19] = 0x10;
        png[20] = 0;
        png[21] = 0;
        png[22] = 0x27;
        png[23] = 0x10;
        assertThat(ImageHeader.read(png).pixels()).isGreaterThan(ImageCodec.MAX_PIXELS);
        assertThat(ImageCodec.decode(png)).isNull();
    }

    @Test
    void releasesNativeMemory() {
        byte[] jpeg = bytes(MESSI);
        for (int i = 0; i < 50; i++) {
            ImageCodec.decode(jpeg).close();
        }
        long before = Pointer.physicalBytes();
        // each leaked frame would hold 548 * 342 * 3 = 562 kB: 1000 of them over half a gigabyte
        for (int i = 0; i < 1000; i++) {
            ImageCodec.decode(jpeg).close();
        }
        assertThat(Pointer.physicalBytes() - before).isLessThan(64L << 20);
    }

    @Test
    void refusesAPngWhoseChunksClaimMoreBytesThanItHasWithoutDecoding() {
        byte[] png = encode(".png", 320, 240);
        assertThat(ImageCodec.pngChunksFit(java.nio.ByteBuffer.wrap(png))).isTrue();
        byte[] forged = png.clone();
        int idat = 8 + 12 + 13; // signature, then IHDR (13 bytes of data); an encoder writes IDAT next or soon after
        while (!(forged[idat + 4] == 'I' && forged[idat + 5] == 'D' && forged[idat + 6] == 'A' && forged[idat + 7] == 'T')) {
            idat += 12 + ((forged[idat] & 0xff) << 24 | (forged[idat + 1] & 0xff) << 16 | (forged[idat + 2] & 0xff) << 8 | (forged[idat + 3] & 0xff));
        }
        forged[idat] = (byte) 0xE9; // IDAT declares ~3.9 GB
        long t0 = System.nanoTime();
        assertThat(ImageCodec.decode(forged)).isNull();
        assertThat(System.nanoTime() - t0).as("refused before OpenCV reads it").isLessThan(1_000_000_000L);
        assertThat(ImageCodec.pngChunksFit(java.nio.ByteBuffer.wrap(java.util.Arrays.copyOf(png, png.length - 12)))).as("no IEND: truncated").isFalse();
    }
}
