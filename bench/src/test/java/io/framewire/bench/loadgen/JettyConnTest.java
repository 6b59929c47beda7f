package io.framewire.bench.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Frame;
import org.junit.jupiter.api.Test;

class JettyConnTest {

    private final StreamConn.Sinks sinks = StreamConn.Sinks.create();
    private final JettyConn conn = new JettyConn(sinks);

    /** Just enough of a Jetty frame for the reply path. */
    private record TestFrame(Type type, String text, boolean fin) implements Frame {
        @Override public byte[] getMask() { return null; }
        @Override public byte getOpCode() { return type.getOpCode(); }
        @Override public ByteBuffer getPayload() { return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)); }
        @Override public int getPayloadLength() { return text.getBytes(StandardCharsets.UTF_8).length; }
        @Override public Type getType() { return type; }
        @Override public boolean hasPayload() { return !text.isEmpty(); }
        @Override public boolean isFin() { return fin; }
        @Override public boolean isMasked() { return false; }
        @Override public boolean isRsv1() { return false; }
        @Override public boolean isRsv2() { return false; }
        @Override public boolean isRsv3() { return false; }
        @Override public byte getEffectiveOpCode() { return type.getOpCode(); }
    }

    private void deliver(Frame.Type type, String text, boolean fin) {
        AtomicBoolean done = new AtomicBoolean();
        conn.onWebSocketFrame(new TestFrame(type, text, fin), Callback.from(() -> done.set(true), x -> { }));
        assertThat(done).as("frame callback completed").isTrue();
    }

    @Test
    void wholeTextFrameIsOneResultWithLatency() {
        conn.ledger.recordSend(System.nanoTime());
        deliver(Frame.Type.TEXT, "{\"type\":\"result\",\"seq\":0,\"dropped\":0}", true);
        assertThat(conn.ledger.counts().results()).isEqualTo(1);
        assertThat(sinks.latencyMicros().getIntervalHistogram().getTotalCount()).isEqualTo(1);
    }

    @Test
    void fragmentedTextIsReassembled() {
        for (int i = 0; i < 3; i++) {
            conn.ledger.recordSend(System.nanoTime());
        }
        String msg = "{\"type\":\"result\",\"pad\":\"" + "x".repeat(2000) + "\",\"seq\":2,\"dropped\":2}";
        deliver(Frame.Type.TEXT, msg.substring(0, 10), false);
        deliver(Frame.Type.CONTINUATION, msg.substring(10, 1500), false);
        deliver(Frame.Type.CONTINUATION, msg.substring(1500), true);
        assertThat(conn.ledger.counts().results()).isEqualTo(1);
        assertThat(conn.ledger.counts().dropped()).isEqualTo(2);
        assertThat(conn.ledger.accountingGap()).isZero();
    }

    @Test
    void errorsAndOtherMessagesAreCounted() {
        conn.ledger.recordSend(System.nanoTime());
        deliver(Frame.Type.TEXT, "{\"type\":\"error\",\"seq\":0,\"code\":\"bad_image\",\"dropped\":0}", true);
        deliver(Frame.Type.TEXT, "{\"type\":\"hello\"}", true);
        deliver(Frame.Type.BINARY, "??", true);
        assertThat(conn.ledger.counts().errors()).isEqualTo(1);
        assertThat(sinks.errorCodes().snapshot()).containsEntry("bad_image", 1L);
        assertThat(sinks.other().snapshot()).containsEntry("type:hello", 1L).containsEntry("binary", 1L);
    }

    @Test
    void sendsOnlyWhenOpen() {
        conn.trySend(ByteBuffer.allocate(4), System.nanoTime()); // not connected: nothing happens
        assertThat(conn.ledger.counts().sent()).isZero();
        assertThat(conn.ledger.counts().skipped()).isZero();
    }
}
