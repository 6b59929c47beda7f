package io.framewire.server;

import static io.framewire.testing.Waits.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.testing.Http;
import io.framewire.testing.MetricsText;
import io.framewire.testing.RawWs;
import io.framewire.testing.ServerExtension;
import io.framewire.testing.TestData;
import io.framewire.testing.Waits;
import io.framewire.testing.WsClient;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Issue 25: byte budgets, slots that cannot be squatted, overload that is not silence; real sockets. */
class BudgetsServerTest {

    @RegisterExtension
    final ServerExtension servers = new ServerExtension();

    static double metric(FramewireServer server, String sample) throws Exception {
        String text = Http.metrics(server.port());
        return text.contains(sample + " ") ? MetricsText.value(text, sample) : 0;
    }

    @Test
    void aWatcherThatNeverReadsIsClosedWith1008ByBytesNotCount() throws Exception {
        FramewireServer server = servers.start("detector", "none", "ws.maxPendingResults", "65536",
                "ws.maxPendingBytes", "65536");
        byte[] frame = TestData.messi();
        try (WsClient cam = WsClient.stream(server.port(), "cam-1");
             RawWs watcher = RawWs.open(server.port(), "/ws/watch/cam-1", Map.of(), 4096)) {
            assertThat(watcher.status).isEqualTo(101);
            int sent = 0;
            Waits.until(() -> metric(server, "framewire_watchers"), n -> n == 1);
            while (metric(server, "framewire_output_dropped_total") == 0 && sent < 60_000) {
                for (int i = 0; i < 200; i++, sent++) {
                    cam.send(frame);
                    assertThat(cam.next(WAIT).path("type").asText()).isEqualTo("result");
                }
            }
            System.out.printf("non-reading watcher closed after %d results; output dropped %.0f%n", sent,
                    metric(server, "framewire_output_dropped_total"));
            assertThat(Waits.until(() -> metric(server, "framewire_watchers"), n -> n == 0)).as("closed, then dropped").isZero();
            assertThat(metric(server, "framewire_output_pending_bytes")).isLessThanOrEqualTo(65536);
            cam.send(frame);
            assertThat(cam.next(WAIT).path("type").asText()).as("the publisher carries on").isEqualTo("result");
        }
    }
}
