package io.framewire.watchdog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.ManagedSelector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The probe against a real Jetty server whose selector or scheduler is made to hang by a blocking task. */
class JettyProbeTest {

    private static final long STALL = TimeUnit.MILLISECONDS.toNanos(300);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private Server server;
    private ServerConnector connector;
    private JettyProbe probe;
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void start() throws Exception {
        server = new Server();
        connector = new ServerConnector(server, 1, 1);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.start();
        probe = new JettyProbe(server);
    }

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        server.stop();
    }

    private String tick() {
        return probe.stall(System.nanoTime(), STALL);
    }

    private void awaitTurning() {
        // every part has run its task since the last tick, for several ticks in a row
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).during(Duration.ofMillis(600)).until(() -> tick() == null);
    }

    @Test
    void watchesEverySelectorAndTheScheduler() {
        assertThat(probe.parts()).isEqualTo(2); // one selector, one scheduler
        awaitTurning();
    }

    @Test
    void aSelectorThatDoesNotTurnIsAStallUntilItTurnsAgain() throws Exception {
        awaitTurning();
        ManagedSelector selector = connector.getSelectorManager().getBeans(ManagedSelector.class).iterator().next();
        CountDownLatch blocked = new CountDownLatch(1);
        selector.submit(s -> {
            blocked.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
        String stall = await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(this::tick, s -> s != null);
        assertThat(stall).startsWith("selector 0 of ").contains("has not turned for");
        release.countDown();
        awaitTurning();
    }

    @Test
    void aSchedulerThatDoesNotRunTasksIsAStall() throws Exception {
        awaitTurning();
        CountDownLatch blocked = new CountDownLatch(1);
        server.getScheduler().schedule(() -> {
            blocked.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, 0, TimeUnit.MILLISECONDS);
        assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
        String stall = await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(this::tick, s -> s != null);
        assertThat(stall).startsWith("jetty scheduler has not turned for");
        release.countDown();
        awaitTurning();
    }
}
