package io.framewire.bench.loadgen;

import java.nio.ByteBuffer;

/**
 * Decodes the header of the next frame in a receive buffer without consuming it. Mutable and
 * reused per connection, so reading a frame allocates nothing.
 */
final class WsHeader {
    boolean fin;
    int opcode;
    boolean masked;
    int headerLength;   // bytes before the payload, mask key included
    long payloadLength;

    /** Parses the header at {@code b.position()}; false when fewer bytes than the header are there yet. */
    boolean parse(ByteBuffer b) {
        int p = b.position();
        int avail = b.limit() - p;
        if (avail < 2) {
            return false;
        }
        int b0 = b.get(p) & 0xFF;
        int b1 = b.get(p + 1) & 0xFF;
        fin = (b0 & 0x80) != 0;
        opcode = b0 & 0x0F;
        masked = (b1 & 0x80) != 0;
        int len7 = b1 & 0x7F;
        int lenBytes = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
        headerLength = 2 + lenBytes + (masked ? 4 : 0);
        if (avail < headerLength) {
            return false;
        }
        payloadLength = lenBytes == 0 ? len7 : lenBytes == 2 ? b.getShort(p + 2) & 0xFFFF : b.getLong(p + 2);
        return true;
    }

    /** Header plus payload; negative for a 64-bit length with the top bit set (a protocol error). */
    long frameLength() {
        return headerLength + payloadLength;
    }

    boolean isControl() {
        return (opcode & 0x8) != 0;
    }
}
