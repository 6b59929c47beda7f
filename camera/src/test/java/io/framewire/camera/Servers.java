package io.framewire.camera;

import io.framewire.config.Settings;
import io.framewire.server.FramewireServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Real framewire servers in this JVM (the server jar is on the test class path only), and what the bridge runs. */
final class Servers implements AfterEachCallback {

    private final List<AutoCloseable> started = new java.util.concurrent.CopyOnWriteArrayList<>();

    FramewireServer start(String... keyValues) throws Exception {
        Map<String, String> raw = new HashMap<>();
        raw.put("host", "127.0.0.1");
        raw.put("port", "0");
        raw.put("detector", "none");
        raw.put("shutdown.graceMs", "1000");
        for (int i = 0; i < keyValues.length; i += 2) {
            raw.put(keyValues[i], keyValues[i + 1]);
        }
        FramewireServer server = FramewireServer.start(Settings.from(raw));
        started.add(server);
        return server;
    }

    /** A bridge for {@code toml} (its "server" filled in), with its endpoints on a free port; stopped after the test. */
    Running bridge(FramewireServer server, String cameras) throws Exception {
        Config config = Config.parse("server = \"ws://127.0.0.1:" + server.port() + "\"\nlisten = \"127.0.0.1:0\"\n"
                + cameras, "test.toml");
        Bridge bridge = new Bridge(config, System::nanoTime);
        Endpoints endpoints = new Endpoints(bridge, config.listen(), System::nanoTime);
        started.add(endpoints);
        started.add(bridge);
        bridge.start();
        return new Running(bridge, endpoints);
    }

    /** Closed after the test, before the servers. */
    <T extends AutoCloseable> T track(T closeable) {
        started.add(closeable);
        return closeable;
    }

    record Running(Bridge bridge, Endpoints endpoints) {
        CameraLoop camera(String id) {
            return bridge.cameras().stream().filter(c -> c.cam.id().equals(id)).findFirst().orElseThrow();
        }

        URI http(String path) {
            return URI.create("http://127.0.0.1:" + endpoints.port() + path);
        }
    }

    static URI uri(FramewireServer server) {
        return URI.create("ws://127.0.0.1:" + server.port());
    }

    /** The media and models the repository carries (the root's src/test/data), so a clone without ../shared passes. */
    static Path testdata() {
        return Path.of(System.getProperty("framewire.testdata", "../src/test/data"));
    }

    static Path megamind() {
        return testdata().resolve("testdata/Megamind.avi");
    }

    static Path yunet() {
        return testdata().resolve("models/yunet_s_640_640.onnx");
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        List<AutoCloseable> all = new ArrayList<>(started);
        started.clear();
        for (AutoCloseable c : all.reversed()) {
            c.close();
        }
    }
}
