package io.framewire.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/** A real WebSocket client over loopback that records every message and the close status. */
public final class WsClient implements AutoCloseable {

    public record Close(int code, String reason) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private final WebSocketClient client = new WebSocketClient();
    private final LinkedBlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<byte[]> binaries = new LinkedBlockingQueue<>();
    private final CompletableFuture<Close> closed = new CompletableFuture<>();
    private Session session;

    public WsClient(URI uri) throws Exception {
        this(uri, Map.of());
    }

    /** With extra upgrade request headers (Authorization, Origin). */
    public WsClient(URI uri, Map<String, String> headers) throws Exception {
        client.setMaxBinaryMessageSize(64 << 20);
        client.setMaxTextMessageSize(1 << 20);
        client.start();
        ClientUpgradeRequest request = new ClientUpgradeRequest();
        headers.forEach(request::setHeader);
        session = client.connect(new Listener(messages, binaries, closed), uri, request).get(Waits.WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Public: Jetty binds listener methods through method handles. */
    public static final class Listener implements Session.Listener.AutoDemanding {
        private final LinkedBlockingQueue<JsonNode> messages;
        private final CompletableFuture<Close> closed;
        private final LinkedBlockingQueue<byte[]> binaries;

        Listener(LinkedBlockingQueue<JsonNode> messages, LinkedBlockingQueue<byte[]> binaries, CompletableFuture<Close> closed) {
            this.messages = messages;
            this.binaries = binaries;
            this.closed = closed;
        }

        /** A binary message (a watcher's picture): its bytes to {@link #nextBinary}, and {@code {"type":"binary","bytes":n}} in line with the text. */
        @Override
        public void onWebSocketBinary(ByteBuffer payload, org.eclipse.jetty.websocket.api.Callback callback) {
            byte[] b = new byte[payload.remaining()];
            payload.get(b);
            binaries.add(b);
            messages.add(JSON.createObjectNode().put("type", "binary").put("bytes", b.length));
            callback.succeed();
        }

        @Override
        public void onWebSocketText(String message) {
            try {
                messages.add(JSON.readTree(message));
            } catch (Exception e) {
                throw new IllegalStateException("server sent invalid JSON: " + message, e);
            }
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            closed.complete(new Close(statusCode, reason));
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            closed.complete(new Close(-1, String.valueOf(cause)));
        }
    }

    public static WsClient stream(int port, String id) throws Exception {
        return new WsClient(URI.create("ws://127.0.0.1:" + port + "/ws/streams/" + id));
    }

    /** Sends one binary message and waits until it is written. */
    public void send(byte[] data) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        session.sendBinary(ByteBuffer.wrap(data), Callback.from(() -> done.complete(null), done::completeExceptionally));
        done.get(Waits.WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void sendText(String text) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        session.sendText(text, Callback.from(() -> done.complete(null), done::completeExceptionally));
        done.get(Waits.WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next message, failing the test if none arrives in time. */
    public JsonNode next(Duration timeout) throws InterruptedException {
        JsonNode m = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (m == null) {
            throw new AssertionError("no message within " + timeout);
        }
        return m;
    }

    /** The next message, or null if none arrives in time. */
    public JsonNode poll(Duration timeout) throws InterruptedException {
        return messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** How the connection closed; null while it is open. */
    public Close closeIfClosed() {
        return closed.getNow(null);
    }

    /** The next binary message's bytes, failing the test if none arrives in time. */
    public byte[] nextBinary(Duration timeout) throws InterruptedException {
        byte[] b = binaries.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (b == null) {
            throw new AssertionError("no binary message within " + timeout);
        }
        return b;
    }

    /** Messages until {@code quiet} passes without one. */
    public List<JsonNode> drain(Duration quiet) throws InterruptedException {
        List<JsonNode> all = new ArrayList<>();
        JsonNode m;
        while ((m = messages.poll(quiet.toMillis(), TimeUnit.MILLISECONDS)) != null) {
            all.add(m);
        }
        return all;
    }

    public Close awaitClose(Duration timeout) throws Exception {
        return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean isOpen() {
        return session.isOpen();
    }

    @Override
    public void close() throws Exception {
        if (session.isOpen()) {
            session.close();
        }
        client.stop();
    }
}
