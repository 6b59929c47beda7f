package io.framewire.bench.loadgen;

import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/** {@code --client jetty}: Jetty's WebSocket client, the reference "real library" client. */
final class JettyTransport implements Transport {
    private final StreamConn.Sinks sinks;
    private final WebSocketClient[] clients;
    private final QueuedThreadPool pool;
    private int next; // connects come from the one pacing thread

    JettyTransport(LoadGenConfig cfg, StreamConn.Sinks sinks) throws Exception {
        this.sinks = sinks;
        this.clients = new WebSocketClient[cfg.clients()];
        // One shared pool: each client's selector runs on it and, via InlineExecutor, parses replies itself.
        pool = new QueuedThreadPool(Math.max(8, 4 + 2 * clients.length), 2);
        pool.setName("lg-io");
        pool.setDaemon(true);
        pool.start();
        // Idle streams (--fps 0) must survive the whole run; the run itself is bounded.
        Duration idle = cfg.total().plus(cfg.drain()).plusSeconds(60);
        int perClient = cfg.streams() / clients.length + 1;
        for (int c = 0; c < clients.length; c++) {
            HttpClient http = new HttpClient(new HttpClientTransportOverHTTP(1));
            http.setExecutor(new InlineExecutor(pool));
            http.setConnectTimeout(cfg.connectTimeout().toMillis());
            // Upgrade requests queue per destination; a fast ramp must not hit the default caps (64/1024).
            http.setMaxConnectionsPerDestination(perClient);
            http.setMaxRequestsQueuedPerDestination(perClient);
            WebSocketClient ws = new WebSocketClient(http);
            ws.setIdleTimeout(idle);
            // Replies are read as raw frames (JettyConn), so the frame limit is the one that applies.
            ws.setMaxFrameSize(StreamConn.MAX_TEXT);
            ws.setStopAtShutdown(false);
            ws.start();
            clients[c] = ws;
        }
    }

    @Override
    public StreamConn newConn(StreamLedger ledger) {
        return new JettyConn(sinks, ledger);
    }

    @Override
    public ByteBuffer prepare(ByteBuffer image) {
        return image; // Jetty frames and masks every send itself
    }

    @Override
    public synchronized CompletableFuture<?> connect(StreamConn c, URI uri) {
        try {
            return clients[next++ % clients.length].connect((JettyConn) c, uri);
        } catch (Exception e) { // IOException or a rejected request
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void close() {
        for (WebSocketClient ws : clients) {
            if (ws != null) {
                try {
                    ws.stop();
                } catch (Exception e) {
                    System.err.println("[loadgen] client stop: " + LoadRun.describe(e));
                }
            }
        }
        try {
            pool.stop();
        } catch (Exception ignored) {
            // daemon threads; the JVM exits anyway
        }
    }
}
