package io.framewire.bench.loadgen;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * The WebSocket client under the load generator ({@code --client}). {@link LoadRun} paces,
 * counts and reports; a transport only connects, sends and delivers replies to its conns.
 */
interface Transport extends AutoCloseable {

    static Transport open(LoadGenConfig cfg, StreamConn.Sinks sinks) throws Exception {
        return switch (cfg.client()) {
            case NIO -> new NioTransport(cfg.ioThreads(), sinks);
            case JETTY -> new JettyTransport(cfg, sinks);
        };
    }

    /** A not yet connected stream. */
    default StreamConn newConn() {
        return newConn(new StreamLedger());
    }

    /** A not yet connected connection of the stream that {@code ledger} accounts for. */
    StreamConn newConn(StreamLedger ledger);

    /** What {@link StreamConn#trySend} is given for one image; built once per image, sent many times. */
    ByteBuffer prepare(ByteBuffer image);

    /**
     * Opens {@code c} to {@code uri}; completes when the upgrade succeeded, exceptionally when it
     * failed. Called from the pacing thread and, with --reconnect, the reconnect timer.
     */
    CompletableFuture<?> connect(StreamConn c, URI uri);

    /** Stops the client and drops whatever connections are left. */
    @Override
    void close();
}
