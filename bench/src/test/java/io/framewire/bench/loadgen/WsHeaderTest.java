package io.framewire.bench.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class WsHeaderTest {

    /** An unmasked server frame, as the server sends it. */
    static byte[] serverFrame(int opcode, boolean fin, byte[] payload) {
        int n = payload.length;
        ByteBuffer b = ByteBuffer.allocate(n + 10);
        b.put((byte) ((fin ? 0x80 : 0) | opcode));
        if (n <= 125) {
            b.put((byte) n);
        } else if (n <= 0xFFFF) {
            b.put((byte) 126).putShort((short) n);
        } else {
            b.put((byte) 127).putLong(n);
        }
        b.put(payload).flip();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private final WsHeader h = new WsHeader();

    @Test
    void parsesTheThreeLengthForms() {
        for (int n : new int[] {0, 5, 125, 126, 200, 65535, 65536, 70000}) {
            ByteBuffer b = ByteBuffer.wrap(serverFrame(WsFrames.TEXT, true, new byte[n]));
            assertThat(h.parse(b)).as("n=%d", n).isTrue();
            assertThat(h.payloadLength).isEqualTo(n);
            assertThat(h.frameLength()).isEqualTo(b.remaining());
            assertThat(h.fin).isTrue();
            assertThat(h.opcode).isEqualTo(WsFrames.TEXT);
            assertThat(h.masked).isFalse();
            assertThat(b.position()).as("does not consume").isZero();
        }
    }

    @Test
    void needsTheWholeHeader() {
        byte[] f = serverFrame(WsFrames.BINARY, false, new byte[70000]);
        for (int have = 0; have < 10; have++) {
            assertThat(h.parse(ByteBuffer.wrap(f, 0, have))).as("%d bytes", have).isFalse();
        }
        assertThat(h.parse(ByteBuffer.wrap(f, 0, 10))).isTrue();
        assertThat(h.fin).isFalse();
        assertThat(h.headerLength).isEqualTo(10);
    }

    @Test
    void readsAtThePosition() {
        byte[] a = serverFrame(WsFrames.PING, true, new byte[3]);
        byte[] b = serverFrame(WsFrames.CLOSE, true, new byte[] {3, (byte) 0xE8});
        ByteBuffer buf = ByteBuffer.allocate(a.length + b.length).put(a).put(b).flip();
        buf.position(a.length);
        assertThat(h.parse(buf)).isTrue();
        assertThat(h.opcode).isEqualTo(WsFrames.CLOSE);
        assertThat(h.isControl()).isTrue();
        assertThat(h.payloadLength).isEqualTo(2);
    }

    @Test
    void seesTheMaskBitOfAClientFrame() {
        ByteBuffer f = WsFrames.clientFrame(WsFrames.BINARY, ByteBuffer.allocate(300), 1);
        assertThat(h.parse(f)).isTrue();
        assertThat(h.masked).isTrue();
        assertThat(h.headerLength).isEqualTo(2 + 2 + 4);
        assertThat(h.frameLength()).isEqualTo(f.remaining());
    }
}
