package io.framewire.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.framewire.server.FramewireServer;
import java.io.IOException;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/** The extension itself, driven by hand: every server a test started is gone after it. */
class ServerExtensionTest {

    @Test
    void closesEveryServerTheTestStartedAndLeftOpen() throws Exception {
        ServerExtension servers = new ServerExtension();
        try {
            int a = servers.start("detector", "none").port();
            FramewireServer b = servers.start("detector", "none");
            int bPort = b.port();
            int c = servers.start("detector", "none").port();
            servers.close(b);
            assertThat(listening(bPort)).as("closed by the test").isFalse();
            assertThat(listening(a)).isTrue();
            assertThat(listening(c)).isTrue();

            servers.afterEach(null);
            assertThat(listening(a)).isFalse();
            assertThat(listening(c)).isFalse();
        } finally {
            servers.afterEach(null);
        }
    }

    private static boolean listening(int port) {
        try {
            new Socket("127.0.0.1", port).close();
            return true;
        } catch (IOException refused) {
            return false;
        }
    }
}
