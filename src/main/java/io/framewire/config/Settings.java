package io.framewire.config;

import io.framewire.inference.DetectorConfig;
import io.framewire.inference.GatingConfig;
import io.framewire.inference.ImageCodec;
import io.framewire.inference.ImageLimits;
import io.framewire.inference.PipelineConfig;
import io.framewire.security.AuthConfig;
import io.framewire.state.RedisConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every setting of the server, validated once at start. Each value comes from a flag, the
 * environment or a properties file (see {@link ConfigSources}); README's configuration table
 * lists the same names.
 */
public record Settings(
        String host,
        int port,
        DetectorConfig detector,
        int workers,
        int mailboxDepth,
        int batchMax,
        Duration batchMaxWait,
        int maxMessageBytes,
        int maxPendingResults,
        int maxStreams,
        int adminPort,
        Duration idleTimeout,
        Duration shutdownGrace,
        RedisConfig redis,
        int resultsMaxLen,
        String hostId,
        int maxTextBytes,
        int maxFps,
        ImageLimits imageLimits,
        AuthConfig auth,
        int maxBufferedBytes,
        int maxWatchers,
        int inferenceMaxSide,
        Duration resultsRetention,
        Duration headerTimeout,
        Duration pingInterval,
        Duration staleAfter,
        GatingConfig gating,
        PipelineConfig pipeline) {

    /** Setting names, in README order. */
    public static final List<String> NAMES = List.of(
            "host", "port",
            "detector", "model", "device", "labels", "score", "nms", "inputSize", "yunet.batched", "sim.batchMs",
            "workers", "mailbox.depth", "batch.max", "batch.maxWaitMs", "pipeline", "pipeline.decoders",
            "ws.maxMessageBytes", "ws.maxPendingResults", "ws.idleTimeoutMs", "streams.max", "admin.port",
            "shutdown.graceMs",
            "redis", "redis.user", "redis.password", "redis.tls", "redis.timeoutMs", "redis.publishQueue",
            "redis.recordTtlMs", "redis.retentionSec", "results.maxLen", "host.id",
            "ws.maxTextBytes", "limits.maxFps", "limits.maxImageWidth", "limits.maxImageHeight", "limits.maxImagePixels",
            "security.auth", "security.jwt.secret", "security.jwt.publicKey", "security.jwt.jwks",
            "security.jwt.issuer", "security.jwt.audience", "security.jwt.clockSkewS", "security.allowedOrigins",
            "ws.maxBufferedBytes", "watchers.max", "inference.maxSide", "results.retentionSec", "http.headerTimeoutMs",
            "security.jwt.maxLifetimeS", "security.publicStatus", "ws.pingMs", "streams.staleMs",
            "gating.enabled", "gating.threshold", "gating.refreshMs", "tracking.minHits", "tracking.maxAgeMs");

    private static final Set<String> DETECTORS = Set.of("yunet", "yolo", "haar", "sim", "none");
    private static final Set<String> DEVICES = Set.of("auto", "cpu", "cuda", "cuda-fp16");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.:\\-\\[\\]]+");
    private static final Pattern HOST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    public static Settings fromArgs(String[] args) {
        return from(ConfigSources.merge(args, System.getenv(), new LinkedHashSet<>(NAMES)));
    }

    public static Settings from(Map<String, String> raw) {
        Reader r = new Reader(raw);
        String detector = r.oneOf("detector", "haar", DETECTORS);
        Path model = r.path("model");
        if ((detector.equals("yunet") || detector.equals("yolo")) && model == null) {
            throw new ConfigException("--model is required with --detector " + detector
                    + " (e.g. --model ../shared/models/yunet_s_640_640.onnx)");
        }
        var dc = new DetectorConfig(
                detector,
                model,
                r.oneOf("device", "auto", DEVICES),
                r.path("labels"),
                (float) r.decimal("score", 0.6, 0.0, 1.0),
                (float) r.decimal("nms", 0.45, 0.0, 1.0),
                r.integer("inputSize", 640, 32, 4096),
                r.decimal("sim.batchMs", 5.0, 0.01, 10_000),
                r.bool("yunet.batched"));
        return new Settings(
                r.host("host", "0.0.0.0"),
                r.integer("port", 8080, 0, 65535),
                dc,
                r.integer("workers", 0, 0, 256),
                r.integer("mailbox.depth", 1, 1, 64),
                r.integer("batch.max", 8, 1, 256),
                Duration.ofMillis(r.integer("batch.maxWaitMs", 2, 0, 1000)),
                r.integer("ws.maxMessageBytes", 4 << 20, 1024, 64 << 20),
                r.integer("ws.maxPendingResults", 256, 1, 1 << 16),
                r.integer("streams.max", 2000, 1, 1_000_000),
                r.integer("admin.port", -1, -1, 65535),
                Duration.ofMillis(r.integer("ws.idleTimeoutMs", 300_000, 1000, 86_400_000)),
                Duration.ofMillis(r.integer("shutdown.graceMs", 10_000, 0, 600_000)),
                redis(r),
                r.integer("results.maxLen", 1000, 0, 1_000_000),
                r.matching("host.id", HOST_ID, "1-128 characters of [A-Za-z0-9._:-]"),
                r.integer("ws.maxTextBytes", 65_536, 64, 16 << 20),
                r.integer("limits.maxFps", 0, 0, 10_000),
                new ImageLimits(
                        r.integer("limits.maxImageWidth", ImageLimits.DEFAULT.maxWidth(), 1, 65_535),
                        r.integer("limits.maxImageHeight", ImageLimits.DEFAULT.maxHeight(), 1, 65_535),
                        r.integer("limits.maxImagePixels", (int) ImageLimits.DEFAULT.maxPixels(), 1, (int) ImageCodec.MAX_PIXELS)),
                auth(r),
                r.integer("ws.maxBufferedBytes", 512 << 20, 1 << 20, Integer.MAX_VALUE),
                r.integer("watchers.max", 2000, 0, 1_000_000),
                r.integer("inference.maxSide", defaultMaxSide(dc), 0, 65_535),
                Duration.ofSeconds(r.integer("results.retentionSec", 300, 0, 86_400)),
                Duration.ofMillis(r.integer("http.headerTimeoutMs", 10_000, 100, 600_000)),
                Duration.ofMillis(r.integer("ws.pingMs", 2000, 0, 600_000)),
                Duration.ofMillis(r.integer("streams.staleMs", 10_000, 100, 86_400_000)),
                gating(r),
                new PipelineConfig(r.oneOf("pipeline", "auto", Set.copyOf(PipelineConfig.MODES)),
                        r.integer("pipeline.decoders", 0, 0, 256)));
    }

    /**
     * Longest side a detector works at unless set (0: the frame's own size), from each detector's
     * cost on 4096x2048 frames (bench/maxside.sh, bench/RESULTS.md "Edge safety"): YOLO letterboxes
     * to its input anyway, so decoding no larger loses nothing; YuNet's cost follows the pixels
     * (4.4 s at full size, 0.15-0.44 s at 1280); the Haar cascade is the slowest per pixel.
     */
    static int defaultMaxSide(DetectorConfig detector) {
        return switch (detector.kind()) {
            case "yolo" -> detector.inputSize();
            case "yunet" -> 1280;
            case "haar" -> 960;
            default -> 0;
        };
    }

    private static GatingConfig gating(Reader r) {
        GatingConfig d = GatingConfig.DEFAULT;
        Boolean enabled = r.bool("gating.enabled");
        return new GatingConfig(enabled == null ? d.enabled() : enabled,
                r.decimal("gating.threshold", d.threshold(), 0.0, 1.0),
                Duration.ofMillis(r.integer("gating.refreshMs", (int) d.refresh().toMillis(), 0, 3_600_000)),
                r.integer("tracking.minHits", d.minHits(), 1, 100),
                Duration.ofMillis(r.integer("tracking.maxAgeMs", (int) d.maxAge().toMillis(), 0, 600_000)));
    }

    /** Null without {@code --redis}: single host, in-memory state. */
    private static RedisConfig redis(Reader r) {
        String url = r.string("redis", null);
        if (url == null) {
            for (String key : NAMES) {
                if (key.startsWith("redis.") && r.string(key, null) != null) {
                    throw new ConfigException("--" + key + " needs --redis redis://host:port");
                }
            }
            return null;
        }
        return RedisConfig.parse(url, r.string("redis.user", null), r.string("redis.password", null),
                r.bool("redis.tls"),
                Duration.ofMillis(r.integer("redis.timeoutMs", 500, 10, 60_000)),
                r.integer("redis.publishQueue", 65_536, 16, 1 << 22),
                Duration.ofMillis(r.integer("redis.recordTtlMs", 10_000, 3_000, 3_600_000)),
                Duration.ofSeconds(r.integer("redis.retentionSec", 86_400, 60, 31_536_000)));
    }

    private static AuthConfig auth(Reader r) {
        boolean jwt = r.oneOf("security.auth", "off", Set.of("off", "jwt")).equals("jwt");
        String secret = r.string("security.jwt.secret", null);
        Path publicKey = r.path("security.jwt.publicKey");
        Path jwks = r.path("security.jwt.jwks");
        long keys = Stream.of(secret, publicKey, jwks).filter(Objects::nonNull).count();
        if (jwt && keys != 1) {
            throw new ConfigException("--security.auth jwt needs exactly one of --security.jwt.secret, "
                    + "--security.jwt.publicKey, --security.jwt.jwks (" + keys + " given)");
        }
        if (secret != null && secret.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new ConfigException("invalid --security.jwt.secret (HS256 needs at least 32 bytes, e.g. openssl rand -base64 32)");
        }
        List<String> origins = new ArrayList<>();
        for (String o : r.string("security.allowedOrigins", "").split(",")) {
            if (!o.isBlank()) {
                origins.add(o.trim());
            }
        }
        return new AuthConfig(jwt, secret, publicKey, jwks,
                r.string("security.jwt.issuer", null), r.string("security.jwt.audience", null),
                Duration.ofSeconds(r.integer("security.jwt.clockSkewS", 30, 0, 600)), List.copyOf(origins),
                r.string("security.jwt.maxLifetimeS", null) == null ? null
                        : Duration.ofSeconds(r.integer("security.jwt.maxLifetimeS", 0, 1, 31_536_000)),
                Boolean.TRUE.equals(r.bool("security.publicStatus")));
    }

    /** Typed access that names the setting in every error. */
    private record Reader(Map<String, String> raw) {

        String string(String key, String def) {
            String v = raw.get(key);
            return v == null || v.isBlank() ? def : v.trim();
        }

        String oneOf(String key, String def, Set<String> allowed) {
            String v = string(key, def);
            if (!allowed.contains(v)) {
                String[] sorted = allowed.toArray(String[]::new);
                Arrays.sort(sorted);
                throw new ConfigException("invalid --" + key + " '" + v + "' (expected one of " + String.join(", ", sorted) + ")");
            }
            return v;
        }

        String host(String key, String def) {
            String v = string(key, def);
            if (!HOST.matcher(v).matches()) {
                throw new ConfigException("invalid --" + key + " '" + v + "' (expected an address or host name)");
            }
            return v;
        }

        /** Null when not given. */
        Boolean bool(String key) {
            String v = string(key, null);
            if (v == null) {
                return null;
            }
            return switch (v.toLowerCase(java.util.Locale.ROOT)) {
                case "true", "1", "yes", "on" -> true;
                case "false", "0", "no", "off" -> false;
                default -> throw new ConfigException("invalid --" + key + " '" + v + "' (expected true or false)");
            };
        }

        String matching(String key, Pattern pattern, String expected) {
            String v = string(key, null);
            if (v != null && !pattern.matcher(v).matches()) {
                throw new ConfigException("invalid --" + key + " '" + v + "' (expected " + expected + ")");
            }
            return v;
        }

        Path path(String key) {
            String v = string(key, null);
            return v == null ? null : Path.of(v);
        }

        int integer(String key, int def, int min, int max) {
            String v = string(key, null);
            if (v == null) {
                return def;
            }
            try {
                int n = Integer.parseInt(v);
                if (n >= min && n <= max) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // reported below with the accepted range
            }
            throw new ConfigException("invalid --" + key + " '" + v + "' (expected an integer in " + min + ".." + max + ")");
        }

        double decimal(String key, double def, double min, double max) {
            String v = string(key, null);
            if (v == null) {
                return def;
            }
            try {
                double d = Double.parseDouble(v);
                if (d >= min && d <= max) {
                    return d;
                }
            } catch (NumberFormatException ignored) {
                // reported below with the accepted range
            }
            throw new ConfigException("invalid --" + key + " '" + v + "' (expected a number in " + min + ".." + max + ")");
        }
    }
}
