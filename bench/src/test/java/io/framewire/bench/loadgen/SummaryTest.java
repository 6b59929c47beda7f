package io.framewire.bench.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class SummaryTest {

    private static RunResult sample(long[] perStream) {
        LoadGenConfig cfg = LoadGenConfig.parse(new String[] {"--source", "f", "--streams", "2", "--duration", "10s"});
        Histogram h = new Histogram(1, 300_000_000L, 3);
        for (int i = 1; i <= 100; i++) {
            h.recordValue(i * 1000L); // 1..100 ms
        }
        return new RunResult(cfg, 300, 16000, 10.0,
                new RunResult.Connections(2, 2, 1, 0, Map.of(), 1, Map.of("1013 overloaded", 1L), Map.of()),
                new StreamLedger.Counts(300, 4, 250, 2, 48, 0), perStream, h,
                Map.of("bad_image", 2L), Map.of(), 0,
                new RunResult.Accounting(400, 330, 2, 60, 8, 2, 0, 0),
                new RunResult.LoadgenCost(1.5, 3.25, 7), RunResult.Reconnects.none());
    }

    @Test
    void shape() {
        JsonNode j = Summary.toJson(sample(new long[] {125, 125}));
        assertThat(j.path("config").path("streams").asInt()).isEqualTo(2);
        assertThat(j.path("config").path("duration_s").asDouble()).isEqualTo(10.0);
        assertThat(j.path("config").path("client").asText()).isEqualTo("nio");
        assertThat(j.path("config").path("io_threads").asInt()).isEqualTo(1);
        assertThat(j.path("frames_sent_per_s").asDouble()).isEqualTo(30.0);
        assertThat(j.path("results").asLong()).isEqualTo(250);
        assertThat(j.path("results_per_s").asDouble()).isEqualTo(25.0);
        assertThat(j.path("send_skipped").asLong()).isEqualTo(4);
        assertThat(j.path("errors").asLong()).isEqualTo(2);
        assertThat(j.path("error_codes").path("bad_image").asLong()).isEqualTo(2);
        assertThat(j.path("dropped").asLong()).isEqualTo(48);
        assertThat(j.path("dropped_ratio").asDouble()).isEqualTo(0.16); // 48 / (250+2+48)
        JsonNode lat = j.path("latency_ms");
        assertThat(lat.path("count").asLong()).isEqualTo(100);
        assertThat(lat.path("p50").asDouble()).isBetween(49.9, 50.1);
        assertThat(lat.path("p99").asDouble()).isBetween(98.9, 99.1);
        assertThat(lat.path("max").asDouble()).isBetween(99.9, 100.1);
        assertThat(lat.has("p90")).isTrue();
        assertThat(lat.has("p99_9")).isTrue();
        JsonNode cn = j.path("connections");
        assertThat(cn.path("connect_failures").asLong()).isZero();
        assertThat(cn.path("unexpected_closes").asLong()).isEqualTo(1);
        assertThat(cn.path("close_reasons").path("1013 overloaded").asLong()).isEqualTo(1);
        assertThat(j.path("fairness").path("jain").asDouble()).isEqualTo(1.0);
        assertThat(j.path("fairness").path("min_results").asLong()).isEqualTo(125);
        assertThat(j.path("accounting").path("consistent").asBoolean()).isTrue();
        assertThat(j.path("loadgen").path("cpu_us_per_frame_sent").asDouble()).isEqualTo(5000.0);
    }

    @Test
    void jainIsNullWithoutResults() {
        JsonNode j = Summary.toJson(sample(new long[] {0, 0}));
        assertThat(j.path("fairness").path("jain").isNull()).isTrue();
    }

    @Test
    void isOneLine() throws Exception {
        String line = Summary.MAPPER.writeValueAsString(Summary.toJson(sample(new long[] {1, 2})));
        assertThat(line).doesNotContain("\n");
    }
}
