package io.framewire.bench.loadgen;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar framewire-bench.jar loadgen ARGS}: simulates many cameras publishing JPEG frames
 * over WebSocket at a fixed rate and reports throughput, latency, drops and fairness for a measured
 * window. The options and their defaults are the ones bench/*.sh and the README use.
 */
@Command(name = "loadgen", sortOptions = false, usageHelpAutoWidth = true,
        description = "Simulates cameras: STREAMS WebSocket connections, each publishing JPEG frames at FPS, " +
            "and prints one JSON summary line (throughput, latency, drops, fairness) for the measured window.",
        footer = {"", "Durations: 500ms, 10s, 2m, 1h or a plain number of seconds.",
            "Exit status: 0 the run completed (failures are in the summary), 1 the run aborted, 2 bad arguments, "
                + "3 no frames could be loaded."})
public final class LoadGen implements Callable<Integer> {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    @Option(names = "--url", defaultValue = "ws://127.0.0.1:8080", paramLabel = "URL",
            description = "base URL; /ws/streams/<prefix><i> is appended (default: ${DEFAULT-VALUE})")
    String url;

    @Option(names = "--streams", defaultValue = "1000", paramLabel = "N",
            description = "number of streams (connections) (default: ${DEFAULT-VALUE})")
    int streams;

    @Option(names = "--fps", defaultValue = "15", paramLabel = "FPS",
            description = "frames per second per stream; 0 = connect and stay idle (default: ${DEFAULT-VALUE})")
    double fps;

    @Option(names = "--source", required = true, paramLabel = "PATH",
            description = "directory of .jpg/.png, one image, or a video file (required)")
    String source;

    @Option(names = "--size", defaultValue = "320x240", paramLabel = "WxH",
            description = "resize video frames to this size (default: ${DEFAULT-VALUE})")
    String size;

    @Option(names = "--quality", defaultValue = "80", paramLabel = "Q",
            description = "JPEG quality for video frames (default: ${DEFAULT-VALUE})")
    int quality;

    @Option(names = "--frames", defaultValue = "300", paramLabel = "N",
            description = "keep at most this many frames (default: ${DEFAULT-VALUE})")
    int frames;

    @Option(names = "--ramp", defaultValue = "10s", paramLabel = "DURATION",
            description = "spread connects over this time (default: ${DEFAULT-VALUE})")
    String ramp;

    @Option(names = "--warmup", defaultValue = "5s", paramLabel = "DURATION",
            description = "after the ramp, not measured (default: ${DEFAULT-VALUE})")
    String warmup;

    @Option(names = "--duration", defaultValue = "60s", paramLabel = "DURATION",
            description = "measured window (default: ${DEFAULT-VALUE})")
    String duration;

    @Option(names = "--drain", defaultValue = "2s", paramLabel = "DURATION",
            description = "wait for in-flight results after the window (default: ${DEFAULT-VALUE})")
    String drain;

    @Option(names = "--prefix", defaultValue = "lg-", paramLabel = "ID",
            description = "stream id prefix (default: ${DEFAULT-VALUE})")
    String prefix;

    @Option(names = "--json", paramLabel = "PATH", description = "also write the JSON summary here")
    Path json;

    @Option(names = "--connect-timeout", defaultValue = "10s", paramLabel = "DURATION",
            description = "per connection: TCP + upgrade (default: ${DEFAULT-VALUE})")
    String connectTimeout;

    @Option(names = "--client", defaultValue = "nio", paramLabel = "nio|jetty",
            description = "nio (lean raw NIO client) or jetty (Jetty's WebSocketClient) (default: ${DEFAULT-VALUE})")
    String client;

    @Option(names = "--io-threads", defaultValue = "1", paramLabel = "N",
            description = "nio: selector threads (default: ${DEFAULT-VALUE})")
    int ioThreads;

    @Option(names = "--clients", paramLabel = "N",
            description = "jetty: WebSocketClient instances, one selector each (default: cores / 2, 1 to 4)")
    Integer clients;

    @Option(names = "--extract", paramLabel = "DIR", description = "write the loaded frames as JPEG files to DIR and exit")
    Path extract;

    @Option(names = "--reconnect", defaultValue = "0", paramLabel = "DURATION",
            description = "like a camera, reconnect a stream whose connection closed or failed, as the client " +
                "contract says (README): exponential backoff with full jitter from this base, doubling, reset " +
                "after a connection that got a result; 1001 at once (0-250 ms), 4000 after 5 s + jitter; " +
                "1000, 1009 and HTTP 400/401/403 stop. The contract's base is 250ms. 0 = off (default: ${DEFAULT-VALUE})")
    String reconnect;

    @Option(names = "--reconnect-max", defaultValue = "10s", paramLabel = "DURATION",
            description = "the backoff's cap (default: ${DEFAULT-VALUE}, the contract's)")
    String reconnectMax;

    @Option(names = "--silence", defaultValue = "3s", paramLabel = "DURATION",
            description = "with --reconnect, the contract's silence rule: frames outstanding and no message for " +
                "this long -> drop the connection and reconnect with backoff (0 = off: wait for the server's " +
                "close) (default: ${DEFAULT-VALUE})")
    String silence;

    @Option(names = "--silence-streams", paramLabel = "N",
            description = "only streams 0..N-1 follow the silence rule (default: all), so one run holds cameras of both kinds")
    Integer silenceStreams;

    @Option(names = "--per-stream", paramLabel = "PATH",
            description = "also write one JSON line per stream (connections, lost frames, reconnect gaps, close codes) here")
    Path perStream;

    @Option(names = "--follow-advice", defaultValue = "false", arity = "1", paramLabel = "true|false",
            description = "true: send each stream at most at the rate its last result's advice.fps says (never " +
                "above --fps); the summary's advice section reports the uplink saved (default: ${DEFAULT-VALUE})")
    String followAdvice;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line; returns the exit status. */
    static int run(String[] args) {
        return commandLine(new LoadGen()).execute(args);
    }

    /** The parser for {@code options}: a repeated option keeps its last value, so scripts can append overrides. */
    static CommandLine commandLine(LoadGen options) {
        return new CommandLine(options).setOverwrittenOptionsAllowed(true);
    }

    @Override
    public Integer call() {
        LoadGenConfig cfg;
        try {
            cfg = config();
        } catch (IllegalArgumentException e) {
            System.err.println("loadgen: " + e.getMessage() + " (--help lists the options)");
            return 2;
        }
        return run(cfg);
    }

    /** The validated settings; IllegalArgumentException names the bad option. */
    LoadGenConfig config() {
        URI u = LoadGenConfig.parseUrl(url);
        inRange("streams", streams, 1, 1_000_000);
        if (!(fps >= 0 && fps <= 1000)) {
            throw new IllegalArgumentException("--fps must be a number in [0, 1000]: " + fps);
        }
        int[] wh = LoadGenConfig.parseSize(size);
        inRange("quality", quality, 1, 100);
        inRange("frames", frames, 1, 100_000);
        int nClients = clients == null ? LoadGenConfig.defaultClients() : clients;
        inRange("clients", nClients, 1, 64);
        inRange("io-threads", ioThreads, 1, 64);
        int nSilent = silenceStreams == null ? streams : silenceStreams;
        inRange("silence-streams", nSilent, 0, streams);
        Duration rampD = duration("ramp", ramp);
        Duration warmupD = duration("warmup", warmup);
        Duration durationD = duration("duration", duration);
        Duration drainD = duration("drain", drain);
        Duration connectTimeoutD = duration("connect-timeout", connectTimeout);
        Duration reconnectD = duration("reconnect", reconnect);
        Duration reconnectMaxD = duration("reconnect-max", reconnectMax);
        Duration silenceD = duration("silence", silence);
        if (!followAdvice.equals("true") && !followAdvice.equals("false")) {
            throw new IllegalArgumentException("--follow-advice must be true or false: " + followAdvice);
        }
        if (!client.equals("nio") && !client.equals("jetty")) {
            throw new IllegalArgumentException("--client must be nio or jetty: " + client);
        }
        if (!prefix.matches("[A-Za-z0-9._-]*") || prefix.length() + String.valueOf(streams - 1).length() > 128) {
            throw new IllegalArgumentException("--prefix must match [A-Za-z0-9._-]* and keep stream ids ≤ 128 chars");
        }
        if (durationD.isZero()) {
            throw new IllegalArgumentException("--duration must be > 0");
        }
        if (connectTimeoutD.isZero()) {
            throw new IllegalArgumentException("--connect-timeout must be > 0");
        }
        if (!reconnectD.isZero() && reconnectMaxD.compareTo(reconnectD) < 0) {
            throw new IllegalArgumentException("--reconnect-max must be >= --reconnect");
        }
        return new LoadGenConfig(u, streams, fps, Path.of(source), wh[0], wh[1], quality, frames,
                rampD, durationD, warmupD, drainD, prefix, json, connectTimeoutD,
                LoadGenConfig.Client.valueOf(client.toUpperCase(Locale.ROOT)), nClients, ioThreads, extract,
                reconnectD, reconnectMaxD, perStream, reconnectD.isZero() ? Duration.ZERO : silenceD, nSilent,
                followAdvice.equals("true"));
    }

    private static void inRange(String name, int v, int min, int max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException("--" + name + " must be an integer in [" + min + ", " + max + "]: " + v);
        }
    }

    private static Duration duration(String name, String text) {
        try {
            return LoadGenConfig.parseDuration(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + name + ": " + e.getMessage());
        }
    }

    private static int run(LoadGenConfig cfg) {
        List<ByteBuffer> loaded;
        try {
            loaded = FrameSource.load(cfg.source(), cfg.width(), cfg.height(), cfg.quality(), cfg.frames());
        } catch (IOException | RuntimeException e) {
            System.err.println("loadgen: cannot load frames from " + cfg.source() + ": " + e.getMessage());
            return 3;
        }
        if (loaded.isEmpty()) {
            System.err.println("loadgen: no frames in " + cfg.source());
            return 3;
        }
        try {
            if (cfg.extract() != null) {
                FrameSource.extract(loaded, cfg.extract());
                System.err.printf("loadgen: wrote %d frames to %s%n", loaded.size(), cfg.extract());
                return 0;
            }
            System.err.printf("[loadgen] %d frames loaded; %d streams x %s fps -> %s (ramp %s, warmup %s, window %s, client %s)%n",
                    loaded.size(), cfg.streams(), cfg.fps(), cfg.url(), cfg.ramp(), cfg.warmup(), cfg.duration(),
                    cfg.client().name().toLowerCase(Locale.ROOT));
            LoadRun run = new LoadRun(cfg, loaded);
            RunResult result = run.run();
            if (cfg.perStream() != null) {
                run.writePerStream(cfg.perStream());
            }
            ObjectNode summary = Summary.toJson(result);
            String line = Summary.MAPPER.writeValueAsString(summary);
            if (cfg.json() != null) {
                if (cfg.json().getParent() != null) {
                    Files.createDirectories(cfg.json().getParent());
                }
                Files.writeString(cfg.json(), line + "\n");
            }
            System.out.println(line);
            return 0;
        } catch (Exception e) {
            // The run itself is not expected to throw; if it does, say so but don't hide it.
            System.err.println("loadgen: run aborted: " + LoadRun.describe(e));
            e.printStackTrace();
            return 1;
        }
    }
}
