package io.framewire.stream;

import io.framewire.protocol.CloseCodes;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every connection's outbound direction busy and closes the idle ones, from one ticker thread.
 *
 * <p>A connection the server has written nothing to for {@code ws.pingMs} gets a ping. A live host
 * thus never goes quiet towards the balancer for longer than that, and NGINX's
 * {@code proxy_read_timeout}, sized a few pings above it, cuts the sockets of a host that went
 * quiet because it hangs (SIGSTOP, GC death spiral, frozen VM): its cameras see the connection end
 * and reconnect, to a live host. The same short timeout bounds NGINX's wait for the upgrade answer
 * of a hung host, before it tries the next one.
 *
 * <p>Pings count as activity for Jetty's idle timeout, so the idle rule lives here: a publisher that
 * sends no frame (text does not count), or a watcher that does not even answer a ping, for {@code ws.idleTimeoutMs} is
 * closed with 1001 ("Connection Idle Timeout", as Jetty would).
 */
public final class Keepalive implements AutoCloseable {

    private static final Duration CLOSE_GRACE = Duration.ofSeconds(2);
    private static final Logger log = LoggerFactory.getLogger(Keepalive.class);

    private record Entry(BlockingWebSocket ws, boolean publisher, StreamSession stream) {}

    private final Set<Entry> entries = ConcurrentHashMap.newKeySet();
    private final long pingNanos;
    private final long idleNanos;
    private final long firstFrameNanos;
    private final Thread ticker;
    private volatile boolean stopped;

    /**
     * {@code ping} zero: no pings (only the idle rule). {@code firstFrame}: a publisher that sends no
     * binary message this long after its upgrade is closed (1008): a slot is for a camera, not a socket.
     */
    public Keepalive(Duration ping, Duration idle, Duration firstFrame) {
        this.pingNanos = ping.toNanos();
        this.idleNanos = idle.toNanos();
        this.firstFrameNanos = firstFrame.toNanos();
        // at most 250 ms: a stream's status messages (StreamSession.statusIfSilent) ride on this tick
        long tick = Math.clamp((pingNanos > 0 ? Math.min(pingNanos, idleNanos) : idleNanos) / 8,
                TimeUnit.MILLISECONDS.toNanos(50), TimeUnit.MILLISECONDS.toNanos(250));
        this.ticker = Thread.ofPlatform().daemon().name("ws-keepalive").start(() -> {
            while (!stopped) {
                try {
                    TimeUnit.NANOSECONDS.sleep(tick);
                } catch (InterruptedException e) {
                    return;
                }
                tick(System.nanoTime());
            }
        });
    }

    /**
     * Watches {@code ws} until {@link #remove}: a publisher is idle when it sends no message, a
     * watcher (which sends none) when it answers no ping either.
     */
    public Object add(BlockingWebSocket ws, boolean publisher) {
        Entry e = new Entry(ws, publisher, null);
        entries.add(e);
        return e;
    }

    /** A publisher: as {@link #add}, and its status messages while it is served less than it sends. */
    public Object add(BlockingWebSocket ws, StreamSession stream) {
        Entry e = new Entry(ws, true, stream);
        entries.add(e);
        return e;
    }

    public void remove(Object handle) {
        entries.remove(handle);
    }

    /** One pass over the connections at {@code now} (System.nanoTime()). */
    void tick(long now) {
        for (Entry e : entries) {
            BlockingWebSocket ws = e.ws();
            if (ws.closed() != null) {
                continue;
            }
            long heard = e.publisher() ? ws.lastMessageNanos() : ws.lastHeardNanos();
            if (e.publisher() && !ws.anyBinary() && now - heard > firstFrameNanos) {
                entries.remove(e);
                log.debug("{}: no frame within {} ms, closing", ws.remoteAddress(), TimeUnit.NANOSECONDS.toMillis(firstFrameNanos));
                ws.close(CloseCodes.POLICY, "no frame within ws.firstFrameMs of connecting", CLOSE_GRACE);
            } else if (now - heard > idleNanos) {
                entries.remove(e);
                log.debug("{}: idle for {} ms, closing", ws.remoteAddress(), TimeUnit.NANOSECONDS.toMillis(now - heard));
                ws.close(CloseCodes.GOING_AWAY, "Connection Idle Timeout", CLOSE_GRACE);
            } else {
                if (e.stream() != null) {
                    e.stream().statusIfSilent(now);
                }
                if (pingNanos > 0 && now - ws.lastSentNanos() >= pingNanos) {
                    ws.ping();
                }
            }
        }
    }

    @Override
    public void close() {
        stopped = true;
        ticker.interrupt();
    }
}
