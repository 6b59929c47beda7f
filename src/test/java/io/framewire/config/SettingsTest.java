package io.framewire.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.framewire.inference.DetectorKind;
import io.framewire.inference.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    private static Settings parse(String[] args, Map<String, String> env) {
        return Settings.from(ConfigSources.merge(args, env, new LinkedHashSet<>(Settings.NAMES)));
    }

    @Test
    void defaultsServeTheBuiltInYuNetOn8080() {
        Settings s = parse(new String[0], Map.of());
        assertThat(s.port()).isEqualTo(8080);
        assertThat(s.detector().kind()).isEqualTo(DetectorKind.YUNET);
        assertThat(s.detector().model()).as("null: the model the jar carries").isNull();
        assertThat(s.detector().device()).isEqualTo(Device.AUTO);
        assertThat(s.mailboxDepth()).isEqualTo(1);
        assertThat(s.workers()).as("0 = one per core / per GPU").isZero();
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("framewire.properties");
        Files.writeString(file, "port=9000\nworkers=3\nbatch.max=16\n");
        Settings s = parse(new String[] {"--config", file.toString(), "--port=9100"},
                Map.of("FRAMEWIRE_PORT", "9050", "FRAMEWIRE_WORKERS", "5"));
        assertThat(s.port()).isEqualTo(9100);
        assertThat(s.workers()).isEqualTo(5);
        assertThat(s.batchMax()).isEqualTo(16);
    }

    @Test
    void printConfigSaysEachEffectiveValueAndItsSourceWithSecretsMasked(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("framewire.properties");
        Files.writeString(file, "port=9000\nbatch.max=16\n");
        ConfigSources.Sourced sourced = ConfigSources.read(
                new String[] {"--config", file.toString(), "--port=9100", "--redis", "redis://fw:hunter2hunter2@10.0.0.5:6379"},
                Map.of("FRAMEWIRE_WORKERS", "5", "FRAMEWIRE_SECURITY_JWT_SECRET", "s3cret-s3cret-s3cret-s3cret-s3cret"),
                new LinkedHashSet<>(Settings.NAMES));
        String text = Catalog.effective(sourced);
        assertThat(text.lines()).hasSize(Settings.NAMES.size());
        assertThat(line(text, "port")).contains("9100").contains("(flag --port)");
        assertThat(line(text, "batch.max")).contains("16").contains("(file " + file + ")");
        assertThat(line(text, "workers")).contains("5").contains("(env FRAMEWIRE_WORKERS)");
        assertThat(line(text, "host")).contains("(default)");
        assertThat(line(text, "security.jwt.secret")).contains("****").doesNotContain("s3cret");
        assertThat(line(text, "redis")).contains("redis://fw:****@10.0.0.5:6379").doesNotContain("hunter2");
    }

    private static String line(String text, String name) {
        return text.lines().filter(l -> l.startsWith(name + " ")).findFirst().orElseThrow(() -> new AssertionError(name + " not printed"));
    }

    @Test
    void batchAndMailboxSettingsUseTheirDottedNames() {
        Settings s = parse(new String[] {"--batch.max", "4", "--batch.maxWaitMs", "7", "--mailbox.depth", "3"},
                Map.of());
        assertThat(s.batchMax()).isEqualTo(4);
        assertThat(s.batchMaxWait().toMillis()).isEqualTo(7);
        assertThat(s.mailboxDepth()).isEqualTo(3);
        assertThat(ConfigSources.envName("batch.maxWaitMs")).isEqualTo("FRAMEWIRE_BATCH_MAXWAITMS");
    }

    @Test
    void pipelineSimAndBatchedYunetSettings() {
        Settings d = parse(new String[0], Map.of());
        assertThat(d.pipeline().mode()).isEqualTo("auto");
        assertThat(d.pipeline().decoders()).isZero();
        assertThat(d.detector().simBatchMs()).isEqualTo(5.0);
        assertThat(d.detector().yunetBatched()).as("unset: batched on CUDA only").isNull();

        Settings s = parse(new String[] {"--detector", "sim", "--sim.batchMs", "2.5", "--pipeline", "split",
            "--pipeline.decoders", "3", "--yunet.batched", "true"}, Map.of());
        assertThat(s.detector().kind()).isEqualTo(DetectorKind.SIM);
        assertThat(s.detector().simBatchMs()).isEqualTo(2.5);
        assertThat(s.pipeline().mode()).isEqualTo("split");
        assertThat(s.pipeline().decoderThreads()).isEqualTo(3);
        assertThat(s.detector().yunetBatched()).isTrue();

        assertThatThrownBy(() -> parse(new String[] {"--pipeline", "fast"}, Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--pipeline");
        assertThatThrownBy(() -> parse(new String[] {"--sim.batchMs", "0"}, Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--sim.batchMs");
        assertThatThrownBy(() -> parse(new String[] {"--yunet.batched", "maybe"}, Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--yunet.batched");
    }

    @Test
    void invalidValuesNameTheSetting() {
        assertThatThrownBy(() -> parse(new String[] {"--workers", "-1"}, Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--workers").hasMessageContaining("'-1'");
        assertThatThrownBy(() -> parse(new String[] {"--port", "http"}, Map.of()))
                .hasMessageContaining("--port");
        assertThatThrownBy(() -> parse(new String[] {"--detector", "resnet"}, Map.of()))
                .hasMessageContaining("--detector").hasMessageContaining("yunet");
        assertThatThrownBy(() -> parse(new String[] {"--device", "tpu"}, Map.of()))
                .hasMessageContaining("--device");
        assertThatThrownBy(() -> parse(new String[0], Map.of("FRAMEWIRE_MAILBOX_DEPTH", "0")))
                .hasMessageContaining("--mailbox.depth");
        assertThatThrownBy(() -> parse(new String[] {"--detector", "yolo"}, Map.of()))
                .hasMessageContaining("--model");
    }

    @Test
    void unknownSettingsAndStrayArgumentsAreRefused(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> parse(new String[] {"--prot", "80"}, Map.of()))
                .hasMessageContaining("unknown setting --prot");
        assertThatThrownBy(() -> parse(new String[] {"8080"}, Map.of()))
                .hasMessageContaining("unexpected argument '8080'");
        assertThatThrownBy(() -> parse(new String[] {"--port"}, Map.of()))
                .hasMessageContaining("--port needs a value");
        Path file = dir.resolve("bad.properties");
        Files.writeString(file, "wrokers=2\n");
        assertThatThrownBy(() -> parse(new String[] {"--config", file.toString()}, Map.of()))
                .hasMessageContaining("wrokers");
        assertThatThrownBy(() -> parse(new String[] {"--config", dir.resolve("missing").toString()}, Map.of()))
                .hasMessageContaining("--config");
    }

    @Test
    void redisIsOffByDefaultAndParsedFromItsUrl() {
        Settings none = parse(new String[0], Map.of());
        assertThat(none.redis()).isNull();
        assertThat(none.resultsMaxLen()).isEqualTo(1000);

        Settings s = parse(new String[] {"--redis", "redis://app:s3cr%40t@cache.internal:6380/2", "--results.maxLen", "50",
            "--host.id", "edge-7"}, Map.of("FRAMEWIRE_REDIS_TIMEOUTMS", "250"));
        assertThat(s.redis().host()).isEqualTo("cache.internal");
        assertThat(s.redis().port()).isEqualTo(6380);
        assertThat(s.redis().database()).isEqualTo(2);
        assertThat(s.redis().user()).isEqualTo("app");
        assertThat(s.redis().password()).isEqualTo("s3cr@t");
        assertThat(s.redis().tls()).isFalse();
        assertThat(s.redis().timeout().toMillis()).isEqualTo(250);
        assertThat(s.redis().toString()).doesNotContain("s3cr");
        assertThat(s.resultsMaxLen()).isEqualTo(50);
        assertThat(s.hostId()).isEqualTo("edge-7");

        Settings tls = parse(new String[] {"--redis", "rediss://cache:6379", "--redis.password", "pw"}, Map.of());
        assertThat(tls.redis().tls()).isTrue();
        assertThat(tls.redis().password()).isEqualTo("pw");
        assertThat(tls.redis().database()).isZero();
        assertThat(parse(new String[] {"--redis", "rediss://cache", "--redis.tls", "false"}, Map.of()).redis().tls()).isFalse();
    }

    @Test
    void badRedisSettingsNameTheSettingAndHideThePassword() {
        assertThatThrownBy(() -> parse(new String[] {"--redis", "http://cache:6379"}, Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--redis").hasMessageContaining("redis://");
        assertThatThrownBy(() -> parse(new String[] {"--redis", "redis://u:hunter2@cache:6379/99"}, Map.of()))
                .hasMessageContaining("database").hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> parse(new String[] {"--redis", "redis://cache:99999"}, Map.of()))
                .hasMessageContaining("--redis");
        assertThatThrownBy(() -> parse(new String[] {"--redis.password", "x"}, Map.of()))
                .hasMessageContaining("--redis.password needs --redis");
        assertThatThrownBy(() -> parse(new String[] {"--redis", "redis://c", "--redis.tls", "maybe"}, Map.of()))
                .hasMessageContaining("--redis.tls");
        assertThatThrownBy(() -> parse(new String[] {"--results.maxLen", "-1"}, Map.of()))
                .hasMessageContaining("--results.maxLen");
        assertThatThrownBy(() -> parse(new String[] {"--host.id", "has space"}, Map.of()))
                .hasMessageContaining("--host.id");
    }

    @Test
    void edgeSafetyDefaultsAreOpenButBounded() {
        Settings s = parse(new String[0], Map.of());
        assertThat(s.auth().jwt()).as("auth off for the quick start").isFalse();
        assertThat(s.auth().allowedOrigins()).isEmpty();
        assertThat(s.maxFps()).as("0 = no rate limit").isZero();
        assertThat(s.maxTextBytes()).isEqualTo(65_536);
        assertThat(s.imageLimits().maxWidth()).isEqualTo(4096);
        assertThat(s.imageLimits().maxHeight()).isEqualTo(4096);
        assertThat(s.imageLimits().maxPixels()).isEqualTo(1L << 23);
        assertThat(s.shutdownGrace().toMillis()).isEqualTo(10_000);
    }

    @Test
    void securityAndLimitSettingsParseFromEveryPlace(@TempDir Path dir) throws Exception {
        Path key = Files.writeString(dir.resolve("key.pem"), "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n");
        Settings s = parse(new String[] {"--security.auth", "jwt", "--security.jwt.publicKey", key.toString(),
                        "--security.allowedOrigins", "https://a.example, https://b.example", "--limits.maxFps", "30"},
                Map.of("FRAMEWIRE_LIMITS_MAXIMAGEPIXELS", "2000000", "FRAMEWIRE_SECURITY_JWT_CLOCKSKEWS", "5",
                        "FRAMEWIRE_SECURITY_JWT_ISSUER", "https://auth.example"));
        assertThat(s.auth().jwt()).isTrue();
        assertThat(s.auth().publicKey()).isEqualTo(key);
        assertThat(s.auth().allowedOrigins()).containsExactly("https://a.example", "https://b.example");
        assertThat(s.auth().clockSkew().toSeconds()).isEqualTo(5);
        assertThat(s.auth().issuer()).isEqualTo("https://auth.example");
        assertThat(s.maxFps()).isEqualTo(30);
        assertThat(s.imageLimits().maxPixels()).isEqualTo(2_000_000);
    }

    @Test
    void jwtNeedsExactlyOneUsableKeyAndTheSecretIsNeverPrinted() {
        assertThatThrownBy(() -> parse(new String[] {"--security.auth", "jwt"}, Map.of()))
                .hasMessageContaining("exactly one of").hasMessageContaining("(0 given)");
        assertThatThrownBy(() -> parse(new String[] {"--security.auth", "jwt", "--security.jwt.jwks", "a.json"},
                Map.of("FRAMEWIRE_SECURITY_JWT_SECRET", "0123456789abcdef0123456789abcdef")))
                .hasMessageContaining("(2 given)");
        assertThatThrownBy(() -> parse(new String[] {"--security.auth", "jwt"}, Map.of("FRAMEWIRE_SECURITY_JWT_SECRET", "short")))
                .hasMessageContaining("--security.jwt.secret").hasMessageContaining("32 bytes").hasMessageNotContaining("short");
        assertThatThrownBy(() -> parse(new String[] {"--security.auth", "yes"}, Map.of()))
                .hasMessageContaining("--security.auth");
        assertThatThrownBy(() -> parse(new String[] {"--limits.maxImagePixels", "0"}, Map.of()))
                .hasMessageContaining("--limits.maxImagePixels");
        assertThatThrownBy(() -> parse(new String[] {"--limits.maxFps", "-1"}, Map.of()))
                .hasMessageContaining("--limits.maxFps");
        Settings s = parse(new String[] {"--security.auth", "jwt"}, Map.of("FRAMEWIRE_SECURITY_JWT_SECRET", "0123456789abcdef0123456789abcdef"));
        assertThat(s.toString()).doesNotContain("0123456789abcdef");
    }

    @Test
    void theInferenceWorkingSizeDefaultsPerDetector() {
        assertThat(Settings.from(java.util.Map.of("detector", "haar")).inferenceMaxSide()).as("haar").isEqualTo(960);
        assertThat(Settings.from(java.util.Map.of()).inferenceMaxSide()).as("the default, yunet").isEqualTo(1280);
        assertThat(Settings.from(java.util.Map.of("detector", "yunet", "model", "m.onnx")).inferenceMaxSide()).isEqualTo(1280);
        assertThat(Settings.from(java.util.Map.of("detector", "yolo", "model", "m.onnx", "inputSize", "416")).inferenceMaxSide())
                .as("YOLO letterboxes to its input anyway").isEqualTo(416);
        assertThat(Settings.from(java.util.Map.of("detector", "haar", "inference.maxSide", "0")).inferenceMaxSide()).isZero();
    }

    @Test
    void gatingAndTrackingSettings() {
        var d = parse(new String[0], Map.of()).gating();
        assertThat(d).isEqualTo(io.framewire.inference.GatingConfig.DEFAULT);
        assertThat(d.enabled()).isTrue();
        var g = parse(new String[] {"--gating.enabled", "false", "--gating.threshold", "0.05", "--gating.refreshMs", "250",
                "--tracking.minHits", "2"}, Map.of("FRAMEWIRE_TRACKING_MAXAGEMS", "3000")).gating();
        assertThat(g).isEqualTo(new io.framewire.inference.GatingConfig(false, 0.05, java.time.Duration.ofMillis(250), 2,
                java.time.Duration.ofSeconds(3)));
        for (String[] bad : new String[][] {{"--gating.enabled", "maybe"}, {"--gating.threshold", "1.5"},
                {"--gating.refreshMs", "-1"}, {"--tracking.minHits", "0"}, {"--tracking.maxAgeMs", "x"}}) {
            assertThatThrownBy(() -> parse(bad, Map.of())).hasMessageContaining(bad[0]);
        }
    }

    @Test
    void theDocsTableIsGeneratedFromTheDeclarations() throws Exception {
        List<String> doc = Files.readAllLines(Path.of("docs/configuration.md"));
        int start = doc.indexOf("| setting | default | values | meaning |");
        assertThat(start).as("docs/configuration.md's settings table header").isNotNegative();
        int end = start;
        while (end < doc.size() && doc.get(end).startsWith("|")) {
            end++;
        }
        String table = String.join("\n", doc.subList(start, end)) + "\n";
        String expected = Catalog.markdownTable();
        if (!table.equals(expected)) {
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target/settings-table.md"), expected);
        }
        assertThat(table).as("docs/configuration.md's settings table differs from config/Catalog: paste "
                + "target/settings-table.md over it").isEqualTo(expected);
    }

    @Test
    void everySettingIsDeclaredOnceWithItsValuesAndDoc() {
        assertThat(Catalog.NAMES).doesNotHaveDuplicates().hasSize(Catalog.ALL.size());
        assertThat(Settings.NAMES).isSameAs(Catalog.NAMES);
        for (Setting<?> s : Catalog.ALL) {
            assertThat(s.doc()).as(s.name()).isNotBlank().doesNotContain("|");
            assertThat(s.values()).as(s.name()).isNotBlank().doesNotContain("|");
            assertThat(s.defaultText()).as(s.name()).isNotBlank();
        }
        // the declared defaults are what the server runs with
        Settings d = parse(new String[0], Map.of());
        assertThat(d.port()).isEqualTo(Catalog.PORT.defaultValue());
        assertThat(d.batchMax()).isEqualTo(Catalog.BATCH_MAX.defaultValue());
        assertThat(d.maxBufferedBytes()).isEqualTo(Catalog.WS_MAX_BUFFERED_BYTES.defaultValue()).isEqualTo(512 << 20);
        assertThat(d.pingInterval().toMillis()).isEqualTo(2000);
        assertThat(d.adminPort()).isEqualTo(-1);
        assertThat(d.auth().publicStatus()).isFalse();
    }

    @Test
    void everyDeclaredBoundIsEnforcedAndNamed() {
        for (Setting<?> s : Catalog.ALL) {
            String values = s.values();
            if (!values.matches("-?[0-9.]+\\.\\.-?[0-9.]+")) {
                continue;
            }
            String[] bounds = values.split("\\.\\.");
            boolean whole = !bounds[0].contains(".") && !bounds[1].contains(".");
            String below = whole ? Long.toString(Long.parseLong(bounds[0]) - 1) : Double.toString(Double.parseDouble(bounds[0]) - 1);
            String above = whole ? Long.toString(Long.parseLong(bounds[1]) + 1) : Double.toString(Double.parseDouble(bounds[1]) + 1);
            for (String bad : new String[] {below, above, "x"}) {
                assertThatThrownBy(() -> Settings.from(withModel(s.name(), bad))).as(s.name() + "=" + bad)
                        .isInstanceOf(ConfigException.class).hasMessageContaining("--" + s.name()).hasMessageContaining(values);
            }
            Settings.from(withModel(s.name(), bounds[0]));
            Settings.from(withModel(s.name(), bounds[1]));
        }
    }

    private static Map<String, String> withModel(String name, String value) {
        Map<String, String> raw = new java.util.HashMap<>(Map.of(name, value));
        if (name.startsWith("redis.")) {
            raw.put("redis", "redis://localhost:6379");
        }
        return raw;
    }

    @Test
    void theUsageTextListsEverySettingWithItsDefaultAndValues() {
        String usage = Catalog.usage();
        assertThat(usage).startsWith("usage: java -jar framewire.jar").contains("FRAMEWIRE_");
        for (Setting<?> s : Catalog.ALL) {
            assertThat(usage).contains("--" + s.name() + "   " + Catalog.plain(s.values()) + "   (default: "
                    + Catalog.plain(s.defaultText()) + ")");
        }
        assertThat(usage).contains("--detector   yunet, yolo, haar, sim, none   (default: yunet)")
                .contains("--device   auto, cpu, cuda, cuda-fp16   (default: auto)")
                .contains("--port   0..65535   (default: 8080)")
                .doesNotContain("`").doesNotContain("](#");
        assertThat(usage.lines()).allMatch(line -> line.length() <= 100 || !line.strip().contains(" "));
    }
}
