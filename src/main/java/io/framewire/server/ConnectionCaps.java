package io.framewire.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.server.Request;

/**
 * Connections per client address and per token ({@code limits.maxConnectionsPerIp},
 * {@code limits.maxConnectionsPerToken}): one client cannot hold every slot of a host, so the
 * host stays ready for everyone else's cameras. The address is the socket's peer, or the
 * {@code X-Real-IP} a trusted proxy (NGINX) sets ({@code limits.trustedProxies}).
 */
final class ConnectionCaps {

    /** A connection's place in the counts; {@link #release} it once, when the connection ends. */
    record Held(String ip, String token) {}

    private final int perIp;
    private final int perToken;
    private final boolean trustPrivate;
    private final Set<String> trusted = new HashSet<>();
    private final ConcurrentHashMap<String, Integer> counts = new ConcurrentHashMap<>();

    ConnectionCaps(int perIp, int perToken, String trustedProxies) {
        this.perIp = perIp;
        this.perToken = perToken;
        boolean priv = false;
        for (String p : trustedProxies.split(",")) {
            String t = p.trim();
            if (t.equals("private")) {
                priv = true;
            } else if (!t.isEmpty() && !t.equals("none")) {
                trusted.add(t);
            }
        }
        this.trustPrivate = priv;
    }

    /** The client's address: the peer's, or the X-Real-IP of a trusted proxy. */
    String clientAddress(Request request) {
        String peer = Request.getRemoteAddr(request);
        String real = request.getHeaders().get("X-Real-IP");
        if (real == null || real.isBlank() || !trustedProxy(peer)) {
            return peer;
        }
        return real.trim();
    }

    private boolean trustedProxy(String peer) {
        if (trusted.contains(peer)) {
            return true;
        }
        if (!trustPrivate) {
            return false;
        }
        if (peer == null || !peer.matches("[0-9a-fA-F.:]+")) {
            return false; // a literal only: never a name lookup
        }
        try {
            InetAddress a = InetAddress.getByName(peer);
            byte[] b = a.getAddress();
            return a.isLoopbackAddress() || a.isSiteLocalAddress() || (b.length == 16 && (b[0] & 0xfe) == 0xfc);
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The refusal for a new connection of this client, or null when it may connect. */
    String refusal(String ip, String token) {
        if (counts.getOrDefault("ip:" + ip, 0) >= perIp) {
            return "too many connections from " + ip + " (limits.maxConnectionsPerIp " + perIp + ")";
        }
        if (token != null && counts.getOrDefault(token, 0) >= perToken) {
            return "too many connections with this token (limits.maxConnectionsPerToken " + perToken + ")";
        }
        return null;
    }

    /** Counts a connection that opened; null (nothing counted) when a race took the client's last slot. */
    Held acquire(String ip, String token) {
        if (!take("ip:" + ip, perIp)) {
            return null;
        }
        if (token != null && !take(token, perToken)) {
            give("ip:" + ip);
            return null;
        }
        return new Held(ip, token);
    }

    void release(Held held) {
        give("ip:" + held.ip());
        if (held.token() != null) {
            give(held.token());
        }
    }

    private boolean take(String key, int max) {
        boolean[] ok = {false};
        counts.compute(key, (k, n) -> {
            int now = n == null ? 0 : n;
            ok[0] = now < max;
            return ok[0] ? now + 1 : (n == null ? null : n);
        });
        return ok[0];
    }

    private void give(String key) {
        counts.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
    }
}
