package io.framewire.config;

import io.framewire.events.EventsConfig;
import io.framewire.inference.DetectorConfig;
import io.framewire.inference.DetectorKind;
import io.framewire.inference.GatingConfig;
import io.framewire.inference.ImageLimits;
import io.framewire.inference.PipelineConfig;
import io.framewire.security.AuthConfig;
import io.framewire.state.RedisConfig;
import io.framewire.state.ResultsLimits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Every setting of the server, validated once at start. Each value comes from a flag, the
 * environment or a properties file (see {@link ConfigSources}); each setting is declared once, in
 * {@link Catalog}, which docs/configuration.md's settings table is generated from.
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
        PipelineConfig pipeline,
        EventsConfig events,
        Budgets budgets) {

    /** Setting names, in the settings table's order (declared in {@link Catalog}). */
    public static final List<String> NAMES = Catalog.NAMES;

    public static Settings fromArgs(String[] args) {
        return from(ConfigSources.merge(args, System.getenv(), new LinkedHashSet<>(NAMES)));
    }

    public static Settings from(Map<String, String> raw) {
        DetectorKind kind = Catalog.DETECTOR.read(raw);
        Path model = Catalog.MODEL.read(raw);
        if (kind == DetectorKind.YOLO && model == null) {
            throw new ConfigException("--model is required with --detector " + kind + " (a YOLO ONNX export)");
        }
        var dc = new DetectorConfig(
                kind,
                model,
                Catalog.DEVICE.read(raw),
                Catalog.LABELS.read(raw),
                Catalog.SCORE.read(raw).floatValue(),
                Catalog.NMS.read(raw).floatValue(),
                Catalog.INPUT_SIZE.read(raw),
                Catalog.SIM_BATCH_MS.read(raw),
                Catalog.YUNET_BATCHED.read(raw));
        return new Settings(
                Catalog.HOST.read(raw),
                Catalog.PORT.read(raw),
                dc,
                Catalog.WORKERS.read(raw),
                Catalog.MAILBOX_DEPTH.read(raw),
                Catalog.BATCH_MAX.read(raw),
                Duration.ofMillis(Catalog.BATCH_MAX_WAIT_MS.read(raw)),
                Catalog.WS_MAX_MESSAGE_BYTES.read(raw),
                Catalog.WS_MAX_PENDING_RESULTS.read(raw),
                Catalog.STREAMS_MAX.read(raw),
                Catalog.ADMIN_PORT.read(raw),
                Duration.ofMillis(Catalog.WS_IDLE_TIMEOUT_MS.read(raw)),
                Duration.ofMillis(Catalog.SHUTDOWN_GRACE_MS.read(raw)),
                redis(raw),
                Catalog.RESULTS_MAX_LEN.read(raw),
                Catalog.HOST_ID.read(raw),
                Catalog.WS_MAX_TEXT_BYTES.read(raw),
                Catalog.LIMITS_MAX_FPS.read(raw),
                new ImageLimits(Catalog.LIMITS_MAX_IMAGE_WIDTH.read(raw), Catalog.LIMITS_MAX_IMAGE_HEIGHT.read(raw),
                        Catalog.LIMITS_MAX_IMAGE_PIXELS.read(raw)),
                auth(raw),
                Catalog.WS_MAX_BUFFERED_BYTES.read(raw),
                Catalog.WATCHERS_MAX.read(raw),
                Catalog.INFERENCE_MAX_SIDE.read(raw, defaultMaxSide(dc)),
                Duration.ofSeconds(Catalog.RESULTS_RETENTION_SEC.read(raw)),
                Duration.ofMillis(Catalog.HTTP_HEADER_TIMEOUT_MS.read(raw)),
                Duration.ofMillis(Catalog.WS_PING_MS.read(raw)),
                Duration.ofMillis(Catalog.STREAMS_STALE_MS.read(raw)),
                new GatingConfig(Catalog.GATING_ENABLED.read(raw), Catalog.GATING_THRESHOLD.read(raw),
                        Duration.ofMillis(Catalog.GATING_REFRESH_MS.read(raw)), Catalog.GATING_REFRESH_FRAMES.read(raw),
                        Catalog.TRACKING_MIN_HITS.read(raw),
                        Duration.ofMillis(Catalog.TRACKING_MAX_AGE_MS.read(raw))),
                new PipelineConfig(Catalog.PIPELINE.read(raw), Catalog.PIPELINE_DECODERS.read(raw)),
                events(raw),
                budgets(raw));
    }

    private static Budgets budgets(Map<String, String> raw) {
        String proxies = Catalog.LIMITS_TRUSTED_PROXIES.read(raw).trim();
        return new Budgets(
                Catalog.WS_MAX_PENDING_BYTES.read(raw),
                Catalog.WS_MAX_PENDING_BYTES_TOTAL.read(raw),
                new ResultsLimits(Catalog.RESULTS_MAX_LEN.read(raw), Catalog.RESULTS_MAX_BYTES_PER_STREAM.read(raw),
                        Catalog.RESULTS_MAX_BYTES_TOTAL.read(raw), Catalog.RESULTS_MAX_ENTRY_BYTES.read(raw)),
                Catalog.INFERENCE_MAX_DETECTIONS.read(raw),
                Duration.ofMillis(Catalog.WS_FIRST_FRAME_MS.read(raw)),
                Catalog.LIMITS_MAX_CONNECTIONS_PER_IP.read(raw),
                Catalog.LIMITS_MAX_CONNECTIONS_PER_TOKEN.read(raw),
                proxies.isEmpty() ? "none" : proxies);
    }

    /**
     * Longest side a detector works at unless set (0: the frame's own size), from each detector's
     * cost on 4096x2048 frames (bench/maxside.sh, bench/RESULTS.md "Edge safety"): YOLO letterboxes
     * to its input anyway, so decoding no larger loses nothing; YuNet's cost follows the pixels
     * (4.4 s at full size, 0.15-0.44 s at 1280); the Haar cascade is the slowest per pixel.
     */
    static int defaultMaxSide(DetectorConfig detector) {
        return switch (detector.kind()) {
            case YOLO -> detector.inputSize();
            case YUNET -> 1280;
            case HAAR -> 960;
            case SIM, NONE -> 0;
        };
    }

    private static EventsConfig events(Map<String, String> raw) {
        String webhook = Catalog.EVENTS_WEBHOOK.read(raw);
        return new EventsConfig(Catalog.EVENTS_ZONES_FILE.read(raw), Catalog.EVENTS_ENTER_FRAMES.read(raw),
                Catalog.EVENTS_LEAVE_FRAMES.read(raw), Duration.ofSeconds(Catalog.EVENTS_DWELL_SEC.read(raw)),
                // a track unseen this long is dead in its tracker too: it leaves its zones
                Duration.ofMillis(Catalog.TRACKING_MAX_AGE_MS.read(raw)),
                Catalog.EVENTS_REDIS_MAX_LEN.read(raw), webhook == null ? null : java.net.URI.create(webhook),
                Catalog.EVENTS_WEBHOOK_SECRET.read(raw), Catalog.EVENTS_MQTT.read(raw), Catalog.EVENTS_QUEUE.read(raw),
                Catalog.LATEST_MAX_BYTES.read(raw), Catalog.EVENTS_SNAPSHOT_BYTES.read(raw));
    }

    /** Null without {@code --redis}: single host, in-memory state. */
    private static RedisConfig redis(Map<String, String> raw) {
        String url = Catalog.REDIS.read(raw);
        if (url == null) {
            for (Setting<?> s : Catalog.ALL) {
                if (s.name().startsWith("redis.") && s.isSet(raw)) {
                    throw new ConfigException("--" + s.name() + " needs --redis redis://host:port");
                }
            }
            return null;
        }
        try {
            return RedisConfig.parse(url, Catalog.REDIS_USER.read(raw), Catalog.REDIS_PASSWORD.read(raw),
                    Catalog.REDIS_TLS.read(raw),
                    Duration.ofMillis(Catalog.REDIS_TIMEOUT_MS.read(raw)),
                    Catalog.REDIS_PUBLISH_QUEUE.read(raw),
                    Catalog.REDIS_PUBLISH_QUEUE_BYTES.read(raw),
                    Duration.ofMillis(Catalog.REDIS_RECORD_TTL_MS.read(raw)),
                    Duration.ofSeconds(Catalog.REDIS_RETENTION_SEC.read(raw)));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage()); // names --redis, never the password
        }
    }

    private static AuthConfig auth(Map<String, String> raw) {
        boolean jwt = Catalog.SECURITY_AUTH.read(raw).equals("jwt");
        String secret = Catalog.SECURITY_JWT_SECRET.read(raw);
        Path publicKey = Catalog.SECURITY_JWT_PUBLIC_KEY.read(raw);
        Path jwks = Catalog.SECURITY_JWT_JWKS.read(raw);
        long keys = Stream.of(secret, publicKey, jwks).filter(Objects::nonNull).count();
        if (jwt && keys != 1) {
            throw new ConfigException("--security.auth jwt needs exactly one of --security.jwt.secret, "
                    + "--security.jwt.publicKey, --security.jwt.jwks (" + keys + " given)");
        }
        if (secret != null && secret.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new ConfigException("invalid --security.jwt.secret (HS256 needs at least 32 bytes, e.g. openssl rand -base64 32)");
        }
        List<String> origins = new ArrayList<>();
        for (String o : Catalog.SECURITY_ALLOWED_ORIGINS.read(raw).split(",")) {
            if (!o.isBlank()) {
                origins.add(o.trim());
            }
        }
        Integer maxLifetime = Catalog.SECURITY_JWT_MAX_LIFETIME_S.read(raw);
        return new AuthConfig(jwt, secret, publicKey, jwks,
                Catalog.SECURITY_JWT_ISSUER.read(raw), Catalog.SECURITY_JWT_AUDIENCE.read(raw),
                Duration.ofSeconds(Catalog.SECURITY_JWT_CLOCK_SKEW_S.read(raw)), List.copyOf(origins),
                maxLifetime == null ? null : Duration.ofSeconds(maxLifetime),
                Catalog.SECURITY_PUBLIC_STATUS.read(raw));
    }
}
