package io.framewire.bench.testing;

import io.framewire.config.Settings;
import io.framewire.server.FramewireServer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * In-process framewire servers for the tools' tests (the server jar is on the test class path),
 * each closed after the test: {@code servers.start("detector", "none")}. Settings are flag names
 * without dashes; the server binds a free loopback port unless a "port" is given.
 */
public final class ServerExtension implements AfterEachCallback {

    private final List<FramewireServer> started = new ArrayList<>();

    public FramewireServer start(String... keyValues) throws Exception {
        Map<String, String> raw = new HashMap<>();
        raw.put("host", "127.0.0.1");
        raw.put("port", "0");
        for (int i = 0; i < keyValues.length; i += 2) {
            raw.put(keyValues[i], keyValues[i + 1]);
        }
        FramewireServer server = FramewireServer.start(Settings.from(raw));
        started.add(server);
        return server;
    }

    /** Closes {@code server} now, for a test of what closing does; it is not closed again after the test. */
    public void close(FramewireServer server) throws Exception {
        started.remove(server);
        server.close();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Exception failed = null;
        for (FramewireServer server : started) {
            try {
                server.close();
            } catch (Exception e) {
                if (failed == null) {
                    failed = e;
                } else {
                    failed.addSuppressed(e);
                }
            }
        }
        started.clear();
        if (failed != null) {
            throw failed;
        }
    }
}
