package io.framewire.client;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * One framewire stream, published (frames in, messages out) or watched, under the client contract
 * (docs/protocol.md): close codes, backoff with full jitter, 503 + Retry-After, the silence rule, advice.fps,
 * the token as a subprotocol. A virtual thread runs the connect/reconnect loop; the JDK's
 * WebSocket delivers the messages.
 *
 * <pre>{@code
 * try (FramewireClient fw = FramewireClient.publisher(URI.create("ws://127.0.0.1:8080"), "cam-1")
 *         .listener(m -> System.out.println(m)).start()) {
 *     fw.send(jpegBytes);                       // the seq, or -1 when not sent (not open, or still sending)
 *     double fps = fw.pace(15);                 // min(15, advice.fps): the rate to send at
 * }
 * }</pre>
 */
public final class FramewireClient implements AutoCloseable {

    /** The close code the client uses when the silence rule ends a connection (the browser client's too). */
    public static final int CLOSE_SILENCE = 4408;
    /** Frames outstanding and no message from the server for this long: the host is taken for hung. */
    public static final Duration SILENCE = Duration.ofSeconds(3);

    private static final Pattern STREAM_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final int MAX_TEXT_CHARS = 1 << 20; // the server's text messages are a few KB
    private static final long CHECK_MS = 100;

    /** A client per stream, one HttpClient for all: its selector thread is shared, reads run on virtual threads. */
    private static final class Shared {
        static final HttpClient HTTP = HttpClient.newBuilder()
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** Counts since start (all connections). */
    public record Stats(long connections, long sent, long results, long errors, long dropped, Closed lastClose) {}

    private final URI server;
    private final String stream;
    private final boolean watch;
    private final String token;
    private final boolean gating;
    private final Listener listener;
    private final HttpClient http;
    private final Duration connectTimeout;
    private final Backoff backoff;
    private final LongSupplier nanoTime;

    private final Object listenerLock = new Object();
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong results = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile Closed lastClose;
    private volatile double advisedFps = -1;
    private volatile String lastEntry; // watch: resume after it
    private volatile State state = State.CONNECTING;
    private volatile boolean stopped;
    private volatile Conn current;
    private Thread loop;

    private FramewireClient(Builder b) {
        this.server = b.server;
        this.stream = b.stream;
        this.watch = b.watch;
        this.token = b.token;
        this.gating = b.gating;
        this.listener = b.listener;
        this.http = b.http != null ? b.http : Shared.HTTP;
        this.connectTimeout = b.connectTimeout;
        this.backoff = new Backoff(b.random);
        this.nanoTime = b.nanoTime;
    }

    /** A client that publishes frames to {@code stream} on {@code server} ({@code ws://host:port} or {@code wss://…}). */
    public static Builder publisher(URI server, String stream) {
        return new Builder(server, stream, false);
    }

    /** A client that watches {@code stream}'s messages (read-only), resuming after the last entry seen. */
    public static Builder watcher(URI server, String stream) {
        return new Builder(server, stream, true);
    }

    public static final class Builder {
        private final URI server;
        private final String stream;
        private final boolean watch;
        private String token;
        private boolean gating = true;
        private Listener listener = new Listener() {};
        private HttpClient http;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
        private LongSupplier nanoTime = System::nanoTime;

        private Builder(URI server, String stream, boolean watch) {
            String scheme = Objects.requireNonNull(server, "server").getScheme();
            if (!"ws".equals(scheme) && !"wss".equals(scheme)) {
                throw new IllegalArgumentException("server must be ws:// or wss://, not " + server);
            }
            if (stream == null || !STREAM_ID.matcher(stream).matches()) {
                throw new IllegalArgumentException("stream id must be 1-128 of [A-Za-z0-9._-], not " + stream);
            }
            this.server = server;
            this.stream = stream;
            this.watch = watch;
        }

        /** A JWT, sent as the subprotocol {@code framewire.bearer.<jwt>}; null or blank: none. */
        public Builder token(String token) {
            this.token = token == null || token.isBlank() ? null : token.strip();
            return this;
        }

        /** false: {@code ?gating=off} (the detector runs on every frame of this connection). */
        public Builder gating(boolean gating) {
            this.gating = gating;
            return this;
        }

        public Builder listener(Listener listener) {
            this.listener = Objects.requireNonNull(listener);
            return this;
        }

        /** Messages only (a lambda); see {@link Listener} for the state too. */
        public Builder onMessage(java.util.function.Consumer<Message> onMessage) {
            Objects.requireNonNull(onMessage);
            return listener(new Listener() {
                @Override
                public void onMessage(Message message) {
                    onMessage.accept(message);
                }
            });
        }

        /** The HttpClient to connect with (e.g. for TLS settings); default: one shared by all clients. */
        public Builder httpClient(HttpClient http) {
            this.http = http;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /** The jitter's source, uniform in [0, 1). */
        public Builder random(DoubleSupplier random) {
            this.random = random;
            return this;
        }

        /** The clock of the silence rule. */
        public Builder nanoTime(LongSupplier nanoTime) {
            this.nanoTime = nanoTime;
            return this;
        }

        public FramewireClient build() {
            return new FramewireClient(this);
        }

        /** Builds and starts: the client connects in the background and reconnects until closed. */
        public FramewireClient start() {
            return build().start();
        }
    }

    /** Starts connecting (once). */
    public synchronized FramewireClient start() {
        if (loop == null) {
            loop = Thread.ofVirtual().name("framewire-client-" + stream).start(this::run);
        }
        return this;
    }

    /**
     * Sends one encoded image (JPEG or PNG) as a binary message; the array is the client's until the
     * send completes. Returns its seq on this connection, or -1 when not sent: not open, or the
     * previous frame is still being written (the camera's next frame is fresher anyway).
     */
    public long send(byte[] image) {
        Conn c = current;
        if (watch || c == null) {
            return -1;
        }
        long seq = c.send(image);
        if (seq >= 0) {
            sent.incrementAndGet();
        }
        return seq;
    }

    /** The server's last advice.fps for this stream; -1 before any, 0 until it measured. */
    public double advisedFps() {
        return advisedFps;
    }

    /** The rate to send at: {@code min(maxFps, advice.fps)}, or {@code maxFps} while there is no advice yet. */
    public double pace(double maxFps) {
        double advice = advisedFps;
        return advice > 0 ? Math.min(maxFps, advice) : maxFps;
    }

    public State state() {
        return state;
    }

    public boolean isOpen() {
        return state == State.OPEN;
    }

    public String stream() {
        return stream;
    }

    public Stats stats() {
        return new Stats(connections.get(), sent.get(), results.get(), errors.get(), dropped.get(), lastClose);
    }

    /** Closes with 1000 and stops reconnecting; returns without waiting for the server. */
    @Override
    public void close() {
        stopped = true;
        Conn c = current;
        if (c != null) {
            c.stop();
        }
        Thread t;
        synchronized (this) {
            t = loop;
        }
        if (t != null) {
            t.interrupt();
        }
    }

    private void run() {
        while (!stopped) {
            setState(State.CONNECTING, null);
            Conn c = new Conn();
            Closed closed;
            try {
                c.ws = connect(c);
                connections.incrementAndGet();
                current = c;
                if (stopped) {
                    c.stop();
                }
                setState(State.OPEN, null);
                closed = c.awaitEnd();
                current = null;
                long delay = stopped ? Backoff.STOP : backoff.afterClose(closed.code(), c.gotResult);
                closed = new Closed(closed.code(), 0, closed.reason(), delay);
            } catch (InterruptedException e) {
                break;
            } catch (Refused r) {
                long delay = stopped ? Backoff.STOP : backoff.afterFailedConnect(r.status, r.retryAfterMs);
                closed = new Closed(0, r.status, r.getMessage(), delay);
            }
            lastClose = closed;
            if (closed.delayMs() < 0) {
                stopped = true;
                setState(State.STOPPED, closed);
                return;
            }
            setState(State.WAITING, closed);
            try {
                Thread.sleep(closed.delayMs());
            } catch (InterruptedException e) {
                break;
            }
        }
        setState(State.STOPPED, lastClose);
    }

    private URI uri() {
        String base = server.toString().replaceAll("/+$", "");
        String path = (watch ? "/ws/watch/" : "/ws/streams/") + stream;
        String query = "";
        if (watch && lastEntry != null) {
            query = "?last=" + URLEncoder.encode(lastEntry, StandardCharsets.UTF_8);
        } else if (!watch && !gating) {
            query = "?gating=off";
        }
        return URI.create(base + path + query);
    }

    private WebSocket connect(Conn c) throws InterruptedException, Refused {
        List<String> protocols = new ArrayList<>(List.of("framewire"));
        if (token != null) {
            protocols.add("framewire.bearer." + token);
        }
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(connectTimeout)
                .subprotocols(protocols.getFirst(), protocols.subList(1, protocols.size()).toArray(String[]::new));
        try {
            return b.buildAsync(uri(), c).get(connectTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause != null && !(cause instanceof WebSocketHandshakeException)) {
                cause = cause.getCause();
            }
            if (cause instanceof WebSocketHandshakeException h && h.getResponse() != null) {
                int status = h.getResponse().statusCode();
                long retryAfter = h.getResponse().headers().firstValue("Retry-After")
                        .map(FramewireClient::retryAfterMs).orElse(0L);
                throw new Refused(status, retryAfter, "upgrade refused: HTTP " + status);
            }
            throw new Refused(0, 0, "connect failed: " + e.getCause());
        } catch (TimeoutException e) {
            throw new Refused(0, 0, "connect timed out after " + connectTimeout.toMillis() + " ms");
        }
    }

    static long retryAfterMs(String value) {
        try {
            return Math.max(0, Math.min(3_600, Long.parseLong(value.strip()))) * 1_000; // seconds; an HTTP date: ignored
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private void setState(State s, Closed closed) {
        state = s;
        synchronized (listenerLock) {
            listener.onState(s, closed);
        }
    }

    private static final class Refused extends Exception {
        final int status;
        final long retryAfterMs;

        Refused(int status, long retryAfterMs, String message) {
            super(message, null, false, false);
            this.status = status;
            this.retryAfterMs = retryAfterMs;
        }
    }

    /** One connection: its frame accounting for the silence rule and how it ended. */
    private final class Conn implements WebSocket.Listener {
        volatile WebSocket ws;
        final CompletableFuture<Closed> end = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        private CompletableFuture<WebSocket> sending = CompletableFuture.completedFuture(null);
        private long nextSeq;              // seq of the next frame sent
        private long answered = -1;        // every frame up to this seq is answered or counted in a dropped
        private long silenceSince;         // the later of the last message and the send of the oldest unanswered frame
        volatile boolean gotResult;

        synchronized long send(byte[] image) {
            if (end.isDone() || !sending.isDone()) {
                return -1;
            }
            long seq = nextSeq++;
            if (seq - 1 <= answered) {
                silenceSince = nanoTime.getAsLong(); // this frame is now the oldest unanswered one
            }
            sending = ws.sendBinary(ByteBuffer.wrap(image), true);
            sending.whenComplete((w, t) -> {
                if (t != null) {
                    end.complete(new Closed(1006, 0, "send failed: " + t, 0));
                }
            });
            return seq;
        }

        private synchronized void heard(long seq) {
            silenceSince = nanoTime.getAsLong();
            if (seq > answered) {
                answered = seq; // results come in seq order: earlier frames are answered or in this one's dropped
            }
        }

        private synchronized boolean silent() {
            return nextSeq - 1 > answered && nanoTime.getAsLong() - silenceSince > SILENCE.toNanos();
        }

        Closed awaitEnd() throws InterruptedException {
            while (true) {
                try {
                    return end.get(CHECK_MS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    if (silent()) {
                        // the verdict first: abort() fails the send in flight, whose handler would report 1006
                        end.complete(new Closed(CLOSE_SILENCE, 0,
                                "no message from the server for " + SILENCE.toSeconds() + " s with frames outstanding", 0));
                        ws.abort(); // a hung host would never answer a close handshake
                    }
                } catch (ExecutionException e) {
                    throw new IllegalStateException(e); // never completed exceptionally
                }
            }
        }

        void stop() {
            end.complete(new Closed(1000, 0, "closed by the client", Backoff.STOP));
            WebSocket w = ws;
            if (w != null) {
                w.sendClose(WebSocket.NORMAL_CLOSURE, "").whenComplete((x, t) -> w.abort());
            }
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            if (text.length() + data.length() > MAX_TEXT_CHARS) {
                end.complete(new Closed(1009, 0, "text message over " + MAX_TEXT_CHARS + " chars from the server", 0));
                webSocket.abort();
                return null;
            }
            text.append(data);
            if (last) {
                String message = text.toString();
                text.setLength(0);
                deliver(message);
            }
            webSocket.request(1);
            return null;
        }

        private void deliver(String raw) {
            Optional<Message> parsed;
            try {
                parsed = Wire.parse(raw);
            } catch (Exception e) {
                parsed = Optional.empty(); // not ours to judge: still a sign of life
            }
            long seq = -1;
            if (parsed.isPresent()) {
                Message m = parsed.get();
                switch (m) {
                    case Message.Result r -> {
                        seq = r.seq();
                        gotResult = true;
                        results.incrementAndGet();
                        dropped.addAndGet(r.dropped());
                        if (r.adviceFps() >= 0) {
                            advisedFps = r.adviceFps();
                        }
                    }
                    case Message.FrameError err -> {
                        seq = err.seq();
                        errors.incrementAndGet();
                        dropped.addAndGet(err.dropped());
                    }
                    case Message.Status st -> {
                        if (st.adviceFps() >= 0) {
                            advisedFps = st.adviceFps();
                        }
                    }
                    case Message.Watching w -> { }
                }
                if (m.entry() != null) {
                    lastEntry = m.entry();
                }
            }
            heard(watch ? -1 : seq);
            if (parsed.isPresent()) {
                synchronized (listenerLock) {
                    listener.onMessage(parsed.get());
                }
            }
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            webSocket.request(1); // the server sends none
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            end.complete(new Closed(statusCode, 0, reason, 0));
            return null; // the JDK answers the close at once
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            end.complete(new Closed(1006, 0, String.valueOf(error), 0));
        }
    }
}
