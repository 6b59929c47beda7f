package io.framewire.watchdog;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Proves Jetty's event loop turns: at each tick, a no-op update submitted to every selector of
 * every connector (it runs on the selector's own thread, between two selects) and a no-op task on
 * Jetty's scheduler. A part whose last task has not run within the stall time is stalled. Only one
 * task per part is outstanding at a time, so a stalled selector never piles up tasks.
 */
public final class JettyProbe implements Probe {

    private final List<Turn> turns = new ArrayList<>();

    /** One part that runs tasks: when the outstanding one was handed over (0: none outstanding). */
    private abstract static class Turn {
        final String name;
        volatile long submittedAt;

        Turn(String name) {
            this.name = name;
        }

        abstract void submit(Runnable done);
    }

    public JettyProbe(Server server) {
        for (Connector c : server.getConnectors()) {
            if (!(c instanceof ServerConnector sc)) {
                continue;
            }
            SelectorManager selectors = sc.getSelectorManager();
            int i = 0;
            for (ManagedSelector selector : selectors.getBeans(ManagedSelector.class)) {
                String name = "selector " + i++ + " of " + c.getName();
                turns.add(new Turn(name) {
                    @Override
                    void submit(Runnable done) {
                        selector.submit(s -> done.run());
                    }
                });
            }
        }
        Scheduler scheduler = server.getScheduler();
        turns.add(new Turn("jetty scheduler") {
            @Override
            void submit(Runnable done) {
                scheduler.schedule(done, 0, TimeUnit.MILLISECONDS);
            }
        });
    }

    /** Selectors and schedulers watched (for the log). */
    public int parts() {
        return turns.size();
    }

    @Override
    public String stall(long nowNanos, long stallNanos) {
        String stalled = null;
        for (Turn t : turns) {
            long since = t.submittedAt;
            if (since == 0) {
                long now = System.nanoTime();
                t.submittedAt = now == 0 ? 1 : now;
                try {
                    t.submit(() -> t.submittedAt = 0);
                } catch (RuntimeException e) {
                    t.submittedAt = 0; // stopping: nothing to prove
                }
            } else if (nowNanos - since > stallNanos && stalled == null) {
                stalled = t.name + " has not turned for " + TimeUnit.NANOSECONDS.toMillis(nowNanos - since) + " ms";
            }
        }
        return stalled;
    }
}
