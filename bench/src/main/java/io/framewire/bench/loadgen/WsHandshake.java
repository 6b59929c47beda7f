package io.framewire.bench.loadgen;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/** The client side of the HTTP/1.1 upgrade: the request, and the check of the server's answer. */
final class WsHandshake {
    /** A response head longer than this is not a WebSocket server talking. */
    static final int MAX_RESPONSE = 8192;

    /** The server answered, but not with a valid 101; the message is the status line (or what is wrong). */
    static final class Rejected extends IOException {
        final int status;       // the HTTP status of a refused upgrade; 0 for a malformed 101
        final int retryAfterS;  // its Retry-After in seconds, or -1

        Rejected(String reason) {
            this(reason, 0, -1);
        }

        Rejected(String reason, int status, int retryAfterS) {
            super(reason);
            this.status = status;
            this.retryAfterS = retryAfterS;
        }
    }

    final String key;
    private final String expectedAccept;

    WsHandshake() {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        this.key = Base64.getEncoder().encodeToString(nonce);
        this.expectedAccept = WsFrames.acceptKey(key);
    }

    ByteBuffer request(URI uri) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        String host = uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "");
        String req = "GET " + path + " HTTP/1.1\r\n"
                + "Host: " + host + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n";
        return ByteBuffer.wrap(req.getBytes(StandardCharsets.US_ASCII));
    }

    /** Index just past the blank line ending the response head in {@code b} (read mode), or -1. */
    static int headEnd(ByteBuffer b) {
        for (int i = b.position() + 3; i < b.limit(); i++) {
            if (b.get(i) == '\n' && b.get(i - 1) == '\r' && b.get(i - 2) == '\n' && b.get(i - 3) == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    /** Throws {@link Rejected} unless {@code head} is a 101 with the right Sec-WebSocket-Accept. */
    void verify(String head) throws Rejected {
        String[] lines = head.split("\r\n");
        String status = lines[0].trim();
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].equals("101")) {
            int code = parts.length >= 2 && parts[1].matches("\\d{3}") ? Integer.parseInt(parts[1]) : 0;
            int retryAfter = -1;
            for (int i = 1; i < lines.length; i++) {
                if (lines[i].regionMatches(true, 0, "Retry-After:", 0, 12) && lines[i].substring(12).trim().matches("\\d{1,6}")) {
                    retryAfter = Integer.parseInt(lines[i].substring(12).trim());
                }
            }
            throw new Rejected(status.length() > 100 ? status.substring(0, 100) : status, code, retryAfter);
        }
        String accept = null;
        boolean upgrade = false;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim();
            if (name.equals("sec-websocket-accept")) {
                accept = value;
            } else if (name.equals("upgrade")) {
                upgrade = value.equalsIgnoreCase("websocket");
            }
        }
        if (!upgrade) {
            throw new Rejected("101 without Upgrade: websocket");
        }
        if (!expectedAccept.equals(accept)) {
            throw new Rejected("bad Sec-WebSocket-Accept");
        }
    }
}
