package io.framewire.metrics;

import static io.framewire.testing.MetricsText.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A device's instruments: shared by its executors, busy time counted once where their passes overlap. */
class DeviceTest {

    private static final long MS = 1_000_000;

    private final Metrics metrics = new Metrics();

    @Test
    void executorsOfOneDeviceShareItsSeries() throws IOException {
        Metrics.Device first = metrics.device("sim:0", 8);
        assertThat(metrics.device("sim:0", 8)).isSameAs(first);
        first.forwardPass(8, 0, 5 * MS);
        metrics.device("sim:0", 8).forwardPass(4, 5 * MS, 10 * MS);
        String text = scrape();
        assertThat(value(text, "framewire_device_forward_passes_total{device=\"sim:0\"}")).isEqualTo(2);
        assertThat(value(text, "framewire_device_batch_fill_sum{device=\"sim:0\"}")).isEqualTo(1.5);
        assertThat(text).doesNotContain("sim:1");
    }

    @Test
    void overlappingPassesCountTheTimeTheDeviceHadWorkOnce() throws IOException {
        Metrics.Device device = metrics.device("cuda:0", 8);
        device.forwardPass(8, 0, 5 * MS);           // executor A
        device.forwardPass(8, 1 * MS, 10 * MS);     // executor B, queued behind A: adds 5..10
        device.forwardPass(8, 12 * MS, 15 * MS);    // after an idle gap: adds 3
        device.forwardPass(8, 13 * MS, 14 * MS);    // inside the last one: adds nothing
        assertThat(value(scrape(), "framewire_device_busy_seconds_total{device=\"cuda:0\"}"))
                .isCloseTo(0.013, within(1e-9));
    }

    private String scrape() throws IOException {
        var out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, metrics.registry().scrape());
        return out.toString(StandardCharsets.UTF_8);
    }
}
