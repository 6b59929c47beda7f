package io.framewire.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    private static Settings parse(String[] args, Map<String, String> env) {
        return Settings.from(ConfigSources.merge(args, env, new LinkedHashSet<>(Settings.NAMES)));
    }

    @Test
    void defaultsServeHaarOn8080() {
        Settings s = parse(new String[0], Map.of());
        assertThat(s.port()).isEqualTo(8080);
        assertThat(s.detector().kind()).isEqualTo("haar");
        assertThat(s.detector().device()).isEqualTo("auto");
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
    void batchAndMailboxSettingsUseTheirDottedNames() {
        Settings s = parse(new String[] {"--batch.max", "4", "--batch.maxWaitMs", "7", "--mailbox.depth", "3"},
                Map.of());
        assertThat(s.batchMax()).isEqualTo(4);
        assertThat(s.batchMaxWait().toMillis()).isEqualTo(7);
        assertThat(s.mailboxDepth()).isEqualTo(3);
        assertThat(ConfigSources.envName("batch.maxWaitMs")).isEqualTo("FRAMEWIRE_BATCH_MAXWAITMS");
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
        assertThatThrownBy(() -> parse(new String[] {"--detector", "yunet"}, Map.of()))
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
}
