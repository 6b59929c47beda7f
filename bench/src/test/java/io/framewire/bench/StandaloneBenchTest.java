package io.framewire.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framewire.testing.TestData;
import io.framewire.inference.ImageHeader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StandaloneBenchTest {

    private static final Path YUNET = TestData.yunet();
    private static final Path MESSI = TestData.media("messi5.jpg");
    private static final Path MEGAMIND = TestData.media("Megamind.avi");

    @Test
    void benchmarksADirectoryOfJpegs(@TempDir Path dir) throws Exception {
        Files.copy(MESSI, dir.resolve("messi5.jpg"));
        Files.writeString(dir.resolve("notes.txt"), "not an image");

        String line = StandaloneBench.run(new String[] {
            "--detector", "yunet", "--model", YUNET.toString(), "--images", dir.toString(),
            "--seconds", "1", "--warmup", "0.2", "--device", "cpu"});

        JsonNode json = new ObjectMapper().readTree(line);
        assertThat(json.get("detector").asText()).isEqualTo("yunet");
        assertThat(json.get("frames").asLong()).isPositive();
        assertThat(json.get("seconds").asDouble()).isBetween(1.0, 2.0);
        assertThat(json.get("fps").asDouble()).isPositive();
        assertThat(json.get("ms_per_frame").asDouble())
                // relative: fps is rounded to 0.01, which on a slow (loaded) machine moves 1000/fps by more than 0.01 ms
                .isCloseTo(1000 / json.get("fps").asDouble(), org.assertj.core.api.Assertions.withinPercentage(0.5));
        assertThat(json.get("decode_only").asBoolean()).isFalse();
        assertThat(json.get("batch").asInt()).isEqualTo(1);
    }

    @Test
    void decodesOnlyOrRunsBatchedYunet(@TempDir Path dir) throws Exception {
        Files.copy(MESSI, dir.resolve("messi5.jpg"));
        JsonNode decode = new ObjectMapper().readTree(StandaloneBench.run(new String[] {
            "--detector", "none", "--decodeOnly", "true", "--images", dir.toString(), "--seconds", "0.5", "--warmup", "0.1"}));
        assertThat(decode.get("decode_only").asBoolean()).isTrue();
        assertThat(decode.get("frames").asLong()).isPositive();

        JsonNode batched = new ObjectMapper().readTree(StandaloneBench.run(new String[] {
            "--detector", "yunet", "--model", YUNET.toString(), "--images", dir.toString(), "--device", "cpu",
            "--yunet.batched", "true", "--batch", "4", "--seconds", "0.5", "--warmup", "0.1"}));
        assertThat(batched.get("batch").asInt()).isEqualTo(4);
        assertThat(batched.get("frames").asLong()).isPositive().matches(n -> n % 4 == 0, "whole batches");
    }

    @Test
    void turnsAVideoInto320x240JpegsOnce() throws Exception {
        List<byte[]> frames = StandaloneBench.videoFrames(MEGAMIND);

        assertThat(frames).hasSize(270)
                .allSatisfy(f -> assertThat(ImageHeader.read(f)).isEqualTo(new ImageHeader("jpeg", 320, 240)));
    }
}
