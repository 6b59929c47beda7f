package io.framewire.bench.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The shared models and test media ({@code ../../shared} from bench/, or {@code -Dframewire.shared}). */
public final class TestData {

    private TestData() {}

    public static Path shared() {
        Path dir = Path.of(System.getProperty("framewire.shared", "../../shared"));
        if (!Files.isDirectory(dir.resolve("testdata"))) {
            throw new IllegalStateException("test data not found at " + dir.toAbsolutePath()
                    + ": put the shared/ folder beside the project or pass -Dframewire.shared=DIR");
        }
        return dir;
    }

    public static Path model(String name) {
        return shared().resolve("models").resolve(name);
    }

    public static Path media(String name) {
        return shared().resolve("testdata").resolve(name);
    }

    public static Path yunet() {
        return model("yunet_s_640_640.onnx");
    }

    public static byte[] messi() {
        try {
            return Files.readAllBytes(media("messi5.jpg"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
