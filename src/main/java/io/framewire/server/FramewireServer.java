package io.framewire.server;

import io.framewire.config.Settings;
import io.framewire.inference.DetectorFactory;
import io.framewire.inference.Detectors;
import io.framewire.inference.WorkerPool;
import io.framewire.schedule.Scheduler;
import io.framewire.stream.BlockingWebSocket;
import io.framewire.stream.StreamSession;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires the data path together: Jetty → stream sessions → scheduler → inference workers. */
public final class FramewireServer implements AutoCloseable {

    public static final String STREAM_PATH = "/ws/streams/";
    static final Pattern STREAM_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    private static final Logger log = LoggerFactory.getLogger(FramewireServer.class);

    private final Settings settings;
    private final Scheduler scheduler;
    private final StreamRegistry registry = new StreamRegistry();
    private final WorkerPool workers;
    private final Server jetty;
    private final ServerConnector connector;

    private FramewireServer(Settings settings, WorkerPool workers, Scheduler scheduler) {
        this.settings = settings;
        this.workers = workers;
        this.scheduler = scheduler;
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("jetty");
        this.jetty = new Server(threads);
        this.connector = new ServerConnector(jetty, 1, -1, new HttpConnectionFactory(new HttpConfiguration()));
        connector.setHost(settings.host());
        connector.setPort(settings.port());
        connector.setAcceptQueueSize(4096); // a fleet's worth of cameras reconnecting at once
        jetty.addConnector(connector);
        jetty.setHandler(WebSocketUpgradeHandler.from(jetty, container -> {
            container.setMaxBinaryMessageSize(settings.maxMessageBytes());
            container.setMaxTextMessageSize(64 * 1024);
            container.setIdleTimeout(settings.idleTimeout());
            // BlockingWebSocket's callbacks only enqueue, so Jetty may run them on the selector
            // thread instead of handing every frame to a pool thread first.
            container.setInvocationType(Invocable.InvocationType.NON_BLOCKING);
            container.addMapping(STREAM_PATH + "*", this::upgrade);
        }));
        ((Handler.Wrapper) jetty.getHandler()).setHandler(new HttpEndpoints());
        jetty.setStopTimeout(settings.shutdownGrace().toMillis());
    }

    /** Loads the model, starts the workers, then opens the port. */
    public static FramewireServer start(Settings settings) throws Exception {
        DetectorFactory factory = Detectors.open(settings.detector());
        int size = settings.workers() > 0 ? settings.workers() : factory.defaultWorkers();
        Scheduler scheduler = new Scheduler();
        WorkerPool pool = new WorkerPool(factory, scheduler, size, settings.batchMax(), settings.batchMaxWait());
        if (pool.alive() < size) {
            pool.close();
            throw new IllegalStateException("inference workers failed to load the detector (see log above)");
        }
        FramewireServer server = new FramewireServer(settings, pool, scheduler);
        server.jetty.start();
        log.info("framewire listening on {}:{}: {}, {} worker(s), mailbox depth {}, batch up to {} (wait {} ms)",
                settings.host(), server.port(), factory.description(), size, settings.mailboxDepth(),
                settings.batchMax(), settings.batchMaxWait().toMillis());
        return server;
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** Streams publishing to this host right now. */
    public int activeStreams() {
        return registry.size();
    }

    private Object upgrade(ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback) {
        String path = request.getHttpURI().getPath();
        String id = path.substring(STREAM_PATH.length());
        if (!STREAM_ID.matcher(id).matches()) {
            Response.writeError(request, response, callback, HttpStatus.BAD_REQUEST_400,
                    "invalid stream id: expected 1-128 characters of [A-Za-z0-9._-]");
            return null;
        }
        return new BlockingWebSocket("ws-read-" + id, ws -> serve(id, ws));
    }

    /** Runs on the connection's own virtual thread for its whole life. */
    private void serve(String id, BlockingWebSocket ws) {
        var session = new StreamSession(id, ws, scheduler, settings.mailboxDepth(), settings.maxPendingResults());
        registry.register(session);
        log.debug("stream {} connected from {}", id, ws.remoteAddress());
        try {
            session.run();
        } finally {
            registry.unregister(session);
            log.debug("stream {} ended: {} received, {} dropped, close {}", id, session.framesReceived(),
                    session.framesDropped(), ws.closed());
        }
    }

    /** Closes every publisher with 1001 so clients reconnect elsewhere, then stops workers and Jetty. */
    @Override
    public void close() throws Exception {
        log.info("shutting down: closing {} stream(s)", registry.size());
        registry.closeAll(1001, "server shutting down");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (registry.size() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        workers.close();
        jetty.stop();
    }

    /** Plain HTTP next to the WebSocket endpoints. */
    private final class HttpEndpoints extends Handler.Abstract.NonBlocking {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String path = request.getHttpURI().getPath();
            if (path.equals("/healthz")) {
                String body = "{\"status\":\"up\",\"streams\":" + registry.size() + ",\"workers\":" + workers.alive() + "}";
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
                response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
                return true;
            }
            if (path.startsWith(STREAM_PATH)) {
                Response.writeError(request, response, callback, HttpStatus.BAD_REQUEST_400,
                        "this is a WebSocket endpoint: connect with a WebSocket client");
                return true;
            }
            return false; // Jetty answers 404
        }
    }
}
