package io.framewire.watchdog;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.newsclub.net.unix.AFUNIXDatagramChannel;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * sd_notify(3) in Java: one datagram per message to the AF_UNIX socket systemd names in
 * {@code $NOTIFY_SOCKET} (a path, or {@code @name} in the abstract namespace). Without the variable
 * (not run by systemd, or {@code Type=} other than notify) every call does nothing. A send that
 * fails is logged once and otherwise ignored: a missed heartbeat is what systemd acts on anyway.
 */
public final class SdNotify implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SdNotify.class);

    private final SocketAddress target;
    private final AFUNIXDatagramChannel socket;
    private boolean failedOnce;

    private SdNotify(SocketAddress target, AFUNIXDatagramChannel socket) {
        this.target = target;
        this.socket = socket;
    }

    /** From {@code NOTIFY_SOCKET} in {@code env}; a no-op instance when it is unset or empty. */
    public static SdNotify from(Map<String, String> env) {
        String name = env.get("NOTIFY_SOCKET");
        if (name == null || name.isEmpty()) {
            return new SdNotify(null, null);
        }
        try {
            SocketAddress target = name.startsWith("@")
                    ? AFUNIXSocketAddress.inAbstractNamespace(name.substring(1))
                    : AFUNIXSocketAddress.of(Path.of(name));
            return new SdNotify(target, AFUNIXDatagramChannel.open());
        } catch (IOException | RuntimeException e) {
            // systemd then sees no READY=1 and fails the start after TimeoutStartSec: say why
            log.error("NOTIFY_SOCKET={}: cannot open an AF_UNIX datagram socket: {}", name, e.toString());
            return new SdNotify(null, null);
        }
    }

    public boolean enabled() {
        return socket != null;
    }

    /** Sends {@code state} (newline-separated {@code KEY=value} lines, e.g. {@code WATCHDOG=1}). */
    public synchronized void send(String state) {
        if (socket == null) {
            return;
        }
        byte[] bytes = state.getBytes(StandardCharsets.UTF_8);
        try {
            socket.send(ByteBuffer.wrap(bytes), target); // unconnected, as sd_notify: systemd may re-create its socket
        } catch (IOException e) {
            if (!failedOnce) {
                failedOnce = true;
                log.warn("sd_notify to {} failed: {} (further failures not logged)", target, e.toString());
            }
        }
    }

    @Override
    public synchronized void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                log.debug("sd_notify close: {}", e.toString());
            }
        }
    }
}
