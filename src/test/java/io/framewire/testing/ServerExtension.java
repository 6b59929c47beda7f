package io.framewire.testing;

import io.framewire.server.FramewireServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The servers a test starts, each closed after the test, whether it passed or not:
 * <pre>
 * &#64;RegisterExtension
 * final ServerExtension servers = new ServerExtension();
 * ...
 * FramewireServer server = servers.start("detector", "none");
 * </pre>
 */
public final class ServerExtension implements AfterEachCallback {

    private final List<FramewireServer> started = new ArrayList<>();

    /** A server on a free loopback port, as {@link Servers#start}; closed after the test. */
    public FramewireServer start(String... keyValues) throws Exception {
        FramewireServer server = Servers.start(keyValues);
        started.add(server);
        return server;
    }

    /** Closes {@code server} now, for a test of what closing does; it is not closed again after the test. */
    public void close(FramewireServer server) throws Exception {
        started.remove(server);
        server.close();
    }

    /** Closes every server the test started and did not close itself, in the order they started. */
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
