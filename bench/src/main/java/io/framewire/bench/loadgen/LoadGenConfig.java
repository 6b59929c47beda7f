package io.framewire.bench.loadgen;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/** The load generator's run settings, validated up front ({@link LoadGen} holds the command line). */
public record LoadGenConfig(
        URI url,
        int streams,
        double fps,
        Path source,
        int width,
        int height,
        int quality,
        int frames,
        Duration ramp,
        Duration duration,
        Duration warmup,
        Duration drain,
        String prefix,
        Path json,
        Duration connectTimeout,
        Client client,
        int clients,
        int ioThreads,
        Path extract,
        Duration reconnect,
        Duration reconnectMax,
        Path perStream,
        Duration silence,
        int silenceStreams,
        boolean followAdvice) {

    /** The WebSocket client under the load: lean raw NIO, or Jetty's as the reference library client. */
    public enum Client { NIO, JETTY }

    /**
     * Parses the command line as {@code loadgen} does (picocli, {@link LoadGen}'s options); throws
     * IllegalArgumentException with a readable message. A repeated option keeps its last value, so
     * scripts can append overrides.
     */
    public static LoadGenConfig parse(String[] args) {
        LoadGen options = new LoadGen();
        try {
            LoadGen.commandLine(options).parseArgs(args);
        } catch (picocli.CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return options.config();
    }

    /** One selector per core is plenty: each handles thousands of connections. */
    static int defaultClients() {
        return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));
    }

    /** "500ms", "10s", "2m", "1h" or a plain (possibly fractional) number of seconds. */
    public static Duration parseDuration(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        long unitNanos;
        String num;
        if (s.endsWith("ms")) {
            unitNanos = 1_000_000L;
            num = s.substring(0, s.length() - 2);
        } else if (s.endsWith("s")) {
            unitNanos = 1_000_000_000L;
            num = s.substring(0, s.length() - 1);
        } else if (s.endsWith("m")) {
            unitNanos = 60_000_000_000L;
            num = s.substring(0, s.length() - 1);
        } else if (s.endsWith("h")) {
            unitNanos = 3_600_000_000_000L;
            num = s.substring(0, s.length() - 1);
        } else {
            unitNanos = 1_000_000_000L;
            num = s;
        }
        double v;
        try {
            v = Double.parseDouble(num);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad duration: " + text);
        }
        if (!(v >= 0) || Double.isInfinite(v) || num.isEmpty()) {
            throw new IllegalArgumentException("bad duration: " + text);
        }
        return Duration.ofNanos(Math.round(v * unitNanos));
    }

    static int[] parseSize(String size) {
        String[] p = size.toLowerCase(Locale.ROOT).split("x");
        try {
            if (p.length == 2) {
                int w = Integer.parseInt(p[0].trim());
                int h = Integer.parseInt(p[1].trim());
                if (w > 0 && h > 0 && w <= 8192 && h <= 8192) {
                    return new int[] {w, h};
                }
            }
        } catch (NumberFormatException ignored) {
            // fall through to the error below
        }
        throw new IllegalArgumentException("bad --size (want WxH): " + size);
    }

    static URI parseUrl(String text) {
        URI u;
        try {
            u = URI.create(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad --url: " + text);
        }
        if (!"ws".equals(u.getScheme()) && !"wss".equals(u.getScheme()) || u.getHost() == null) {
            throw new IllegalArgumentException("--url must be ws://host:port");
        }
        return u;
    }

    /** URI of stream {@code i}: base path (without trailing slash) + /ws/streams/prefix+i. */
    public URI streamUri(int i) {
        String base = url.toString();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return URI.create(base + "/ws/streams/" + streamId(i));
    }

    public String streamId(int i) {
        return prefix + i;
    }

    public boolean reconnects() {
        return !reconnect.isZero();
    }

    public Duration total() {
        return ramp.plus(warmup).plus(duration);
    }
}
