package io.framewire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The packaged server carries the product only: the load generator, the benchmarks and the video
 * libraries they need (JavaCV, FFmpeg) live in bench/'s own build.
 */
class JarContentsIT {

    private static final Path JAR = Path.of(System.getProperty("framewire.jar", "target/framewire.jar"));

    @Test
    void noToolsAndNoVideoLibraries() throws Exception {
        List<String> names;
        try (JarFile jar = new JarFile(JAR.toFile())) {
            names = jar.stream().map(JarEntry::getName).toList();
        }
        assertThat(names).as("the server itself is there").contains("io/framewire/Main.class",
                "io/framewire/server/FramewireServer.class");
        assertThat(names).as("no load generator, no benchmark, no JavaCV/FFmpeg, no HdrHistogram, no WebSocket client")
                .noneMatch(n -> n.startsWith("io/framewire/loadgen/")
                        || n.startsWith("io/framewire/bench/")
                        || n.contains("StandaloneBench")
                        || n.startsWith("org/bytedeco/javacv/")
                        || n.startsWith("org/bytedeco/ffmpeg/")
                        || n.startsWith("org/HdrHistogram/")
                        || n.startsWith("org/eclipse/jetty/websocket/client/")
                        || n.startsWith("org/eclipse/jetty/client/"));
    }
}
