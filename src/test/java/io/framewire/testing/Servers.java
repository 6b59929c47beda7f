package io.framewire.testing;

import io.framewire.config.Settings;
import io.framewire.server.FramewireServer;
import java.util.HashMap;
import java.util.Map;

/** Starts an in-process server on a free loopback port. */
public final class Servers {

    private Servers() {}

    /** Settings as flag names without dashes, e.g. {@code "detector", "none"}. */
    public static FramewireServer start(String... keyValues) throws Exception {
        Map<String, String> raw = new HashMap<>();
        raw.put("host", "127.0.0.1");
        raw.put("port", "0");
        for (int i = 0; i < keyValues.length; i += 2) {
            raw.put(keyValues[i], keyValues[i + 1]);
        }
        return FramewireServer.start(Settings.from(raw));
    }
}
