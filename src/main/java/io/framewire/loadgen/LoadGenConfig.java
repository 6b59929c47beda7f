package io.framewire.loadgen;

import io.framewire.config.ConfigException;
import io.framewire.config.ConfigSources;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Command-line options of the load generator; {@link #parse} validates everything up front. */
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
        boolean followAdvice) {

    /** The WebSocket client under the load: lean raw NIO, or Jetty's as the reference library client. */
    public enum Client { NIO, JETTY }

    static final String USAGE = """
            usage: loadgen --source PATH [options]
              --url ws://127.0.0.1:8080   base URL; /ws/streams/<prefix><i> is appended
              --streams 1000              number of streams (connections)
              --fps 15                    frames per second per stream; 0 = connect and stay idle
              --source PATH               directory of .jpg/.png, one image, or a video file
              --size 320x240              resize video frames to this size
              --quality 80                JPEG quality for video frames
              --frames 300                keep at most this many frames
              --ramp 10s                  spread connects over this time
              --warmup 5s                 after ramp, not measured
              --duration 60s              measured window
              --drain 2s                  wait for in-flight results after the window
              --prefix lg-                stream id prefix
              --json PATH                 also write the JSON summary here
              --connect-timeout 10s       per connection (TCP + upgrade)
              --client nio                nio (lean raw NIO client) or jetty (Jetty's WebSocketClient)
              --io-threads 1              nio: selector threads
              --clients N                 jetty: WebSocketClient instances (one selector each)
              --extract DIR               write the loaded frames as JPEG files to DIR and exit
              --reconnect 0               like a camera, reconnect a stream whose connection closed or
                                          failed: first retry after this delay, doubling (0 = off)
              --reconnect-max 2s          longest delay between reconnect attempts
              --per-stream PATH           also write one JSON line per stream (connections, lost
                                          frames, reconnect gaps, close codes) here
              --follow-advice false       true: send each stream at most at the rate its last result's
                                          advice.fps says (never above --fps); the summary's advice
                                          section reports the uplink saved
            durations: 500ms, 10s, 2m, or a plain number of seconds""";

    /** Parses {@code --name value} pairs; throws IllegalArgumentException with a readable message. */
    public static LoadGenConfig parse(String[] args) {
        Map<String, String> opts;
        try {
            opts = ConfigSources.flags(args); // a repeated option keeps its last value, so scripts can append overrides
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        Reader r = new Reader(opts);
        URI url = parseUrl(r.str("url", "ws://127.0.0.1:8080"));
        int streams = r.integer("streams", 1000, 1, 1_000_000);
        double fps = r.decimal("fps", 15, 0, 1000);
        String src = r.str("source", null);
        String size = r.str("size", "320x240");
        int quality = r.integer("quality", 80, 1, 100);
        int frames = r.integer("frames", 300, 1, 100_000);
        Duration ramp = r.duration("ramp", "10s");
        Duration duration = r.duration("duration", "60s");
        Duration warmup = r.duration("warmup", "5s");
        Duration drain = r.duration("drain", "2s");
        String prefix = r.str("prefix", "lg-");
        String json = r.str("json", null);
        Duration connectTimeout = r.duration("connect-timeout", "10s");
        String client = r.str("client", "nio");
        int clients = r.integer("clients", defaultClients(), 1, 64);
        int ioThreads = r.integer("io-threads", 1, 1, 64);
        String extract = r.str("extract", null);
        Duration reconnect = r.duration("reconnect", "0");
        Duration reconnectMax = r.duration("reconnect-max", "2s");
        String perStream = r.str("per-stream", null);
        String follow = r.str("follow-advice", "false");
        r.rejectUnknown();

        if (src == null) {
            throw new IllegalArgumentException("--source is required");
        }
        if (!follow.equals("true") && !follow.equals("false")) {
            throw new IllegalArgumentException("--follow-advice must be true or false: " + follow);
        }
        if (!client.equals("nio") && !client.equals("jetty")) {
            throw new IllegalArgumentException("--client must be nio or jetty: " + client);
        }
        int[] wh = parseSize(size);
        if (!prefix.matches("[A-Za-z0-9._-]*") || prefix.length() + String.valueOf(streams - 1).length() > 128) {
            throw new IllegalArgumentException("--prefix must match [A-Za-z0-9._-]* and keep stream ids ≤ 128 chars");
        }
        if (duration.isZero()) {
            throw new IllegalArgumentException("--duration must be > 0");
        }
        if (connectTimeout.isZero()) {
            throw new IllegalArgumentException("--connect-timeout must be > 0");
        }
        if (!reconnect.isZero() && reconnectMax.compareTo(reconnect) < 0) {
            throw new IllegalArgumentException("--reconnect-max must be >= --reconnect");
        }
        return new LoadGenConfig(url, streams, fps, Path.of(src), wh[0], wh[1], quality, frames,
                ramp, duration, warmup, drain, prefix, json == null ? null : Path.of(json),
                connectTimeout, Client.valueOf(client.toUpperCase(Locale.ROOT)), clients, ioThreads,
                extract == null ? null : Path.of(extract), reconnect, reconnectMax,
                perStream == null ? null : Path.of(perStream), follow.equals("true"));
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

    /**
     * Delay before reconnect attempt {@code attempt} (0-based): --reconnect doubled per attempt,
     * capped at --reconnect-max, then scaled by {@code jitter} in [0.8, 1.2) so that the streams
     * of a dead host don't all come back in the same millisecond.
     */
    public Duration reconnectDelay(int attempt, double jitter) {
        long base = reconnect.toNanos();
        long d = attempt >= 30 ? reconnectMax.toNanos() : Math.min(reconnectMax.toNanos(), base << attempt);
        return Duration.ofNanos((long) (d * jitter));
    }

    public Duration total() {
        return ramp.plus(warmup).plus(duration);
    }

    /** Reads typed values out of the option map, remembering which names were used. */
    private static final class Reader {
        private final Map<String, String> opts;

        Reader(Map<String, String> opts) {
            this.opts = new LinkedHashMap<>(opts);
        }

        String str(String name, String def) {
            String v = opts.remove(name);
            return v == null ? def : v;
        }

        int integer(String name, int def, int min, int max) {
            String v = str(name, null);
            if (v == null) {
                return def;
            }
            try {
                int n = Integer.parseInt(v.trim());
                if (n >= min && n <= max) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException("--" + name + " must be an integer in [" + min + ", " + max + "]: " + v);
        }

        double decimal(String name, double def, double min, double max) {
            String v = str(name, null);
            if (v == null) {
                return def;
            }
            try {
                double d = Double.parseDouble(v.trim());
                if (d >= min && d <= max) {
                    return d;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException("--" + name + " must be a number in [" + min + ", " + max + "]: " + v);
        }

        Duration duration(String name, String def) {
            String v = str(name, def);
            try {
                return parseDuration(v);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--" + name + ": " + e.getMessage());
            }
        }

        void rejectUnknown() {
            if (!opts.isEmpty()) {
                throw new IllegalArgumentException("unknown option(s): --" + String.join(", --", opts.keySet()));
            }
        }
    }
}
