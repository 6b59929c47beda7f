package io.framewire.bench.loadgen;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A stream carried by the raw NIO client. Its {@link IoThread} connects, upgrades, reads and
 * finishes partial writes. Frames are written by whichever thread has them (the pacing thread
 * for images, the I/O thread for pongs, main for the final close) straight to the non-blocking
 * channel, one writer at a time under this object's lock; OP_WRITE is registered only while a
 * frame is left half-written, so a normal send costs one write syscall and no thread wake-up.
 */
final class NioConn extends StreamConn {
    private static final int INITIAL_READ_BUFFER = 2048; // a reply is ~200 bytes
    private static final ByteBuffer CLOSE_1000 = WsFrames.clientFrame(WsFrames.CLOSE,
            WsFrames.closePayload(1000, "loadgen done"), ThreadLocalRandom.current().nextInt());

    final CompletableFuture<Void> upgraded = new CompletableFuture<>();
    private IoThread io;
    private URI uri;
    private InetSocketAddress address;
    private WsHandshake handshake; // non-null until the 101 is verified
    private SocketChannel ch;
    private SelectionKey key;

    // read side: the I/O thread only
    private ByteBuffer in = ByteBuffer.allocate(INITIAL_READ_BUFFER); // write mode between reads
    private final WsHeader header = new WsHeader();

    // write side: guarded by this
    private ByteBuffer pending;          // rest of a frame the socket did not take yet
    private ArrayDeque<ByteBuffer> queued; // control frames waiting behind it (rare)
    private boolean closeSent;

    NioConn(Sinks sinks) {
        super(sinks);
    }

    NioConn(Sinks sinks, StreamLedger ledger) {
        super(sinks, ledger);
    }

    /** Hands the connect to {@code io}; {@link #upgraded} tells how it went. */
    void start(IoThread io, URI uri, InetSocketAddress address) {
        this.io = io;
        this.uri = uri;
        this.address = address;
        this.handshake = new WsHandshake();
        io.execute(this::open);
    }

    private void open() {
        if (state() == State.FAILED) {
            return; // given up on before the I/O thread got to it
        }
        try {
            ch = SocketChannel.open();
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            key = ch.register(io.selector, SelectionKey.OP_CONNECT, this);
            if (ch.connect(address)) {
                connected();
            }
        } catch (IOException | RuntimeException e) {
            lost(e);
        }
    }

    private void connected() throws IOException {
        key.interestOps(SelectionKey.OP_READ);
        write(handshake.request(uri));
    }

    @Override
    void connectFailed() {
        super.connectFailed();
        if (io != null) {
            io.execute(this::closeChannel); // the channel belongs to the I/O thread
        }
    }

    /** Selector callback on the I/O thread. */
    void ready(SelectionKey k) {
        try {
            int ops = k.readyOps();
            if ((ops & SelectionKey.OP_CONNECT) != 0 && ch.finishConnect()) {
                connected();
            }
            if ((ops & SelectionKey.OP_WRITE) != 0) {
                flush();
            }
            if ((ops & SelectionKey.OP_READ) != 0) {
                read();
            }
        } catch (IOException | RuntimeException e) { // RuntimeException: e.g. a key cancelled meanwhile
            lost(e);
        }
    }

    // ---- sending ----

    @Override
    void trySend(ByteBuffer frame, long nowNanos) {
        if (state() != State.OPEN) {
            return;
        }
        synchronized (this) {
            if (closeSent) {
                return;
            }
            if (pending != null) {
                ledger.recordSkip();
                return;
            }
            ledger.recordSend(nowNanos); // before writing: the reply may beat the return of write
            try {
                writeNow(frame.duplicate());
            } catch (IOException | CancelledKeyException e) {
                sinks.sendFailures().increment(); // the reader sees the broken connection and closes it
            }
        }
    }

    @Override
    void close() {
        if (state() != State.OPEN) {
            return;
        }
        try {
            synchronized (this) {
                if (!closeSent) {
                    closeSent = true;
                    write(CLOSE_1000.duplicate());
                }
            }
        } catch (IOException | CancelledKeyException ignored) {
            // already broken: the transport closes the channel at the end
        }
    }

    @Override
    void abort() {
        closeChannel(); // the selector drops the cancelled key; the state is CLOSED already
    }

    /** A frame behind whatever is still pending, or now. */
    private synchronized void write(ByteBuffer b) throws IOException {
        if (pending == null) {
            writeNow(b);
        } else {
            if (queued == null) {
                queued = new ArrayDeque<>(2);
            }
            queued.add(b);
        }
    }

    /** Caller holds the lock and nothing is pending. */
    private void writeNow(ByteBuffer b) throws IOException {
        ch.write(b);
        if (b.hasRemaining()) {
            pending = b;
            key.interestOpsOr(SelectionKey.OP_WRITE);
            if (Thread.currentThread() != io) {
                io.selector.wakeup(); // a blocked select would not see the new interest before it wakes
            }
        }
    }

    /** OP_WRITE: the socket has room again. */
    private synchronized void flush() throws IOException {
        while (pending != null) {
            ch.write(pending);
            if (pending.hasRemaining()) {
                return;
            }
            pending = queued == null ? null : queued.poll();
        }
        key.interestOpsAnd(~SelectionKey.OP_WRITE);
    }

    // ---- receiving ----

    private void read() throws IOException {
        if (ch.read(in) < 0) {
            if (handshake != null) {
                throw new EOFException("closed during upgrade");
            }
            onClosed(1006, "disconnected"); // counts only if no close frame came first
            closeChannel();
            return;
        }
        in.flip();
        int need;
        try {
            need = handshake != null ? readHead() : 0;
            if (handshake == null && ch.isOpen()) {
                need = readFrames();
            }
        } finally {
            in.compact();
        }
        if (need > in.capacity()) { // grows only when a message needs it
            ByteBuffer bigger = ByteBuffer.allocate(need);
            bigger.put(in.flip());
            in = bigger;
        }
    }

    /** The upgrade response; returns the buffer size it still needs, or 0. */
    private int readHead() throws IOException {
        int end = WsHandshake.headEnd(in);
        if (end < 0) {
            if (in.remaining() < in.capacity()) {
                return 0;
            }
            if (in.capacity() >= WsHandshake.MAX_RESPONSE) {
                throw new WsHandshake.Rejected("upgrade response too large");
            }
            return 2 * in.capacity();
        }
        String head = new String(in.array(), in.position(), end - in.position(), StandardCharsets.ISO_8859_1);
        in.position(end);
        handshake.verify(head);
        handshake = null;
        if (!opened()) { // timed out meanwhile
            closeChannel();
            return 0;
        }
        upgraded.complete(null);
        return 0;
    }

    /** Every whole frame in the buffer; returns the size the next frame needs, or 0. */
    private int readFrames() throws IOException {
        while (header.parse(in)) {
            long len = header.frameLength();
            if (header.masked || header.payloadLength < 0 || header.payloadLength > MAX_TEXT
                    || header.isControl() && (!header.fin || header.payloadLength > 125)) {
                throw new IOException("protocol error: bad frame header");
            }
            if (in.remaining() < len) {
                return (int) len;
            }
            int at = in.position();
            frame(in.array(), at + header.headerLength, (int) header.payloadLength);
            in.position(at + (int) len);
            if (!ch.isOpen()) {
                return 0;
            }
        }
        return 0; // a partial header always fits: it is at most 14 bytes
    }

    private void frame(byte[] a, int off, int len) throws IOException {
        switch (header.opcode) {
            case WsFrames.TEXT -> onText(a, off, len, false, header.fin);
            case WsFrames.CONTINUATION -> onText(a, off, len, true, header.fin);
            case WsFrames.BINARY -> onBinary();
            case WsFrames.PING -> write(WsFrames.clientFrame(WsFrames.PONG, ByteBuffer.wrap(a, off, len),
                    ThreadLocalRandom.current().nextInt()));
            case WsFrames.PONG -> {
                // unsolicited or answering nothing we sent: ignore
            }
            case WsFrames.CLOSE -> serverClose(a, off, len);
            default -> throw new IOException("protocol error: opcode " + header.opcode);
        }
    }

    /** Records the close, echoes it unless we started it, then waits for the server to drop TCP (RFC 6455 §7.1.1). */
    private void serverClose(byte[] a, int off, int len) throws IOException {
        int code = len >= 2 ? ((a[off] & 0xFF) << 8) | (a[off + 1] & 0xFF) : 1005;
        onClosed(code, len > 2 ? new String(a, off + 2, len - 2, StandardCharsets.UTF_8) : "");
        synchronized (this) {
            if (!closeSent) {
                closeSent = true;
                ByteBuffer echo = len >= 2 ? WsFrames.closePayload(code, "") : ByteBuffer.allocate(0);
                write(WsFrames.clientFrame(WsFrames.CLOSE, echo, ThreadLocalRandom.current().nextInt()));
            }
        }
    }

    // ---- endings ----

    /** An I/O error or protocol violation: a failed connect while upgrading, an abnormal close after. */
    private void lost(Throwable e) {
        if (handshake != null) {
            upgraded.completeExceptionally(e); // LoadRun counts it as a connect failure
        } else if (state() == State.OPEN) {
            onError(e);
            onClosed(1006, e.getClass().getSimpleName());
        }
        closeChannel();
    }

    private void closeChannel() {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing left to do
            }
        }
    }
}
