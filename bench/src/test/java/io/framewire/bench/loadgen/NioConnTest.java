package io.framewire.bench.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The NIO client against a scripted server on a plain socket, frame by frame. */
class NioConnTest {

    private final StreamConn.Sinks sinks = StreamConn.Sinks.create();
    private final NioTransport transport;
    private final FakeServer server = new FakeServer();

    NioConnTest() throws IOException {
        transport = new NioTransport(1, sinks);
    }

    @AfterEach
    void stop() throws IOException {
        transport.close();
        server.close();
    }

    private NioConn open() throws Exception {
        NioConn c = (NioConn) transport.newConn();
        c.connecting();
        CompletableFuture<?> f = transport.connect(c, server.uri());
        String key = server.acceptUpgrade();
        server.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + WsFrames.acceptKey(key) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        f.get(5, TimeUnit.SECONDS);
        assertThat(c.state()).isEqualTo(StreamConn.State.OPEN);
        return c;
    }

    private static String result(long seq, int pad) {
        return "{\"type\":\"result\",\"seq\":" + seq + ",\"pad\":\"" + "x".repeat(pad) + "\",\"dropped\":0}";
    }

    @Test
    void sendsMaskedFramesAndReassemblesFragmentedReplies() throws Exception {
        NioConn c = open();
        byte[] image = new byte[20_000];
        new Random(1).nextBytes(image);
        ByteBuffer wire = transport.prepare(ByteBuffer.wrap(image));

        c.trySend(wire, System.nanoTime());
        FakeServer.Frame f = server.readFrame();
        assertThat(f.opcode()).isEqualTo(WsFrames.BINARY);
        assertThat(f.payload()).isEqualTo(image);

        // a 3,000-byte reply (more than the initial read buffer) in three fragments, a ping in between
        byte[] r0 = result(0, 3000).getBytes(StandardCharsets.UTF_8);
        server.frame(WsFrames.TEXT, false, slice(r0, 0, 10));
        server.frame(WsFrames.PING, true, "hi".getBytes(StandardCharsets.US_ASCII));
        server.frame(WsFrames.CONTINUATION, false, slice(r0, 10, 2000));
        server.frame(WsFrames.CONTINUATION, true, slice(r0, 2000, r0.length));
        FakeServer.Frame pong = server.readFrame();
        assertThat(pong.opcode()).isEqualTo(WsFrames.PONG);
        assertThat(new String(pong.payload(), StandardCharsets.US_ASCII)).isEqualTo("hi");
        await(() -> c.ledger.counts().results() == 1);

        c.trySend(wire, System.nanoTime());
        assertThat(server.readFrame().payload()).isEqualTo(image);
        server.frame(WsFrames.TEXT, true, result(1, 0).getBytes(StandardCharsets.UTF_8));
        server.frame(WsFrames.BINARY, true, new byte[3]);
        await(() -> c.ledger.counts().results() == 2);
        assertThat(c.ledger.accountingGap()).isZero();
        assertThat(c.ledger.unanswered()).isZero();
        assertThat(sinks.latencyMicros().getIntervalHistogram().getTotalCount()).isEqualTo(2);
        await(() -> sinks.other().snapshot().containsKey("binary"));
    }

    @Test
    void serverCloseIsCountedAndEchoed() throws Exception {
        NioConn c = open();
        server.frame(WsFrames.CLOSE, true, WsFrames.closePayload(1013, "overloaded").array());
        FakeServer.Frame echo = server.readFrame();
        assertThat(echo.opcode()).isEqualTo(WsFrames.CLOSE);
        assertThat(((echo.payload()[0] & 0xFF) << 8) | (echo.payload()[1] & 0xFF)).isEqualTo(1013);
        assertThat(c.state()).isEqualTo(StreamConn.State.CLOSED);
        assertThat(sinks.closes().snapshot()).containsEntry("1013 overloaded", 1L);
        server.socket.close();
        c.trySend(transport.prepare(ByteBuffer.allocate(10)), System.nanoTime()); // closed: nothing happens
        assertThat(c.ledger.counts().sent()).isZero();
    }

    @Test
    void lostConnectionIsAnAbnormalClose() throws Exception {
        NioConn c = open();
        server.socket.close();
        await(() -> sinks.closes().total() == 1);
        assertThat(sinks.closes().snapshot()).containsEntry("1006 disconnected", 1L);
        assertThat(c.state()).isEqualTo(StreamConn.State.CLOSED);
    }

    @Test
    void closeAtTheEndSendsNormalClosure() throws Exception {
        NioConn c = open();
        sinks.closing().set(true);
        c.close();
        FakeServer.Frame close = server.readFrame();
        assertThat(close.opcode()).isEqualTo(WsFrames.CLOSE);
        assertThat(((close.payload()[0] & 0xFF) << 8) | (close.payload()[1] & 0xFF)).isEqualTo(1000);
        server.frame(WsFrames.CLOSE, true, WsFrames.closePayload(1000, "").array());
        await(() -> c.state() == StreamConn.State.CLOSED);
        assertThat(sinks.closes().total()).as("closes during shutdown are expected").isZero();
    }

    @Test
    void nonUpgradeAnswerFailsTheConnectWithTheStatusLine() throws Exception {
        NioConn c = (NioConn) transport.newConn();
        CompletableFuture<?> f = transport.connect(c, server.uri());
        server.acceptUpgrade();
        server.write("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> f.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(WsHandshake.Rejected.class).hasMessage("HTTP/1.1 503 Service Unavailable");
        assertThat(c.everOpened()).isFalse();
    }

    @Test
    void givingUpOnAConnectDropsIt() throws Exception {
        NioConn c = (NioConn) transport.newConn();
        c.connecting();
        transport.connect(c, server.uri());
        server.acceptUpgrade(); // and never answer, as a stuck server would
        c.connectFailed();      // what LoadRun does on --connect-timeout
        assertThat(server.socket.getInputStream().read()).as("client closed the socket").isEqualTo(-1);
        assertThat(c.state()).isEqualTo(StreamConn.State.FAILED);
        assertThat(c.everOpened()).isFalse();
    }

    @Test
    void skipsWhileAFrameIsHalfWrittenAndFinishesItLater() throws Exception {
        NioConn c = open();
        byte[] image = new byte[1 << 20];
        new Random(2).nextBytes(image);
        ByteBuffer wire = transport.prepare(ByteBuffer.wrap(image));
        // the server does not read: sooner or later the socket buffers fill up
        for (int i = 0; i < 200 && c.ledger.counts().skipped() == 0; i++) {
            c.trySend(wire, System.nanoTime());
        }
        StreamLedger.Counts k = c.ledger.counts();
        assertThat(k.skipped()).isPositive();
        for (long i = 0; i < k.sent(); i++) { // the I/O thread completes the half-written frame
            assertThat(server.readFrame().payload()).isEqualTo(image);
        }
        await(() -> {
            c.trySend(wire, System.nanoTime());
            return c.ledger.counts().sent() > k.sent();
        });
        assertThat(server.readFrame().payload()).isEqualTo(image);
    }

    private static byte[] slice(byte[] a, int from, int to) {
        return java.util.Arrays.copyOfRange(a, from, to);
    }

    private static void await(BooleanSupplier cond) {
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(cond::getAsBoolean);
    }

    /** A scripted WebSocket server on a blocking socket. */
    private static final class FakeServer implements AutoCloseable {
        record Frame(int opcode, boolean fin, byte[] payload) {
        }

        private final ServerSocket listener;
        Socket socket;
        private DataInputStream in;
        private OutputStream out;

        FakeServer() {
            try {
                listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        URI uri() {
            return URI.create("ws://127.0.0.1:" + listener.getLocalPort() + "/ws/streams/t");
        }

        /** Accepts the client and reads its upgrade request; returns its Sec-WebSocket-Key. */
        String acceptUpgrade() throws IOException {
            listener.setSoTimeout(5000);
            socket = listener.accept();
            socket.setSoTimeout(5000);
            in = new DataInputStream(socket.getInputStream());
            out = socket.getOutputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                head.append((char) in.readUnsignedByte());
            }
            assertThat(head.toString()).startsWith("GET /ws/streams/t HTTP/1.1\r\n");
            return head.toString().replaceAll("(?s).*Sec-WebSocket-Key: (\\S+)\r\n.*", "$1");
        }

        void write(byte[] b) throws IOException {
            out.write(b);
            out.flush();
        }

        void frame(int opcode, boolean fin, byte[] payload) throws IOException {
            write(WsHeaderTest.serverFrame(opcode, fin, payload));
        }

        /** Reads one client frame, which must be masked, and unmasks it. */
        Frame readFrame() throws IOException {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            assertThat(b1 & 0x80).as("client frames are masked").isNotZero();
            long len = b1 & 0x7F;
            len = len == 126 ? in.readUnsignedShort() : len == 127 ? in.readLong() : len;
            byte[] key = new byte[4];
            in.readFully(key);
            byte[] p = new byte[(int) len];
            in.readFully(p);
            for (int i = 0; i < p.length; i++) {
                p[i] ^= key[i & 3];
            }
            return new Frame(b0 & 0x0F, (b0 & 0x80) != 0, p);
        }

        @Override
        public void close() throws IOException {
            if (socket != null) {
                socket.close();
            }
            listener.close();
        }
    }
}
