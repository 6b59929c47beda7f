package io.framewire.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The blocking adapter on a real Jetty server, with the JDK's WebSocket client. */
class BlockingWebSocketTest {

    private static final int MESSAGE_BYTES = 1 << 20;
    private static final int MESSAGES = 48;

    private final ArrayByteBufferPool pool = new ArrayByteBufferPool.Quadratic();
    private Server jetty;

    @AfterEach
    void stop() throws Exception {
        if (jetty != null) {
            jetty.stop();
        }
    }

    @Test
    void aLoopThatStopsCallingNextStopsTheClientAfterAFewMessagesAndLosesNothing() throws Exception {
        CountDownLatch resume = new CountDownLatch(1);
        List<Integer> received = new CopyOnWriteArrayList<>();
        int port = start(ws -> {
            try {
                BlockingWebSocket.Message m;
                while ((m = ws.next()) != null) {
                    BlockingWebSocket.Binary b = (BlockingWebSocket.Binary) m;
                    received.add(b.data().getInt(0));
                    b.release();
                    if (received.size() == 1) {
                        resume.await(); // a reader that fell behind
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        WebSocket client = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), new WebSocket.Listener() {})
                .get(10, TimeUnit.SECONDS);

        int written = 0;
        CompletableFuture<WebSocket> stalled = null;
        for (int i = 0; i < MESSAGES; i++) {
            ByteBuffer message = ByteBuffer.allocate(MESSAGE_BYTES).putInt(0, i);
            CompletableFuture<WebSocket> sent = client.sendBinary(message, true);
            try {
                sent.get(2, TimeUnit.SECONDS);
                written++;
            } catch (TimeoutException e) {
                stalled = sent;
                break;
            }
        }
        // What the client got out before its send stalled: the reader's one message, the read-ahead,
        // and what the kernel's socket buffers hold (a few MB on loopback). Without push-back all 48.
        assertThat(stalled).as("the client's send stalls while the loop does not read").isNotNull();
        assertThat(written).isLessThan(MESSAGES / 2);
        assertThat(received).containsExactly(0);

        resume.countDown();
        stalled.get(10, TimeUnit.SECONDS);
        for (int i = written + 1; i < MESSAGES; i++) {
            client.sendBinary(ByteBuffer.allocate(MESSAGE_BYTES).putInt(0, i), true).get(10, TimeUnit.SECONDS);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (received.size() < MESSAGES && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(received).as("every message, in order, once the loop reads again")
                .hasSize(MESSAGES).isSorted().doesNotHaveDuplicates();
        client.abort();
    }

    @Test
    void nextReturnsNullAfterTheClientClosesAndReportsItsCode() throws Exception {
        CompletableFuture<BlockingWebSocket.Closed> closed = new CompletableFuture<>();
        List<String> texts = new CopyOnWriteArrayList<>();
        int port = start(ws -> {
            try {
                BlockingWebSocket.Message m;
                while ((m = ws.next()) != null) {
                    texts.add(((BlockingWebSocket.Text) m).text());
                }
                closed.complete(ws.closed());
            } catch (InterruptedException e) {
                closed.completeExceptionally(e);
            }
        });
        WebSocket client = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), new WebSocket.Listener() {})
                .get(10, TimeUnit.SECONDS);
        client.sendText("one", true).get(10, TimeUnit.SECONDS);
        client.sendText("two", true).get(10, TimeUnit.SECONDS);
        client.sendClose(4001, "bye").get(10, TimeUnit.SECONDS);

        BlockingWebSocket.Closed c = closed.get(10, TimeUnit.SECONDS);
        assertThat(texts).as("messages sent before the close still come first").containsExactly("one", "two");
        assertThat(c.code()).isEqualTo(4001);
        assertThat(c.reason()).isEqualTo("bye");
    }

    private int start(java.util.function.Consumer<BlockingWebSocket> handler) throws Exception {
        jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        jetty.setHandler(WebSocketUpgradeHandler.from(jetty, container -> {
            container.setMaxBinaryMessageSize(2 * MESSAGE_BYTES);
            container.addMapping("/ws", (request, response, callback) -> new BlockingWebSocket("test-reader", new FrameBuffers(pool, 64L << 20), 1 << 20, handler));
        }));
        jetty.start();
        return connector.getLocalPort();
    }
}
