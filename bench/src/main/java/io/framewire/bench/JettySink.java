package io.framewire.bench;

import java.nio.ByteBuffer;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.VirtualThreads;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The transport floor: the smallest callback-style Jetty 12 WebSocket sink that speaks enough of
 * framewire's protocol for the load generator, answering every binary message from Jetty's own
 * thread. No virtual thread, no mailbox, no worker, no metrics. bench/transport.sh runs it with
 * FLOOR=1 so that what framewire's blocking-loop design adds is measured, not guessed.
 *
 * <p>Run: {@code java -jar bench/target/framewire-bench.jar jettysink PORT [INPUT_BUFFER_BYTES [vt]]};
 * {@code vt} runs Jetty's reads on virtual threads, as framewire does.
 */
@Command(name = "jettysink", usageHelpAutoWidth = true,
        description = "The transport floor: the smallest callback-style Jetty 12 WebSocket sink that speaks enough of " +
            "framewire's protocol for the load generator (bench/transport.sh FLOOR=1). Runs until killed.")
public final class JettySink implements Callable<Integer> {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;
    @Parameters(index = "0", paramLabel = "PORT", description = "loopback port to listen on")
    int port;
    @Parameters(index = "1", arity = "0..1", defaultValue = "0", paramLabel = "INPUT_BUFFER_BYTES",
            description = "Jetty's WebSocket input buffer; 0 = Jetty's default (framewire: 65536)")
    int inputBuffer;
    @Parameters(index = "2", arity = "0..1", paramLabel = "vt", description = "vt: Jetty's reads on virtual threads, as framewire's")
    String threads;

    @Override
    public Integer call() throws Exception {
        boolean virtual = "vt".equals(threads);
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
        return 0;
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
