package io.framewire.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import io.framewire.protocol.CloseCodes;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
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

    @Test
    void peersPrintAsAddressAndPortWithIpv6InBrackets() throws Exception {
        assertThat(BlockingWebSocket.format(new java.net.InetSocketAddress(java.net.InetAddress.getByName("::1"), 37680)))
                .isEqualTo("[0:0:0:0:0:0:0:1]:37680");
        assertThat(BlockingWebSocket.format(new java.net.InetSocketAddress(java.net.InetAddress.getByName("127.0.0.1"), 80)))
                .isEqualTo("127.0.0.1:80");
        assertThat(BlockingWebSocket.format(java.net.InetSocketAddress.createUnresolved("cam.local", 9))).isEqualTo("cam.local/<unresolved>:9");
    }

    private final ArrayByteBufferPool pool = new ArrayByteBufferPool.Quadratic();
    private final FrameBuffers buffers = new FrameBuffers(pool, 64L << 20);
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
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= MESSAGES);
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

    @Test
    void aFragmentedMessageComesAsOneBinaryAndItsBuffersGoBack() throws Exception {
        CompletableFuture<byte[]> got = new CompletableFuture<>();
        int port = start(ws -> {
            try {
                BlockingWebSocket.Binary b = (BlockingWebSocket.Binary) ws.next();
                byte[] bytes = new byte[b.data().limit()];
                b.data().get(0, bytes);
                b.release();
                got.complete(bytes);
                ws.discardUntilClosed();
            } catch (InterruptedException e) {
                got.completeExceptionally(e);
            }
        });
        WebSocket client = connect(port);
        byte[] whole = new byte[10_000];
        for (int i = 0; i < whole.length; i++) {
            whole[i] = (byte) i;
        }
        client.sendBinary(ByteBuffer.wrap(whole, 0, 3), false).get(10, TimeUnit.SECONDS);
        client.sendBinary(ByteBuffer.wrap(whole, 3, 5_000), false).get(10, TimeUnit.SECONDS);
        client.sendBinary(ByteBuffer.wrap(whole, 5_003, whole.length - 5_003), true).get(10, TimeUnit.SECONDS);
        assertThat(got.get(10, TimeUnit.SECONDS)).isEqualTo(whole);
        assertThat(buffers.used()).as("the reassembly buffers and the message's went back").isZero();
        client.abort();
    }

    @Test
    void aBinaryArrivesWhenJettyHandsItOverNotWhenTheReaderTakesIt() throws Exception {
        AtomicReference<BlockingWebSocket> socket = new AtomicReference<>();
        CountDownLatch readOn = new CountDownLatch(1);
        CompletableFuture<long[]> times = new CompletableFuture<>();
        int port = start(ws -> {
            socket.set(ws);
            try {
                ws.next(); // the text; its demand reads the binary ahead into the inbox
                readOn.await();
                BlockingWebSocket.Binary b = (BlockingWebSocket.Binary) ws.next();
                long takenAt = System.nanoTime();
                b.release();
                times.complete(new long[] {b.arrivedNanos(), takenAt});
                ws.discardUntilClosed();
            } catch (InterruptedException e) {
                times.completeExceptionally(e);
            }
        });
        WebSocket client = connect(port);
        client.sendText("first", true).get(10, TimeUnit.SECONDS);
        long sentAt = System.nanoTime();
        client.sendBinary(ByteBuffer.wrap(new byte[100]), true).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(10)).until(() -> socket.get() != null && socket.get().anyBinary());
        long seenAt = System.nanoTime(); // Jetty has handed it over; the reader has not taken it
        readOn.countDown();
        long[] t = times.get(10, TimeUnit.SECONDS);
        assertThat(t[0]).as("arrival: Jetty's hand-over").isBetween(sentAt, seenAt);
        assertThat(t[1]).as("taken by the reader only after").isGreaterThan(seenAt);
        client.abort();
    }

    @Test
    void wakeMakesNextReturnNullWhileTheConnectionStaysOpen() throws Exception {
        AtomicReference<BlockingWebSocket> socket = new AtomicReference<>();
        CompletableFuture<Boolean> woken = new CompletableFuture<>();
        CompletableFuture<String> after = new CompletableFuture<>();
        int port = start(ws -> {
            socket.set(ws);
            try {
                BlockingWebSocket.Message m = ws.next();
                woken.complete(m == null && ws.closed() == null && ws.isOpen());
                after.complete(((BlockingWebSocket.Text) ws.next()).text());
            } catch (InterruptedException e) {
                woken.completeExceptionally(e);
            }
        });
        WebSocket client = connect(port);
        await().atMost(Duration.ofSeconds(10)).until(() -> socket.get() != null);
        socket.get().wake();
        assertThat(woken.get(10, TimeUnit.SECONDS)).as("null, still open, nothing closed").isTrue();
        client.sendText("still here", true).get(10, TimeUnit.SECONDS);
        assertThat(after.get(10, TimeUnit.SECONDS)).as("reading goes on after a wake").isEqualTo("still here");
        client.abort();
    }

    @Test
    void onlyTheFirstCloseCountsAndTheEndComesAfterTheQueuedMessages() throws Exception {
        CompletableFuture<BlockingWebSocket.Closed> ended = new CompletableFuture<>();
        int port = start(ws -> {
            try {
                ws.next(); // the client's text: then close
                ws.close(CloseCodes.POLICY, "first", Duration.ofSeconds(2));
                ws.close(CloseCodes.GOING_AWAY, "second", Duration.ofSeconds(2));
                ws.closeHandshake(CloseCodes.TRY_AGAIN, "third", Duration.ofSeconds(2));
                while (ws.next() != null) {
                    // whatever was queued before the end
                }
                assertThat(ws.next()).as("null for good after the end").isNull();
                ended.complete(ws.closed());
            } catch (InterruptedException e) {
                ended.completeExceptionally(e);
            }
        });
        CompletableFuture<Integer> clientSaw = new CompletableFuture<>();
        WebSocket client = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), new WebSocket.Listener() {
                    @Override
                    public java.util.concurrent.CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                        clientSaw.complete(statusCode);
                        return null;
                    }
                })
                .get(10, TimeUnit.SECONDS);
        client.sendText("close me", true).get(10, TimeUnit.SECONDS);
        assertThat(clientSaw.get(10, TimeUnit.SECONDS)).isEqualTo(CloseCodes.POLICY);
        BlockingWebSocket.Closed c = ended.get(10, TimeUnit.SECONDS);
        assertThat(c.code()).as("the first close's code").isEqualTo(CloseCodes.POLICY);
        client.abort();
    }

    private static WebSocket connect(int port) throws Exception {
        return HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), new WebSocket.Listener() {})
                .get(10, TimeUnit.SECONDS);
    }

    private int start(java.util.function.Consumer<BlockingWebSocket> handler) throws Exception {
        jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        jetty.setHandler(WebSocketUpgradeHandler.from(jetty, container -> {
            container.setMaxBinaryMessageSize(2 * MESSAGE_BYTES);
            container.addMapping("/ws", (request, response, callback) -> new BlockingWebSocket("test-reader", buffers, 1 << 20, handler));
        }));
        jetty.start();
        return connector.getLocalPort();
    }
}
