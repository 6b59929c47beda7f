import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.VirtualThreads;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * The transport floor: the smallest callback-style Jetty 12 WebSocket sink that speaks enough of
 * framewire's protocol for the load generator, answering every binary message from Jetty's own
 * thread. No virtual thread, no mailbox, no worker, no metrics. bench/transport.sh runs it with
 * FLOOR=1 so that what framewire's blocking-loop design adds is measured, not guessed.
 *
 * <p>Run: {@code java -cp target/framewire.jar bench/JettySink.java PORT [INPUT_BUFFER_BYTES [vt]]};
 * {@code vt} runs Jetty's reads on virtual threads, as framewire does.
 */
public final class JettySink {

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        int inputBuffer = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        boolean virtual = args.length > 2 && args[2].equals("vt");
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("jetty");
        if (virtual) {
            threads.setVirtualThreadsExecutor(VirtualThreads.getNamedVirtualThreadsExecutor("jetty-vt"));
        }
        Server server = new Server(threads);
        ServerConnector connector = new ServerConnector(server, 1, -1);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        connector.setAcceptQueueSize(4096);
        server.addConnector(connector);
        AtomicInteger open = new AtomicInteger();
        server.setHandler(WebSocketUpgradeHandler.from(server, container -> {
            container.setMaxBinaryMessageSize(4 << 20);
            if (inputBuffer > 0) {
                container.setInputBufferSize(inputBuffer);
            }
            container.addMapping("/ws/streams/*", (request, response, callback) -> {
                String path = request.getHttpURI().getPath();
                return new Sink(path.substring(path.lastIndexOf('/') + 1), open);
            });
        }));
        server.start();
        System.out.printf("jetty sink on :%d (input buffer %s, %s threads)%n", port,
                inputBuffer > 0 ? inputBuffer : "default", virtual ? "virtual" : "platform");
        server.join();
    }

    public static final class Sink implements Session.Listener {
        private final String stream;
        private final AtomicInteger open;
        private Session session;
        private long seq;

        Sink(String stream, AtomicInteger open) {
            this.stream = stream;
            this.open = open;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
            open.incrementAndGet();
            session.demand();
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            callback.succeed();
            session.sendText("{\"type\":\"result\",\"stream\":\"" + stream + "\",\"seq\":" + seq++
                    + ",\"dropped\":0,\"detections\":[]}", Callback.NOOP);
            session.demand();
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            open.decrementAndGet();
        }
    }
}
