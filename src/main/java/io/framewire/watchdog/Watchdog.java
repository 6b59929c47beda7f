package io.framewire.watchdog;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * systemd's service watchdog ({@code Type=notify}, {@code WatchdogSec=}): {@code READY=1} once the
 * server serves, {@code STOPPING=1} when it drains, and {@code WATCHDOG=1} every quarter of
 * {@code WatchdogSec} while every {@link Probe} sees progress. A part without progress for half of
 * {@code WatchdogSec} withholds the heartbeat (and says why in {@code STATUS=} and the log), so
 * systemd restarts a process stuck for 1.5 x {@code WatchdogSec} at most; a SIGSTOPped or frozen
 * JVM sends nothing and is restarted after {@code WatchdogSec}. The heartbeat comes from its own
 * platform thread, not from any of the parts it checks.
 *
 * <p>Reads {@code NOTIFY_SOCKET}, {@code WATCHDOG_USEC} and {@code WATCHDOG_PID} as sd_watchdog_enabled(3)
 * does: no socket, nothing sent; no {@code WATCHDOG_USEC} (or a {@code WATCHDOG_PID} of another
 * process), no heartbeat.
 */
public final class Watchdog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Watchdog.class);

    private final SdNotify notify;
    private final List<Probe> probes;
    private final long periodNanos;
    private final long stallNanos;
    private final Thread thread;
    private volatile boolean stopping;

    private Watchdog(SdNotify notify, List<Probe> probes, long watchdogNanos) {
        this.notify = notify;
        this.probes = List.copyOf(probes);
        this.periodNanos = watchdogNanos / 4;
        this.stallNanos = watchdogNanos / 2;
        this.thread = watchdogNanos > 0 && notify.enabled()
                ? Thread.ofPlatform().name("watchdog").daemon().unstarted(this::beat)
                : null;
    }

    /**
     * Reads the environment (see the class comment). The heartbeat, when systemd asks for one, begins
     * at {@link #ready}: systemd arms its watchdog only once the start job completes.
     */
    public static Watchdog start(Map<String, String> env, List<Probe> probes) {
        SdNotify notify = SdNotify.from(env);
        long usec = watchdogUsec(env);
        Watchdog w = new Watchdog(notify, probes, TimeUnit.MICROSECONDS.toNanos(usec));
        if (w.thread != null) {
            log.info("systemd watchdog: heartbeat every {} ms while selectors, scheduler and workers progress (stall after {} ms)",
                    TimeUnit.NANOSECONDS.toMillis(w.periodNanos), TimeUnit.NANOSECONDS.toMillis(w.stallNanos));
        } else if (notify.enabled()) {
            log.info("systemd notify: READY/STOPPING only (no WATCHDOG_USEC for this process)");
        }
        return w;
    }

    /** WATCHDOG_USEC when it is for this process; 0 otherwise. */
    static long watchdogUsec(Map<String, String> env) {
        String pid = env.get("WATCHDOG_PID");
        if (pid != null && !pid.isEmpty() && !pid.equals(String.valueOf(ProcessHandle.current().pid()))) {
            return 0;
        }
        try {
            long usec = Long.parseLong(env.getOrDefault("WATCHDOG_USEC", "0").trim());
            return Math.max(usec, 0);
        } catch (NumberFormatException e) {
            log.warn("WATCHDOG_USEC={} is not a number: no heartbeat", env.get("WATCHDOG_USEC"));
            return 0;
        }
    }

    /** The server accepts streams: systemd's start job completes, then the heartbeat begins (never before READY=1). */
    public void ready(String status) {
        notify.send("READY=1\nSTATUS=" + status);
        if (thread != null) {
            thread.start();
        }
    }

    /** The drain began: systemd shows the unit as deactivating; the heartbeat goes on until {@link #close()}. */
    public void stopping() {
        stopping = true;
        notify.send("STOPPING=1\nSTATUS=draining");
    }

    private void beat() {
        String stalled = null;
        while (!Thread.currentThread().isInterrupted()) {
            String why = null;
            long now = System.nanoTime();
            for (Probe p : probes) {
                why = p.stall(now, stallNanos);
                if (why != null) {
                    break;
                }
            }
            if (why == null) {
                notify.send(stalled == null ? "WATCHDOG=1" : "WATCHDOG=1\nSTATUS=" + (stopping ? "draining" : "serving"));
                if (stalled != null) {
                    log.warn("watchdog: progress again, heartbeat resumed (was: {})", stalled);
                }
            } else if (stalled == null) {
                log.error("watchdog: heartbeat withheld, systemd restarts this process if it lasts: {}", why);
                notify.send("STATUS=stalled: " + why);
            }
            stalled = why;
            try {
                TimeUnit.NANOSECONDS.sleep(periodNanos);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        notify.close();
    }
}
