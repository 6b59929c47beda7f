package io.framewire.bench.loadgen;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code --client nio}: a minimal RFC 6455 client on plain NIO, so that on a small box the load
 * generator spends its CPU on syscalls rather than on a library's per-frame machinery, and the
 * benchmark measures the server. Connections are spread round-robin over {@code --io-threads}
 * selector threads. ws:// only.
 */
final class NioTransport implements Transport {
    private final StreamConn.Sinks sinks;
    private final IoThread[] threads;
    private int next; // guarded by this: the pacing thread and the reconnect timer both connect
    private String lastAuthority;
    private InetSocketAddress lastAddress; // every stream goes to the same host: resolve it once

    NioTransport(int ioThreads, StreamConn.Sinks sinks) throws IOException {
        this.sinks = sinks;
        this.threads = new IoThread[ioThreads];
        for (int i = 0; i < ioThreads; i++) {
            threads[i] = new IoThread("lg-nio-" + i);
            threads[i].start();
        }
    }

    @Override
    public StreamConn newConn(StreamLedger ledger) {
        return new NioConn(sinks, ledger);
    }

    /**
     * The whole client frame, masked once. RFC 6455 wants a fresh unpredictable mask per frame to
     * protect intermediaries from crafted payloads; against our own server on loopback a fixed
     * mask per image is harmless, and the server unmasks the same number of bytes either way.
     */
    @Override
    public ByteBuffer prepare(ByteBuffer image) {
        return WsFrames.clientFrame(WsFrames.BINARY, image, ThreadLocalRandom.current().nextInt());
    }

    @Override
    public synchronized CompletableFuture<?> connect(StreamConn c, URI uri) {
        if (!"ws".equals(uri.getScheme())) {
            return CompletableFuture.failedFuture(new IOException("--client nio speaks ws:// only; use --client jetty"));
        }
        NioConn conn = (NioConn) c;
        conn.start(threads[next++ % threads.length], uri, address(uri));
        return conn.upgraded;
    }

    private InetSocketAddress address(URI uri) {
        if (!uri.getAuthority().equals(lastAuthority)) {
            lastAuthority = uri.getAuthority();
            lastAddress = new InetSocketAddress(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 80);
        }
        return lastAddress;
    }

    @Override
    public void close() {
        for (IoThread t : threads) {
            try {
                t.shutdown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
