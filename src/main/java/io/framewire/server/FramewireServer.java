package io.framewire.server;

import io.framewire.config.Settings;
import io.framewire.events.Events;
import io.framewire.inference.Advisor;
import io.framewire.inference.DetectorFactory;
import io.framewire.inference.Detectors;
import io.framewire.inference.StreamContext;
import io.framewire.inference.WorkerPool;
import io.framewire.metrics.Metrics;
import io.framewire.protocol.CloseCodes;
import io.framewire.schedule.Scheduler;
import io.framewire.security.Access;
import io.framewire.security.Authorizer;
import io.framewire.state.HostInfo;
import io.framewire.state.SharedState;
import io.framewire.stream.BlockingWebSocket;
import io.framewire.stream.FrameBuffers;
import io.framewire.stream.Keepalive;
import io.framewire.stream.OutputBudget;
import io.framewire.stream.OutputLimits;
import io.framewire.stream.StreamSession;
import io.framewire.stream.WatchSession;
import io.framewire.watchdog.DetectorWatch;
import io.framewire.watchdog.JettyProbe;
import io.framewire.watchdog.Watchdog;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.io.ByteBufferPool;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.VirtualThreads;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.core.CloseStatus;
import org.eclipse.jetty.websocket.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.server.WebSocketCreator;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Wires the data path together: Jetty → stream sessions → scheduler → inference workers. */
public final class FramewireServer implements AutoCloseable {

    public static final String STREAM_PATH = "/ws/streams/";
    public static final String WATCH_PATH = "/ws/watch/";
    static final Pattern STREAM_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    /** Retry-After of a 503 at the upgrade: a draining host is gone for good, a full one may free up. */
    static final Duration RETRY_AFTER_DRAINING = Duration.ofSeconds(1);
    static final Duration RETRY_AFTER_FULL = Duration.ofSeconds(5);

    /** Jetty's default 4 KiB read buffer cut every 16 KiB frame into five reads, five continuation
     * frames and an aggregation copy. Pooled, and held only while a connection is being read. */
    private static final int INPUT_BUFFER_BYTES = 64 << 10;
    private static final long FRAME_POOL_BYTES = 128L << 20;
    private static final Duration REFUSAL_GRACE = Duration.ofSeconds(2);
    private static final Logger log = LoggerFactory.getLogger(FramewireServer.class);

    private final Settings settings;
    private final Scheduler scheduler;
    private final StreamRegistry registry = new StreamRegistry();
    private final WorkerPool workers;
    private final Metrics metrics;
    private final SharedState state;
    private final Events events;
    private final AtomicInteger watchers = new AtomicInteger();
    private final String detector;
    private final Server jetty;
    private final ServerConnector connector;
    private final ServerConnector adminConnector;
    private final Authorizer authorizer;
    private final FrameBuffers frameBuffers;
    private final Keepalive keepalive;
    private final OutputLimits output;
    private final Advisor advisor;
    private final AtomicInteger tracksAlive = new AtomicInteger();
    private final ConnectionCaps caps;
    private final java.util.Map<StreamSession, Long> workSeen = new java.util.IdentityHashMap<>(); // for the advice
    private volatile boolean draining;
    private volatile String hostId;
    private volatile long drainDeadline;
    private volatile Watchdog watchdog;

    private FramewireServer(Settings settings, WorkerPool workers, Scheduler scheduler, Metrics metrics, String detector,
                            Authorizer authorizer, SharedState state, Advisor advisor, Events events) {
        this.settings = settings;
        this.events = events;
        this.authorizer = authorizer;
        this.state = state;
        this.workers = workers;
        this.scheduler = scheduler;
        this.metrics = metrics;
        this.detector = detector;
        this.frameBuffers = new FrameBuffers(framePool(settings.maxMessageBytes()), settings.maxBufferedBytes());
        this.keepalive = new Keepalive(settings.pingInterval(), settings.idleTimeout(), settings.budgets().firstFrame());
        this.advisor = advisor;
        this.caps = new ConnectionCaps(settings.budgets().maxConnectionsPerIp(), settings.budgets().maxConnectionsPerToken(),
                settings.budgets().trustedProxies());
        OutputBudget outputBudget = new OutputBudget(settings.budgets().maxPendingBytesTotal());
        this.output = new OutputLimits(settings.maxPendingResults(), settings.budgets().maxPendingBytes(), outputBudget,
                metrics.outputDropped::inc);
        metrics.gauge("framewire_output_pending_bytes", "Bytes of results queued on all sockets (cap: ws.maxPendingBytesTotal)",
                outputBudget::used);
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("jetty");
        // Jetty's reads (and HTTP requests) run on virtual threads: a read that hands a frame to its
        // stream's reader then only moves continuations between the same two carrier threads,
        // instead of waking a pool thread for every frame (-20 % CPU per frame, bench/RESULTS.md).
        threads.setVirtualThreadsExecutor(VirtualThreads.getNamedVirtualThreadsExecutor("jetty-vt"));
        this.jetty = new Server(threads);
        this.connector = connector(settings.port());
        connector.setAcceptQueueSize(4096); // a fleet's worth of cameras reconnecting at once
        this.adminConnector = settings.adminPort() >= 0 ? connector(settings.adminPort()) : null;
        jetty.setHandler(WebSocketUpgradeHandler.from(jetty, container -> {
            container.setMaxBinaryMessageSize(settings.maxMessageBytes());
            container.setMaxTextMessageSize(settings.maxTextBytes());
            container.setIdleTimeout(settings.idleTimeout());
            container.setInputBufferSize(INPUT_BUFFER_BYTES);
            container.addMapping(STREAM_PATH + "*", noExtensions(this::upgrade));
            container.addMapping(WATCH_PATH + "*", noExtensions(this::upgradeWatch));
        }));
        ((Handler.Wrapper) jetty.getHandler()).setHandler(
                new HttpEndpoints(this, metrics.registry(), adminConnector));
        jetty.setStopTimeout(1000); // drain() is the graceful part, bounded by shutdown.graceMs
        metrics.gauge("framewire_streams_active", "Streams publishing to this host", registry::size);
        metrics.gauge("framewire_streams_capacity", "Streams this host accepts (streams.max)", settings::maxStreams);
        metrics.gauge("framewire_workers", "Inference worker threads alive", workers::alive);
        metrics.gauge("framewire_scheduler_queued_streams", "Streams with a frame waiting for a worker", scheduler::queued);
        metrics.gauge("framewire_draining", "1 while the host is shutting down", () -> draining ? 1 : 0);
        metrics.gauge("framewire_watchers", "Watch connections on this host", watchers::get);
        metrics.gauge("framewire_frame_buffers_bytes", "Direct memory holding received frames (cap: ws.maxBufferedBytes)",
                frameBuffers::used);
        metrics.gauge("framewire_streams_stale", "Streams connected here that sent no frame for streams.staleMs",
                this::staleStreams);
        metrics.gauge("framewire_tracks_alive", "Confirmed tracks (with an id) over all streams", tracksAlive::get);
        advisor.shareBy(this::workSinceLastAsked);
    }

    /**
     * No WebSocket extension is ever negotiated: permessage-deflate (Jetty's default) let 4 KB on
     * the wire inflate to 4 MiB before any size check, for frames that are JPEGs and do not compress.
     * The subprotocol {@code framewire} is accepted when offered (a browser passing its token as
     * {@code framewire.bearer.<jwt>} offers it too); the token entry is never echoed back.
     */
    private static WebSocketCreator noExtensions(WebSocketCreator creator) {
        return (request, response, callback) -> {
            response.setExtensions(List.of());
            response.setAcceptedSubProtocol(request.getSubProtocols().contains(Authorizer.PROTOCOL) ? Authorizer.PROTOCOL : null);
            return creator.createWebSocket(request, response, callback);
        };
    }

    /** Connected publishers whose last frame (or, before the first, the connect) is older than streams.staleMs. */
    int staleStreams() {
        long cutoff = System.currentTimeMillis() - settings.staleAfter().toMillis();
        int n = 0;
        for (StreamSession s : registry.all()) {
            java.time.Instant last = s.lastFrameAt();
            if ((last != null ? last : s.connectedAt()).toEpochMilli() < cutoff) {
                n++;
            }
        }
        return n;
    }

    /**
     * For the advice: each stream's worker time since the advisor last asked, streams that took none
     * left out. Frames never processed (empty, over the rate limit, replaced) cost nothing and count
     * for nothing; cheap frames count for what they cost.
     */
    private long[] workSinceLastAsked() {
        java.util.Collection<StreamSession> all = registry.all();
        long[] used = new long[all.size()];
        int n = 0;
        synchronized (workSeen) {
            java.util.Map<StreamSession, Long> seen = new java.util.IdentityHashMap<>();
            for (StreamSession s : all) {
                long now = s.workNanos();
                Long before = workSeen.get(s);
                long d = now - (before == null ? 0 : before);
                seen.put(s, now);
                if (d > 0) {
                    used[n++] = d;
                }
            }
            workSeen.clear();
            workSeen.putAll(seen);
        }
        return java.util.Arrays.copyOf(used, n);
    }

    /**
     * Buffers for received frames, from a frame's arrival until its worker is done with it (or it is
     * replaced): power-of-two buckets up to the largest message allowed, and at most
     * {@link #FRAME_POOL_BYTES} kept while idle.
     */
    private static ByteBufferPool framePool(int maxMessageBytes) {
        int largest = Integer.highestOneBit(Math.max(maxMessageBytes - 1, 1)) << 1;
        return new ArrayByteBufferPool.Quadratic(0, largest, Integer.MAX_VALUE, 0, FRAME_POOL_BYTES);
    }

    private ServerConnector connector(int port) {
        ServerConnector c = new ServerConnector(jetty, 1, -1, new HttpConnectionFactory(new HttpConfiguration()));
        c.setHost(settings.host());
        c.setPort(port);
        c.addEventListener(new HeaderDeadline(c, settings.headerTimeout().toMillis()));
        jetty.addConnector(c);
        return c;
    }

    /** Loads the model, starts the workers, then opens the port. */
    public static FramewireServer start(Settings settings) throws Exception {
        return start(settings, System.getenv(), UnaryOperator.identity());
    }

    /**
     * As {@link #start(Settings)}, with the environment the systemd watchdog reads ({@code NOTIFY_SOCKET},
     * {@code WATCHDOG_USEC}) and a wrapper around the detector factory: seams for tests.
     */
    public static FramewireServer start(Settings settings, Map<String, String> env, UnaryOperator<DetectorFactory> detectors)
            throws Exception {
        DetectorWatch progress = new DetectorWatch();
        DetectorFactory factory = progress.watch(detectors.apply(Detectors.open(settings.detector())));
        int size = settings.workers() > 0 ? settings.workers() : factory.defaultWorkers();
        Scheduler scheduler = new Scheduler();
        Metrics metrics = new Metrics();
        Authorizer authorizer = new Authorizer(settings.auth(), metrics::wsRefused); // before the workers: a bad key fails fast
        boolean split = settings.pipeline().split(factory);
        // the advice counts frames per second of the threads that take batches: decoders when split
        Advisor advisor = new Advisor(split ? settings.pipeline().decoderThreads() : size);
        WorkerPool pool = new WorkerPool(factory, scheduler, size, settings.batchMax(), settings.batchMaxWait(),
                settings.imageLimits(), settings.inferenceMaxSide(), settings.budgets().maxDetections(), metrics, advisor,
                settings.pipeline());
        if (pool.alive() < size) {
            pool.close();
            throw new IllegalStateException("inference workers failed to load the detector (see log above)");
        }
        SharedState state = SharedState.open(settings.redis(), settings.budgets().results(), settings.resultsRetention(),
                metrics);
        Events events = Events.start(settings.events(), settings.redis(),
                settings.hostId() != null ? settings.hostId() : hostName() + "-" + ProcessHandle.current().pid(), metrics);
        FramewireServer server = new FramewireServer(settings, pool, scheduler, metrics, factory.description(), authorizer,
                state, advisor, events);
        server.jetty.start();
        String hostId = settings.hostId() != null ? settings.hostId() : hostName() + ":" + server.port();
        server.hostId = hostId;
        state.start(new HostInfo(hostId, hostName() + ":" + server.port(), settings.maxStreams(),
                String.valueOf(FramewireServer.class.getPackage().getImplementationVersion()), server::activeStreams));
        log.info("{}{}", state.describe(), settings.redis() == null ? "" : ", as host " + hostId);
        log.info("framewire listening on {}:{}{}: {}, {} worker(s){}, mailbox depth {}, batch up to {} (wait {} ms), up to {} streams",
                settings.host(), server.port(),
                server.adminConnector == null ? "" : " (admin " + server.adminConnector.getLocalPort() + ")",
                factory.description(), size,
                split ? " as device executors fed by " + pool.decoders() + " decoder thread(s) (pipeline split)" : " (pipeline inline)", settings.mailboxDepth(), settings.batchMax(),
                settings.batchMaxWait().toMillis(), settings.maxStreams());
        // what a newcomer opens next: a wildcard address is reachable as localhost, where browsers allow the camera
        String where = settings.host().equals("0.0.0.0") || settings.host().equals("::") ? "localhost" : settings.host();
        log.info("open http://{}:{}/ (publisher page), /dashboard, /metrics", where.contains(":") ? "[" + where + "]" : where, server.port());
        server.watchdog = Watchdog.start(env, List.of(new JettyProbe(server.jetty), progress));
        server.watchdog.ready("serving on port " + server.port());
        if (authorizer.enabled() && server.adminConnector == null) {
            log.warn(settings.auth().publicStatus()
                    ? "/status and /metrics are PUBLIC on port {} (security.publicStatus=true): every stream id and client address"
                    : "/status and /metrics answer 403 on port {}: set admin.port to serve them to Prometheus", server.port());
        }
        if (!authorizer.enabled()) {
            log.warn("AUTHENTICATION IS OFF: anyone who can reach port {} may publish to any stream. "
                    + "Set security.auth=jwt with a key (docs/operations.md, Security) before exposing this host.", server.port());
        }
        return server;
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** Decides upgrades; the watch endpoint asks it with {@link Access#WATCH}. */
    public Authorizer authorizer() {
        return authorizer;
    }

    /** The admin port serving /metrics and /status; -1 when they are served on {@link #port()}. */
    public int adminPort() {
        return adminConnector == null ? -1 : adminConnector.getLocalPort();
    }

    /** Streams publishing to this host right now. */
    public int activeStreams() {
        return registry.size();
    }

    Settings settings() {
        return settings;
    }

    StreamRegistry registry() {
        return registry;
    }

    String detector() {
        return detector;
    }

    long workersAlive() {
        return workers.alive();
    }

    int workersConfigured() {
        return workers.size();
    }

    boolean draining() {
        return draining;
    }

    /** This host's name in the fleet (host.id, or hostname:port). */
    String hostId() {
        return hostId;
    }

    /** A watcher's next picture of {@code stream} (see {@link io.framewire.stream.PictureFeed}). */
    private io.framewire.stream.PictureFeed.Picture picture(String stream, int perSecond, long afterMillis)
            throws InterruptedException {
        events.pictures().want(stream, perSecond, System.nanoTime());
        io.framewire.events.Pictures.Picture p = events.latestPicture(stream);
        if (p == null || p.atMillis() <= afterMillis) {
            return null;
        }
        try {
            return new io.framewire.stream.PictureFeed.Picture(io.framewire.events.Pictures.render(p, 0, false, null),
                    p.atMillis(), p.width(), p.height());
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** Zones and event sinks. */
    Events events() {
        return events;
    }

    /** The fleet's host records for the dashboard; null without Redis. */
    List<Map<String, String>> fleetHosts() {
        return state.hosts();
    }

    /** For /readyz: {@code not configured}, {@code up} or {@code degraded}. */
    String redisHealth() {
        return state.health();
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /**
     * The stream id after {@code prefix} when it is well-formed and the request may {@code access}
     * it; otherwise null, with the refusal (400, 401 or 403) already written.
     */
    private String admittedId(ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback,
                              String prefix, Access access) {
        String path = request.getHttpURI().getPath();
        // "/ws/streams" matches the mapping "/ws/streams/*" too: no id at all is a bad id, not a 500
        String id = path != null && path.startsWith(prefix) ? path.substring(prefix.length()) : "";
        if (!STREAM_ID.matcher(id).matches()) {
            metrics.wsRefused(HttpStatus.BAD_REQUEST_400);
            Response.writeError(request, response, callback, HttpStatus.BAD_REQUEST_400,
                    "invalid stream id: expected 1-128 characters of [A-Za-z0-9._-]");
            return null;
        }
        return authorizer.admit(request, response, callback, access, id) ? id : null;
    }

    private Object upgrade(ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback) {
        String id = admittedId(request, response, callback, STREAM_PATH, Access.PUBLISH);
        if (id == null) {
            return null;
        }
        String gating = Request.extractQueryParameters(request).getValue("gating");
        if (gating != null && !gating.equals("on") && !gating.equals("off")) {
            metrics.wsRefused(HttpStatus.BAD_REQUEST_400);
            Response.writeError(request, response, callback, HttpStatus.BAD_REQUEST_400,
                    "invalid gating: expected ?gating=off (or on)");
            return null;
        }
        boolean gatingOn = !"off".equals(gating);
        String ip = caps.clientAddress(request);
        String token = authorizer.tokenKey(request);
        if (refusedByCaps(request, response, callback, ip, token)) {
            return null;
        }
        if (draining || registry.size() >= settings.maxStreams()) {
            // refused before the 101: NGINX (proxy_next_upstream http_503) hands the upgrade to the
            // next host at once, where a 1013 after the upgrade would send the camera round again
            refuseUnavailable(request, response, callback, draining ? RETRY_AFTER_DRAINING : RETRY_AFTER_FULL,
                    draining ? "server shutting down: try another host" : "server at capacity: try another host");
            return null;
        }
        java.time.Instant upgradedAt = java.time.Instant.now();
        return new BlockingWebSocket("ws-read-" + id, frameBuffers, settings.maxMessageBytes(),
                ws -> capped(ws, ip, token, () -> serve(id, ws, gatingOn, upgradedAt)));
    }

    /** 429 at the upgrade when this client already holds its share of connections (limits.maxConnectionsPer*). */
    private boolean refusedByCaps(ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback,
                                  String ip, String token) {
        String refusal = caps.refusal(ip, token);
        if (refusal == null) {
            return false;
        }
        metrics.wsRefused(HttpStatus.TOO_MANY_REQUESTS_429);
        response.getHeaders().put(HttpHeader.RETRY_AFTER, String.valueOf(RETRY_AFTER_FULL.toSeconds()));
        Response.writeError(request, response, callback, HttpStatus.TOO_MANY_REQUESTS_429, refusal);
        return true;
    }

    /** Runs {@code connection} counted against its client's caps; closes 1008 when a race took the last slot. */
    private void capped(BlockingWebSocket ws, String ip, String token, Runnable connection) {
        ConnectionCaps.Held held = caps.acquire(ip, token);
        if (held == null) {
            ws.closeHandshake(CloseCodes.POLICY, "too many connections from this client (limits.maxConnectionsPerIp/PerToken)",
                    REFUSAL_GRACE);
            ws.discardUntilClosed();
            metrics.wsClosed(CloseCodes.POLICY);
            return;
        }
        try {
            connection.run();
        } finally {
            caps.release(held);
        }
    }

    private void refuseUnavailable(ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback,
                                   Duration retryAfter, String reason) {
        metrics.wsRefused(HttpStatus.SERVICE_UNAVAILABLE_503);
        response.getHeaders().put(HttpHeader.RETRY_AFTER, String.valueOf(retryAfter.toSeconds()));
        Response.writeError(request, response, callback, HttpStatus.SERVICE_UNAVAILABLE_503, reason);
    }

    /**
     * Every watch upgrade comes through here (the place for an access check). The last entry a
     * watcher saw comes as {@code ?last=<entry>} or a {@code Last-Event-ID} header.
     */
    private Object upgradeWatch(ServerUpgradeRequest request, ServerUpgradeResponse response, Callback callback) {
        String id = admittedId(request, response, callback, WATCH_PATH, Access.WATCH);
        if (id == null) {
            return null;
        }
        if (settings.resultsMaxLen() == 0) {
            Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404,
                    "watching is off on this server (results.maxLen is 0)");
            return null;
        }
        String last = Request.extractQueryParameters(request).getValue("last");
        if (last == null) {
            last = request.getHeaders().get("Last-Event-ID");
        }
        if (last != null && !SharedState.validEntry(last)) {
            Response.writeError(request, response, callback, HttpStatus.BAD_REQUEST_400,
                    "invalid last entry id: expected <millis>-<seq> as sent in a result's \"entry\"");
            return null;
        }
        String from = last;
        String framesParam = Request.extractQueryParameters(request).getValue("frames");
        int frames;
        try {
            frames = framesParam == null ? 0 : Integer.parseInt(framesParam);
        } catch (NumberFormatException e) {
            frames = -1;
        }
        if (frames < 0 || frames > io.framewire.events.Pictures.MAX_PER_SECOND) {
            Response.writeError(request, response, callback, HttpStatus.BAD_REQUEST_400,
                    "invalid frames: expected ?frames=<0.." + io.framewire.events.Pictures.MAX_PER_SECOND + "> pictures a second");
            return null;
        }
        if (frames > 0 && settings.events().latestBytes() == 0) {
            Response.writeError(request, response, callback, HttpStatus.NOT_FOUND_404,
                    "pictures are off on this server (latest.maxBytes is 0)");
            return null;
        }
        int perSecond = frames;
        String ip = caps.clientAddress(request);
        String token = authorizer.tokenKey(request);
        if (refusedByCaps(request, response, callback, ip, token)) {
            return null;
        }
        if (watchers.get() >= settings.maxWatchers()) {
            refuseUnavailable(request, response, callback, RETRY_AFTER_FULL,
                    "too many watchers on this host (watchers.max): try another host");
            return null;
        }
        return new BlockingWebSocket("ws-watch-" + id, frameBuffers, settings.maxTextBytes(), ws -> capped(ws, ip, token, () -> {
            if (watchers.incrementAndGet() > settings.maxWatchers()) {
                // only after a race: concurrent upgrades passed the check above for the last slot
                watchers.decrementAndGet();
                ws.closeHandshake(CloseCodes.TRY_AGAIN, "too many watchers on this host (watchers.max): try another host",
                        REFUSAL_GRACE);
                ws.discardUntilClosed();
                metrics.wsClosed(CloseCodes.TRY_AGAIN);
                return;
            }
            Object kept = keepalive.add(ws, false);
            try {
                new WatchSession(id, ws, output, perSecond, this::picture).run(state, from);
            } finally {
                keepalive.remove(kept);
                watchers.decrementAndGet();
            }
        }));
    }

    /** Runs on the connection's own virtual thread for its whole life. */
    private void serve(String id, BlockingWebSocket ws, boolean gating, java.time.Instant upgradedAt) {
        metrics.wsConnects.inc();
        if (draining || registry.size() >= settings.maxStreams()) {
            // Only after a race: the upgrade passed the same check (else 503), then a drain began or
            // concurrent upgrades took the last slots before this stream registered. A handshake,
            // reading until the client's close: a camera that sends at once would otherwise get a
            // reset over its unread frame, not the 1013 that says try elsewhere.
            ws.closeHandshake(CloseCodes.TRY_AGAIN, draining ? "server shutting down: try another host" : "server at capacity: try another host",
                    REFUSAL_GRACE);
            ws.discardUntilClosed();
            metrics.wsClosed(CloseCodes.TRY_AGAIN);
            return;
        }
        StreamContext context = settings.gating().newStream(gating, tracksAlive);
        var session = new StreamSession(id, ws, scheduler, settings.mailboxDepth(), output,
                settings.maxFps(), metrics, message -> state.publish(id, message), context, advisor::fps, upgradedAt);
        var listener = events.opened(id);
        context.listen(listener);
        registry.register(session);
        state.opened(session);
        state.tracks(session, context);
        if (draining) {
            session.drain(drainDeadline); // the drain began between the check above and register
        }
        log.debug("stream {} connected from {}", id, ws.remoteAddress());
        Object kept = keepalive.add(ws, session);
        try {
            session.run();
        } finally {
            keepalive.remove(kept);
            registry.unregister(session);
            context.close();
            events.closed(id, listener);
            state.closed(session);
            BlockingWebSocket.Closed closed = ws.closed();
            int code = closed == null ? CloseStatus.NO_CLOSE : closed.code();
            metrics.wsClosed(code);
            if (code == CloseCodes.TOO_BIG) {
                metrics.droppedTooBig.inc();
            }
            log.debug("stream {} ended: {} received, {} dropped, close {}", id, session.framesReceived(),
                    session.framesDropped(), closed);
        }
    }

    /**
     * Graceful drain, bounded by {@code shutdown.graceMs}: {@code /readyz} turns 503 and new streams
     * get HTTP 503 at the upgrade at once; every publisher stops being read, its accepted frames are processed and
     * answered, then it is closed with 1001 so it reconnects elsewhere. Publishers left at the
     * deadline are closed anyway. Workers and Jetty keep running: {@link #close()} stops them.
     */
    public synchronized void drain() throws InterruptedException {
        if (draining) {
            return;
        }
        long start = System.nanoTime();
        drainDeadline = start + settings.shutdownGrace().toNanos();
        draining = true;
        if (watchdog != null) {
            watchdog.stopping();
        }
        log.info("draining: {} stream(s), {} frame(s) in flight, grace {} ms", registry.size(), framesInFlight(),
                settings.shutdownGrace().toMillis());
        registry.all().forEach(s -> s.drain(drainDeadline));
        long nextLog = start + TimeUnit.SECONDS.toNanos(1);
        while (registry.size() > 0 && System.nanoTime() < drainDeadline) {
            Thread.sleep(10);
            if (System.nanoTime() >= nextLog) {
                log.info("draining: {} stream(s) left, {} frame(s) in flight", registry.size(), framesInFlight());
                nextLog += TimeUnit.SECONDS.toNanos(1);
            }
        }
        int left = registry.size();
        if (left > 0) {
            log.warn("drain: grace of {} ms over, closing {} stream(s) with {} frame(s) unanswered",
                    settings.shutdownGrace().toMillis(), left, framesInFlight());
            registry.all().forEach(s -> s.close(CloseCodes.GOING_AWAY, CloseCodes.SHUTTING_DOWN));
        }
        log.info("drained in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    private int framesInFlight() {
        return registry.all().stream().mapToInt(StreamSession::framesUnfinished).sum();
    }

    /** {@link #drain()}, then stops the workers and Jetty (SIGTERM's shutdown hook). */
    @Override
    public void close() throws Exception {
        drain();
        if (watchdog != null) {
            watchdog.close();
        }
        keepalive.close();
        workers.close();
        try {
            jetty.stop();
        } catch (TimeoutException e) {
            // the short graceful phase for plain HTTP ran out (an idle client connection): Jetty stopped anyway
            log.debug("jetty stop: {}", e.toString());
        }
        events.close();
        state.close();
    }
}
