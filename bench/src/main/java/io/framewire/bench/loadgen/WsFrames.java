package io.framewire.bench.loadgen;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/** RFC 6455 pieces the NIO client needs on the sending side: masked client frames and the accept key. */
final class WsFrames {
    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private WsFrames() {
    }

    /**
     * One final client frame: header (7-, 16- or 64-bit length form, MASK bit), the 4-byte mask key
     * and the masked payload, in a read-only direct buffer ready for {@code channel.write(dup)}.
     */
    static ByteBuffer clientFrame(int opcode, ByteBuffer payload, int maskKey) {
        ByteBuffer p = payload.duplicate();
        int len = p.remaining();
        int lenBytes = len <= 125 ? 0 : len <= 0xFFFF ? 2 : 8;
        ByteBuffer f = ByteBuffer.allocateDirect(2 + lenBytes + 4 + len);
        f.put((byte) (0x80 | opcode)); // FIN, no RSV bits
        if (lenBytes == 0) {
            f.put((byte) (0x80 | len));
        } else if (lenBytes == 2) {
            f.put((byte) (0x80 | 126)).putShort((short) len);
        } else {
            f.put((byte) (0x80 | 127)).putLong(len);
        }
        f.putInt(maskKey);
        for (int i = 0; i < len; i++) {
            f.put((byte) (p.get() ^ (maskKey >>> (8 * (3 - (i & 3))))));
        }
        return f.flip().asReadOnlyBuffer();
    }

    /** Close frame payload: 2-byte status code and a UTF-8 reason. */
    static ByteBuffer closePayload(int code, String reason) {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(2 + r.length).putShort((short) code).put(r).flip();
    }

    /** Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + GUID)). */
    static String acceptKey(String key) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            return Base64.getEncoder().encodeToString(sha1.digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is a required JDK algorithm", e);
        }
    }
}
