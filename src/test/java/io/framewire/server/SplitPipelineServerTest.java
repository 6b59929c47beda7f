package io.framewire.server;

import static io.framewire.testing.Waits.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.framewire.testing.Http;
import io.framewire.testing.MetricsText;
import io.framewire.testing.ServerExtension;
import io.framewire.testing.TestData;
import io.framewire.testing.WsClient;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The split pipeline (decoder threads feeding the executors of each device) behind real WebSockets:
 * the simulated accelerator and YuNet, with the inline pipeline's guarantees (order, one frame in
 * flight, exact accounting of every frame).
 */
class SplitPipelineServerTest {

    @RegisterExtension
    final ServerExtension servers = new ServerExtension();

    @Test
    void simulatedDeviceAnswersOrAccountsForEveryFrameOfEveryStream() throws Exception {
        long started = System.nanoTime();
        FramewireServer server = servers.start("detector", "sim", "sim.batchMs", "20", "batch.max", "8",
                "pipeline", "split", "pipeline.decoders", "2");
        byte[] jpeg = TestData.messi();
        int streams = 12;
        int frames = 40;
        List<WsClient> clients = new ArrayList<>();
        try {
            for (int s = 0; s < streams; s++) {
                clients.add(WsClient.stream(server.port(), "sim-" + s));
            }
            // bursts far faster than 20 ms per pass of 8 answers: mailboxes replace frames
            for (int i = 0; i < frames; i++) {
                for (WsClient c : clients) {
                    c.send(jpeg);
                }
            }
            int largestBatch = 0;
            long droppedAll = 0;
            for (WsClient c : clients) {
                List<JsonNode> results = StreamServerTest.untilSeq(c, frames - 1);
                long dropped = results.stream().mapToLong(r -> r.path("dropped").asLong()).sum();
                droppedAll += dropped;
                assertThat(results.size() + dropped).as("results + dropped = frames sent").isEqualTo(frames);
                long previous = -1;
                for (JsonNode r : results) {
                    assertThat(r.path("seq").asLong()).isGreaterThan(previous);
                    previous = r.path("seq").asLong();
                    assertThat(r.path("width").asInt()).as("decoded for real").isEqualTo(548);
                    largestBatch = Math.max(largestBatch, r.path("timing").path("batch").asInt());
                }
            }
            assertThat(droppedAll).as("the simulated device is the bottleneck").isPositive();
            assertThat(largestBatch).as("frames of several streams share a forward pass").isBetween(2, 8);

            String metrics = Http.metrics(server.port());
            double elapsed = (System.nanoTime() - started) / 1e9;
            assertThat(metrics).as("two executors (the default), one device").doesNotContain("sim:1");
            double passes = MetricsText.value(metrics, "framewire_device_forward_passes_total{device=\"sim:0\"}");
            double processed = MetricsText.value(metrics, "framewire_frames_processed_total");
            assertThat(passes).isPositive().isLessThan(processed);
            assertThat(MetricsText.value(metrics, "framewire_device_batch_fill_count{device=\"sim:0\"}")).isEqualTo(passes);
            // each pass takes 20 ms of the device; the executors' overlapping waits count once
            assertThat(MetricsText.value(metrics, "framewire_device_busy_seconds_total{device=\"sim:0\"}"))
                    .isGreaterThanOrEqualTo(passes * 0.019)
                    .isLessThanOrEqualTo(elapsed);
            assertThat(passes * 0.020).as("one pass at a time on the device").isLessThanOrEqualTo(elapsed);
        } finally {
            for (WsClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void splitYunetFindsTheSameFaceAndRefusesABadFrame() throws Exception {
        FramewireServer server = servers.start("detector", "yunet", "model", TestData.yunet().toString(),
                "workers", "1", "pipeline", "split", "pipeline.decoders", "2");
        try (WsClient client = WsClient.stream(server.port(), "messi")) {
            client.send(TestData.messi());
            JsonNode r = client.next(WAIT);
            assertThat(r.path("type").asText()).isEqualTo("result");
            assertThat(r.path("detections").size()).isEqualTo(1);
            JsonNode box = r.path("detections").get(0).path("box");
            // Messi's face, located by eye: centre about (232, 95)
            assertThat(box.get(0).asInt()).isLessThan(232);
            assertThat(box.get(0).asInt() + box.get(2).asInt()).isGreaterThan(232);

            client.send(new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3});
            JsonNode bad = client.next(WAIT);
            assertThat(bad.path("type").asText()).isEqualTo("error");
            assertThat(bad.path("seq").asLong()).isEqualTo(1);

            client.send(TestData.messi());
            JsonNode again = client.next(WAIT);
            assertThat(again.path("seq").asLong()).isEqualTo(2);
            assertThat(again.path("detections").size()).isEqualTo(1);
        }
    }

    @Test
    void autoSplitsForTheSimulatedDeviceAndStaysInlineOnCpu() throws Exception {
        FramewireServer sim = servers.start("detector", "sim", "pipeline.decoders", "3");
        String metrics = Http.metrics(sim.port());
        assertThat(metrics).contains("framewire_device_forward_passes_total{device=\"sim:0\"}");
        assertThat(MetricsText.value(metrics, "framewire_workers")).as("two executors feed the device").isEqualTo(2);
        assertThat(Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("decode-")).count())
                .isGreaterThanOrEqualTo(3);
        servers.close(sim);

        FramewireServer cpu = servers.start("detector", "haar", "workers", "1");
        assertThat(Http.metrics(cpu.port())).doesNotContain("framewire_device_forward_passes");
    }
}
