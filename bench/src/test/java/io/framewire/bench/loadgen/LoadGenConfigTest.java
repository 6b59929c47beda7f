package io.framewire.bench.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoadGenConfigTest {

    @Test
    void parsesDurations() {
        assertThat(LoadGenConfig.parseDuration("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(LoadGenConfig.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(LoadGenConfig.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(LoadGenConfig.parseDuration("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(LoadGenConfig.parseDuration("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(LoadGenConfig.parseDuration("30")).isEqualTo(Duration.ofSeconds(30));
        assertThat(LoadGenConfig.parseDuration("0")).isEqualTo(Duration.ZERO);
    }

    @Test
    void rejectsBadDurations() {
        for (String bad : new String[] {"", "s", "ms", "-1s", "ten", "5x", "NaNs"}) {
            assertThatThrownBy(() -> LoadGenConfig.parseDuration(bad))
                    .as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void defaults() {
        LoadGenConfig c = LoadGenConfig.parse(new String[] {"--source", "frames"});
        assertThat(c.url().toString()).isEqualTo("ws://127.0.0.1:8080");
        assertThat(c.streams()).isEqualTo(1000);
        assertThat(c.fps()).isEqualTo(15.0);
        assertThat(c.source()).isEqualTo(Path.of("frames"));
        assertThat(c.width()).isEqualTo(320);
        assertThat(c.height()).isEqualTo(240);
        assertThat(c.quality()).isEqualTo(80);
        assertThat(c.frames()).isEqualTo(300);
        assertThat(c.ramp()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.warmup()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.duration()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.prefix()).isEqualTo("lg-");
        assertThat(c.json()).isNull();
        assertThat(c.clients()).isPositive();
        assertThat(c.client()).isEqualTo(LoadGenConfig.Client.NIO);
        assertThat(c.ioThreads()).isEqualTo(1);
        assertThat(c.extract()).isNull();
    }

    @Test
    void parsesEverything() {
        LoadGenConfig c = LoadGenConfig.parse(new String[] {
            "--url", "ws://10.0.0.1:9000/", "--streams", "200", "--fps", "0", "--source", "/v.avi",
            "--size", "640x480", "--quality", "90", "--frames", "50", "--ramp", "500ms", "--duration", "20s",
            "--warmup=0", "--prefix", "cam.", "--json", "out/x.json", "--connect-timeout", "3s", "--clients", "3",
            "--client", "jetty", "--io-threads", "2"});
        assertThat(c.streams()).isEqualTo(200);
        assertThat(c.fps()).isZero();
        assertThat(c.width()).isEqualTo(640);
        assertThat(c.height()).isEqualTo(480);
        assertThat(c.ramp()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.warmup()).isZero();
        assertThat(c.json()).isEqualTo(Path.of("out/x.json"));
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.clients()).isEqualTo(3);
        assertThat(c.client()).isEqualTo(LoadGenConfig.Client.JETTY);
        assertThat(c.ioThreads()).isEqualTo(2);
        assertThat(c.total()).isEqualTo(Duration.ofMillis(20_500));
        assertThat(c.streamUri(7).toString()).isEqualTo("ws://10.0.0.1:9000/ws/streams/cam.7");
    }

    @Test
    void lastValueWins() {
        LoadGenConfig c = LoadGenConfig.parse(new String[] {"--source", "a", "--streams", "5", "--streams", "6"});
        assertThat(c.streams()).isEqualTo(6);
    }

    @Test
    void reconnectIsOffByDefaultAndTakesTheContractsCap() {
        LoadGenConfig off = LoadGenConfig.parse(new String[] {"--source", "a"});
        assertThat(off.reconnects()).isFalse();
        assertThat(off.reconnectMax()).as("the contract's cap").isEqualTo(Duration.ofSeconds(10));
        LoadGenConfig c = LoadGenConfig.parse(new String[] {"--source", "a", "--reconnect", "250ms",
            "--reconnect-max", "1s", "--per-stream", "s.jsonl"});
        assertThat(c.reconnects()).isTrue();
        assertThat(c.reconnect()).isEqualTo(Duration.ofMillis(250));
        assertThat(c.reconnectMax()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.perStream()).isEqualTo(Path.of("s.jsonl"));
    }

    @Test
    void helpExitsWithZero() {
        assertThat(LoadGen.run(new String[] {"--help"})).isZero();
    }

    @Test
    void followAdviceIsOffByDefault() {
        assertThat(LoadGenConfig.parse(new String[] {"--source", "a"}).followAdvice()).isFalse();
        assertThat(LoadGenConfig.parse(new String[] {"--source", "a", "--follow-advice", "true"}).followAdvice()).isTrue();
    }

    @Test
    void rejectsBadArguments() {
        String[][] bad = {
            {},                                                  // no --source
            {"--source", "a", "--streams", "0"},
            {"--source", "a", "--streams", "x"},
            {"--source", "a", "--fps", "-1"},
            {"--source", "a", "--size", "320"},
            {"--source", "a", "--url", "http://h:1"},
            {"--source", "a", "--prefix", "bad/prefix"},
            {"--source", "a", "--duration", "0s"},
            {"--source", "a", "--bogus", "1"},
            {"--source", "a", "--client", "okhttp"},
            {"--source", "a", "--io-threads", "0"},
            {"--source", "a", "--reconnect", "1s", "--reconnect-max", "500ms"},
            {"--source", "a", "--reconnect", "soon"},
            {"--source", "a", "--follow-advice", "yes"},
            {"--source"},
            {"source", "a"},
        };
        for (String[] args : bad) {
            assertThatThrownBy(() -> LoadGenConfig.parse(args))
                    .as(String.join(" ", args)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void badArgumentsExitWithTwo() {
        assertThat(LoadGen.run(new String[] {"--streams", "-3", "--source", "x"})).isEqualTo(2);
    }

    @Test
    void missingSourceFramesExitWithThree(@org.junit.jupiter.api.io.TempDir Path dir) {
        assertThat(LoadGen.run(new String[] {"--source", dir.toString()})).isEqualTo(3);
        assertThat(LoadGen.run(new String[] {"--source", dir.resolve("nope").toString()})).isEqualTo(3);
    }

    @Test
    void theSilenceRuleIsOnWithReconnectOnly() {
        assertThat(LoadGenConfig.parse(new String[] {"--source", "a"}).silence()).as("no reconnect: no rule").isZero();
        assertThat(LoadGenConfig.parse(new String[] {"--source", "a", "--reconnect", "100ms"}).silence())
                .as("the contract's 3 s").isEqualTo(Duration.ofSeconds(3));
        assertThat(LoadGenConfig.parse(new String[] {"--source", "a", "--reconnect", "100ms", "--silence", "0"}).silence()).isZero();
    }
}
