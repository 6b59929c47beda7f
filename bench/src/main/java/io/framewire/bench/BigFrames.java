package io.framewire.bench;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.Callable;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.FileImageOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Frames at the edge of the default limits (4096 x 2048 = limits.maxImagePixels) for issue 12's M2:
 * noise (the worst case for a detector: no early rejections, no compression) and a real photo
 * scaled up. {@code java -jar bench/target/framewire-bench.jar bigframes OUT_DIR PHOTO.jpg}
 */
@Command(name = "bigframes", usageHelpAutoWidth = true,
        description = "Writes 4096x2048 JPEGs (limits.maxImagePixels): OUT_DIR/noise/noise-{0,1}.jpg (random pixels, " +
            "the worst case for a detector) and OUT_DIR/photo/photo.jpg (PHOTO scaled up), for bench/maxside.sh.")
public class BigFrames implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;
    @Parameters(index = "0", paramLabel = "OUT_DIR", description = "where to write noise/ and photo/")
    Path out;
    @Parameters(index = "1", paramLabel = "PHOTO", description = "a photo to scale up (e.g. messi5.jpg)")
    File photoFile;

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(out.resolve("noise"));
        Files.createDirectories(out.resolve("photo"));
        Random random = new Random(12);
        for (int i = 0; i < 2; i++) {
            BufferedImage noise = new BufferedImage(4096, 2048, BufferedImage.TYPE_3BYTE_BGR);
            byte[] px = ((java.awt.image.DataBufferByte) noise.getRaster().getDataBuffer()).getData();
            random.nextBytes(px);
            write(noise, out.resolve("noise/noise-" + i + ".jpg").toFile(), 0.5f);
        }
        BufferedImage photo = ImageIO.read(photoFile);
        BufferedImage big = new BufferedImage(4096, 2048, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = big.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(photo, 0, 0, 4096, 2048, null);
        g.dispose();
        write(big, out.resolve("photo/photo.jpg").toFile(), 0.9f);
        return 0;
    }

    private static void write(BufferedImage image, File file, float quality) throws Exception {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(quality);
        try (FileImageOutputStream stream = new FileImageOutputStream(file)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(image, null, null), param);
        }
        writer.dispose();
        System.err.printf("%s: %d bytes%n", file, file.length());
    }
}
