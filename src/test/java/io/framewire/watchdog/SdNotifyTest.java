package io.framewire.watchdog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SdNotifyTest {

    @Test
    void withoutNotifySocketNothingIsOpenedOrSent() {
        try (SdNotify n = SdNotify.from(Map.of())) {
            assertThat(n.enabled()).isFalse();
            n.send("READY=1"); // nowhere to go: a no-op, not an error
        }
        assertThat(SdNotify.from(Map.of("NOTIFY_SOCKET", "")).enabled()).isFalse();
    }

    @Test
    void sendsEachMessageAsOneDatagram() throws Exception {
        try (NotifyReceiver rx = new NotifyReceiver(); SdNotify n = SdNotify.from(Map.of("NOTIFY_SOCKET", rx.path()))) {
            assertThat(n.enabled()).isTrue();
            n.send("READY=1\nSTATUS=serving");
            n.send("WATCHDOG=1");
            await().atMost(Duration.ofSeconds(10)).until(() -> rx.size() == 2);
            assertThat(rx.messages()).containsExactly("READY=1\nSTATUS=serving", "WATCHDOG=1");
        }
    }

    @Test
    void aSocketNobodyListensOnIsLoggedNotThrown() {
        try (SdNotify n = SdNotify.from(Map.of("NOTIFY_SOCKET", "/nonexistent/notify.sock"))) {
            n.send("WATCHDOG=1");
            n.send("WATCHDOG=1");
        }
    }

    @Test
    void heartbeatOnlyForTheProcessSystemdNamed() {
        String me = String.valueOf(ProcessHandle.current().pid());
        assertThat(Watchdog.watchdogUsec(Map.of("WATCHDOG_USEC", "30000000"))).isEqualTo(30_000_000);
        assertThat(Watchdog.watchdogUsec(Map.of("WATCHDOG_USEC", "30000000", "WATCHDOG_PID", me))).isEqualTo(30_000_000);
        assertThat(Watchdog.watchdogUsec(Map.of("WATCHDOG_USEC", "30000000", "WATCHDOG_PID", "1"))).isZero();
        assertThat(Watchdog.watchdogUsec(Map.of())).isZero();
        assertThat(Watchdog.watchdogUsec(Map.of("WATCHDOG_USEC", "soon"))).isZero();
    }

    @Test
    void withoutWatchdogUsecOnlyReadyAndStopping() throws Exception {
        try (NotifyReceiver rx = new NotifyReceiver()) {
            Watchdog w = Watchdog.start(Map.of("NOTIFY_SOCKET", rx.path()), List.of((now, stall) -> null));
            w.ready("serving");
            w.stopping();
            await().atMost(Duration.ofSeconds(10)).until(() -> rx.size() == 2);
            w.close();
            assertThat(rx.messages()).containsExactly("READY=1\nSTATUS=serving", "STOPPING=1\nSTATUS=draining");
        }
    }
}
