package io.framewire.bench.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Models and test media for the tests: the repository's copies first, then the shared folder. */
public final class TestData {

    private TestData() {}

    /**
     * The models and media the repository carries ({@code ../src/test/data from bench/}, or {@code -Dframewire.testdata}),
     * then {@code ../shared} ({@code -Dframewire.shared}) for what only a benchmark needs: a clone
     * without {@code ../shared} passes its tests.
     */
    private static Path find(String kind, String name) {
        Path carried = Path.of(System.getProperty("framewire.testdata", "../src/test/data")).resolve(kind).resolve(name);
        if (Files.isRegularFile(carried)) {
            return carried;
        }
        Path shared = Path.of(System.getProperty("framewire.shared", "../../shared")).resolve(kind).resolve(name);
        if (Files.isRegularFile(shared)) {
            return shared;
        }
        throw new IllegalStateException(kind + "/" + name + " not found: neither carried at " + carried.toAbsolutePath()
                + " nor in " + shared.toAbsolutePath() + " (put the shared/ folder beside the project or pass -Dframewire.shared=DIR)");
    }

    public static Path model(String name) {
        return find("models", name);
    }

    public static Path media(String name) {
        return find("testdata", name);
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
