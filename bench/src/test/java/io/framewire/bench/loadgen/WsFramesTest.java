package io.framewire.bench.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WsFramesTest {

    private static ByteBuffer payload(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return ByteBuffer.wrap(b);
    }

    /** Undoes the client masking, as a server would: returns the payload. */
    static byte[] unmask(ByteBuffer frame, int headerLength) {
        ByteBuffer f = frame.duplicate();
        byte[] key = new byte[4];
        f.get(headerLength - 4, key);
        byte[] out = new byte[f.limit() - headerLength];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (f.get(headerLength + i) ^ key[i & 3]);
        }
        return out;
    }

    @Test
    void sevenBitLengthUpTo125() {
        ByteBuffer f = WsFrames.clientFrame(WsFrames.BINARY, payload(125), 0x11223344);
        assertThat(f.get(0) & 0xFF).isEqualTo(0x82); // FIN | binary
        assertThat(f.get(1) & 0xFF).isEqualTo(0x80 | 125); // MASK | length
        assertThat(f.getInt(2)).isEqualTo(0x11223344);
        assertThat(f.remaining()).isEqualTo(2 + 4 + 125);
        assertThat(unmask(f, 6)).isEqualTo(payload(125).array());
    }

    @Test
    void sixteenBitLengthFrom126() {
        ByteBuffer f = WsFrames.clientFrame(WsFrames.BINARY, payload(126), 7);
        assertThat(f.get(1) & 0xFF).isEqualTo(0x80 | 126);
        assertThat(f.getShort(2) & 0xFFFF).isEqualTo(126);
        assertThat(f.remaining()).isEqualTo(2 + 2 + 4 + 126);
        assertThat(unmask(f, 8)).isEqualTo(payload(126).array());
    }

    @Test
    void sixtyFourBitLengthFrom65536() {
        ByteBuffer f = WsFrames.clientFrame(WsFrames.BINARY, payload(65536), -1);
        assertThat(f.get(1) & 0xFF).isEqualTo(0x80 | 127);
        assertThat(f.getLong(2)).isEqualTo(65536);
        assertThat(f.remaining()).isEqualTo(2 + 8 + 4 + 65536);
        assertThat(unmask(f, 14)).isEqualTo(payload(65536).array());
        ByteBuffer under = WsFrames.clientFrame(WsFrames.BINARY, payload(65535), -1);
        assertThat(under.get(1) & 0xFF).as("65535 still fits 16 bits").isEqualTo(0x80 | 126);
    }

    @Test
    void maskingChangesThePayloadAndLeavesTheSourceAlone() {
        ByteBuffer src = payload(1000);
        ByteBuffer f = WsFrames.clientFrame(WsFrames.BINARY, src, 0x5A5A5A5A);
        assertThat(src.position()).isZero();
        byte[] onWire = new byte[1000];
        f.get(8, onWire);
        assertThat(onWire).isNotEqualTo(src.array());
        assertThat(f.isReadOnly()).isTrue();
    }

    @Test
    void acceptKeyMatchesTheRfcExample() {
        // RFC 6455, section 1.3
        assertThat(WsFrames.acceptKey("dGhlIHNhbXBsZSBub25jZQ==")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    }

    @Test
    void closeFrameCarriesCodeAndReason() {
        ByteBuffer f = WsFrames.clientFrame(WsFrames.CLOSE, WsFrames.closePayload(1000, "bye"), 42);
        assertThat(f.get(0) & 0xFF).isEqualTo(0x88);
        byte[] p = unmask(f, 6);
        assertThat(((p[0] & 0xFF) << 8) | (p[1] & 0xFF)).isEqualTo(1000);
        assertThat(new String(p, 2, p.length - 2)).isEqualTo("bye");
    }
}
