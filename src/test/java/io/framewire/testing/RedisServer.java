package io.framewire.testing;

import static io.framewire.testing.Waits.WAIT;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * A real {@code redis-server} on a free loopback port, without persistence, for one test class.
 * {@link #kill()} and {@link #restart()} simulate a crash and an empty replacement on the same port.
 *
 * <p>redis-server cannot bind port 0 and report it ({@code --port 0} turns TCP off), so the port is
 * picked free and may be taken by someone else before redis binds it. That race is detected, not
 * hoped away: redis-server exits when its bind fails, and the server that answers must report our
 * process id. A first start then tries another port; a restart keeps its port (clients hold its URL)
 * and retries until the port is free again.
 */
public final class RedisServer implements AutoCloseable {

    private static final int START_ATTEMPTS = 5;

    private int port;
    private final File log;
    private Process process;

    private RedisServer() throws IOException {
        this.log = File.createTempFile("redis-", ".log");
        log.deleteOnExit();
    }

    public static RedisServer start() throws Exception {
        RedisServer r = new RedisServer();
        BindFailed last = null;
        for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
            r.port = freePort();
            try {
                r.launch();
                return r;
            } catch (BindFailed e) {
                last = e; // someone took the port between our check and redis's bind: pick another
            }
        }
        throw new IllegalStateException("redis-server found no free port in " + START_ATTEMPTS + " attempts", last);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** redis-server exited at start because its port was taken. */
    private static final class BindFailed extends Exception {
        BindFailed(String message) {
            super(message);
        }
    }

    private void launch() throws Exception {
        try {
            process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--daemonize", "no")
                    .redirectErrorStream(true).redirectOutput(log).start();
        } catch (IOException e) {
            throw new IllegalStateException("redis-server not found: install it (Debian: apt-get install redis-server)", e);
        }
        Process launched = process;
        try {
            // done when our process answers, or when it has exited (checked below)
            Waits.await().until(() -> !launched.isAlive() || answersAsUs(launched));
        } catch (ConditionTimeoutException e) {
            throw new IllegalStateException("redis-server did not answer on port " + port + " within " + WAIT + "; see " + log, e);
        }
        if (!launched.isAlive()) {
            String out = Files.readString(log.toPath());
            if (out.contains("Address already in use")) {
                throw new BindFailed("port " + port + " taken: " + out);
            }
            throw new IllegalStateException("redis-server exited with " + launched.exitValue() + ": " + out);
        }
    }

    /** True when the redis-server on our port is {@code launched}, not another one that got there first. */
    private boolean answersAsUs(Process launched) {
        try (Jedis j = client()) {
            return j.info("server").contains("process_id:" + launched.pid() + "\r\n");
        } catch (RuntimeException notYet) {
            return false;
        }
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
        process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * A fresh, empty server on the same port. Should another socket hold the port meanwhile (a
     * client's ephemeral port, say), it retries until the port is free, up to {@link Waits#WAIT}.
     */
    public void restart() throws Exception {
        Waits.await().ignoreExceptionsInstanceOf(BindFailed.class).until(() -> {
            launch();
            return true;
        });
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            kill();
        }
    }
}
