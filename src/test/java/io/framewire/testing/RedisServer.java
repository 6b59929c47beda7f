package io.framewire.testing;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * A real {@code redis-server} on a free loopback port, without persistence, for one test class.
 * {@link #kill()} and {@link #restart()} simulate a crash and an empty replacement on the same port.
 */
public final class RedisServer implements AutoCloseable {

    private final int port;
    private final File log;
    private Process process;

    private RedisServer(int port) throws IOException {
        this.port = port;
        this.log = File.createTempFile("redis-" + port + "-", ".log");
        log.deleteOnExit();
    }

    public static RedisServer start() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        RedisServer r = new RedisServer(port);
        r.launch();
        return r;
    }

    private void launch() throws Exception {
        try {
            process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--daemonize", "no")
                    .redirectErrorStream(true).redirectOutput(log).start();
        } catch (IOException e) {
            throw new IllegalStateException("redis-server not found: install it (Debian: apt-get install redis-server)", e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + process.exitValue() + "; see " + log);
            }
            try (Jedis j = client()) {
                if ("PONG".equals(j.ping())) {
                    return;
                }
            } catch (RuntimeException notYet) {
                Thread.sleep(20);
            }
        }
        throw new IllegalStateException("redis-server did not answer on port " + port + " within 10 s; see " + log);
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** A new connection for the test's own checks; close it. */
    public Jedis client() {
        return new Jedis(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder()
                .timeoutMillis(2000).autoNegotiateProtocol(false).build());
    }

    /** SIGKILL: a crash, nothing flushed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** A fresh, empty server on the same port. */
    public void restart() throws Exception {
        launch();
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            kill();
        }
    }
}
