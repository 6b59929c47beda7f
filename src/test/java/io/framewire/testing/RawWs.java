package io.framewire.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A WebSocket client at the frame level over a plain socket, to send what a well-behaved client
 * never would: floods of pings, one-byte fragments, and no reading at all (a tiny receive buffer).
 */
public final class RawWs implements AutoCloseable {

    public static final int CONTINUATION = 0x0, TEXT = 0x1, BINARY = 0x2, CLOSE = 0x8, PING = 0x9, PONG = 0xA;

    /** A frame the server sent. */
    public record Frame(int opcode, boolean fin, byte[] payload) {
        /** For a close frame: its code, or 1005 without one. */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
        }

        public String closeReason() {
            return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    /** The status of the upgrade answer: 101 when the WebSocket opened. */
    public final int status;

    private RawWs(Socket socket, int status) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
        this.status = status;
    }

    /** Opens a WebSocket to {@code path}; {@code receiveBuffer} > 0 shrinks the socket's receive buffer (a non-reader). */
    public static RawWs open(int port, String path, Map<String, String> headers, int receiveBuffer) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer); // before connecting: it sets the window offered
        }
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(10_000);
        s.getOutputStream().write(Upgrade.requestBytes(port, path, headers));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int last4 = 0;
        while (last4 != 0x0D0A0D0A) { // \r\n\r\n ends the head; the bytes after it are frames
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed during the upgrade: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
            last4 = (last4 << 8) | b;
        }
        String statusLine = head.toString(StandardCharsets.ISO_8859_1).lines().findFirst().orElse("");
        return new RawWs(s, Integer.parseInt(statusLine.split(" ")[1]));
    }

    public static RawWs open(int port, String path) throws IOException {
        return open(port, path, Map.of(), 0);
    }

    /** One masked client frame, written at once (its own TCP segment with no delay). */
    public void send(boolean fin, int opcode, byte[] payload) throws IOException {
        out.write(frame(fin, opcode, payload));
        out.flush();
    }

    /** Many frames in one write. */
    public void sendRaw(byte[] frames) throws IOException {
        out.write(frames);
        out.flush();
    }

    /** The bytes of one masked client frame (mask key 0: the payload is sent as is). */
    public static byte[] frame(boolean fin, int opcode, byte[] payload) {
        ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
        f.write((fin ? 0x80 : 0) | opcode);
        int n = payload.length;
        if (n < 126) {
            f.write(0x80 | n);
        } else if (n < 65_536) {
            f.write(0x80 | 126);
            f.write(n >>> 8);
            f.write(n);
        } else {
            f.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                f.write((int) ((long) n >>> shift));
            }
        }
        f.write(0);
        f.write(0);
        f.write(0);
        f.write(0);
        f.writeBytes(payload);
        return f.toByteArray();
    }

    /**
     * The next frame from the server, past its keepalive pings (sent every {@code ws.pingMs} to a
     * quiet connection, which this client need not answer); throws on timeout or end of stream.
     */
    public Frame read() throws IOException {
        Frame f;
        do {
            f = readAny();
        } while (f.opcode() == PING);
        return f;
    }

    private Frame readAny() throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long n = b1 & 0x7F;
        if (n == 126) {
            n = in.readUnsignedShort();
        } else if (n == 127) {
            n = in.readLong();
        }
        byte[] payload = new byte[(int) n];
        in.readFully(payload);
        return new Frame(b0 & 0x0F, (b0 & 0x80) != 0, payload);
    }

    /** Reads until a close frame, which it returns; null when the connection ended without one. */
    public Frame readUntilClose() {
        try {
            while (true) {
                Frame f = read();
                if (f.opcode() == CLOSE) {
                    return f;
                }
            }
        } catch (IOException e) {
            return null;
        }
    }

    public void soTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing is all that is left to do
        }
    }
}
