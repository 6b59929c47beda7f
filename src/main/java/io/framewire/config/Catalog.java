package io.framewire.config;

import static io.framewire.config.Setting.choice;
import static io.framewire.config.Setting.decimal;
import static io.framewire.config.Setting.flag;
import static io.framewire.config.Setting.integer;
import static io.framewire.config.Setting.path;
import static io.framewire.config.Setting.text;

import io.framewire.inference.DetectorKind;
import io.framewire.inference.Device;
import io.framewire.inference.GatingConfig;
import io.framewire.inference.ImageCodec;
import io.framewire.inference.ImageLimits;
import io.framewire.inference.PipelineConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Every setting of the server, each declared once here, in the order of the settings table
 * (docs/configuration.md): name, type, default, accepted values and doc. {@link Settings#from} reads them; {@link #usage()} is the
 * {@code --help} text; {@link #markdownTable()} is docs/configuration.md's settings table (SettingsTest
 * fails when that file differs). Docs are Markdown, as the table shows them; links are relative to docs/.
 */
public final class Catalog {

    private Catalog() {}

    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9.:\\-\\[\\]]+");
    private static final Pattern HTTP_URL = Pattern.compile("https?://[^\\s]+");
    private static final Pattern MQTT_URL = Pattern.compile("(tcp|ssl)://[^\\s/]+");
    private static final Pattern HOST_ID_CHARS = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    public static final Setting<String> HOST = text("host", "0.0.0.0", "address or host name", HOST_NAME,
            "an address or host name", "listen address");
    public static final Setting<Integer> PORT = integer("port", 8080, 0, 65535, "listen port (`0`: any free port)");

    public static final Setting<DetectorKind> DETECTOR = choice("detector", DetectorKind.YUNET, DetectorKind.all(),
            DetectorKind::label, "`yunet` (DNN face with real scores; the jar carries OpenCV Zoo's 2023mar model, Apache-2.0), "
                    + "`yolo` (DNN objects), `haar` (cascade face, built in; every face scores 1.0), "
                    + "`sim` (a simulated accelerator: real decode, then a forward pass that sleeps `sim.batchMs` per batch "
                    + "and finds nothing; see [GPU hosts](operations.md#gpu-hosts)), `none` (no decode, no inference: transport checks)");
    public static final Setting<Path> MODEL = path("model",
            "model file: ONNX for `yolo` (required) or `yunet` (default: the built-in model); optional cascade XML for `haar`");
    public static final Setting<Device> DEVICE = choice("device", Device.AUTO, Device.all(), Device::label,
            "`auto` takes CUDA when a device is present and a probe forward of the model succeeds, else CPU; "
                    + "the log says which and why");
    public static final Setting<Path> LABELS = path("labels", "class names for `yolo`, one per line (default: COCO-80)");
    public static final Setting<Double> SCORE = decimal("score", 0.6, 0.0, 1.0, "minimum detection score");
    public static final Setting<Double> NMS = decimal("nms", 0.45, 0.0, 1.0, "non-maximum-suppression IoU threshold");
    public static final Setting<Integer> INPUT_SIZE = integer("inputSize", 640, 32, 4096,
            "`yolo` network input (square letterbox, multiple of 32)");
    public static final Setting<Boolean> YUNET_BATCHED = flag("yunet.batched", null,
            "`yunet`: `true` runs batches of up to `batch.max` frames through `cv::dnn::Net` (post-processing in Java, "
                    + "same boxes as `FaceDetectorYN` within 1 px); `false` runs `FaceDetectorYN` frame by frame; unset: "
                    + "batched on CUDA, frame by frame on CPU (where a batch gains nothing, bench/RESULTS.md)")
            .defaultShown("auto");
    public static final Setting<Double> SIM_BATCH_MS = decimal("sim.batchMs", 5.0, 0.01, 10_000,
            "`sim`: milliseconds each simulated forward pass of up to `batch.max` frames sleeps "
                    + "(5 ms x 8 frames: a 1,600 frames/s device)");

    public static final Setting<Integer> WORKERS = integer("workers", 0, 0, 256,
            "inference threads (device executors in the split pipeline); `0` = one per core on CPU, two per GPU "
                    + "with CUDA and two for `sim` (the device runs their passes one after another; the second keeps it busy "
                    + "while the first answers and takes its next batch: 1.04–1.20 × the results of one, bench/RESULTS.md)");
    public static final Setting<Integer> MAILBOX_DEPTH = integer("mailbox.depth", 1, 1, 64,
            "unprocessed frames kept per stream; a newer frame replaces the oldest");
    public static final Setting<Integer> BATCH_MAX = integer("batch.max", 8, 1, 256,
            "frames a worker takes per turn, run as one forward pass where the model's batch dimension is dynamic "
                    + "(YuNet, Haar: 1); 8 with a 2 ms wait gave the most results per core on the accelerator stand-in "
                    + "(sweep of 4/8/16 × 0/2 ms, bench/RESULTS.md); on CPU YuNet runs frame by frame, where batches cost "
                    + "more per frame");
    public static final Setting<Integer> BATCH_MAX_WAIT_MS = integer("batch.maxWaitMs", 2, 0, 1000,
            "how long a worker waits to fill a batch (only for batching models); 0 ran part-empty passes: 1.3–1.4 × "
                    + "fewer results (bench/RESULTS.md)");
    public static final Setting<String> PIPELINE = choice("pipeline", PipelineConfig.DEFAULT.mode(), PipelineConfig.MODES,
            Function.identity(), "`inline`: each worker decodes its batch, then runs its forward pass; `split`: decoder "
                    + "threads decode batches ahead and the executors of each device run forward passes back to back; `auto`: "
                    + "split for an accelerator (CUDA, `sim`), inline on CPU (measured: bench/RESULTS.md)");
    public static final Setting<Integer> PIPELINE_DECODERS = integer("pipeline.decoders", 0, 0, 256,
            "decoder threads of the split pipeline; `0` = one per core");

    public static final Setting<Integer> WS_MAX_MESSAGE_BYTES = integer("ws.maxMessageBytes", 4 << 20, 1024, 64 << 20,
            "largest binary message (larger: close 1009)");
    public static final Setting<Integer> WS_MAX_PENDING_RESULTS = integer("ws.maxPendingResults", 256, 1, 1 << 16,
            "results queued for a client that is not reading before it is closed (1008)");
    public static final Setting<Integer> WS_IDLE_TIMEOUT_MS = integer("ws.idleTimeoutMs", 300_000, 1000, 86_400_000,
            "a publisher that sends no message (a watcher: not even a pong) this long is closed (1001)");
    public static final Setting<Integer> WS_PING_MS = integer("ws.pingMs", 2000, 0, 600_000,
            "a connection the server wrote nothing to for this long gets a ping, so a live host is never silent "
                    + "towards NGINX for longer (its `proxy_read_timeout` of 5 s cuts a hung host's sockets); `0`: no "
                    + "pings (then NGINX cuts idle cameras after 5 s)");
    public static final Setting<Integer> STREAMS_MAX = integer("streams.max", 2000, 1, 1_000_000,
            "streams this host accepts; more are refused at the upgrade (HTTP 503, `Retry-After: 5`) and `/readyz` "
                    + "turns 503");
    public static final Setting<Integer> STREAMS_STALE_MS = integer("streams.staleMs", 10_000, 100, 86_400_000,
            "a connected stream with no frame for this long counts in `framewire_streams_stale`");
    public static final Setting<Integer> ADMIN_PORT = integer("admin.port", -1, -1, 65535,
            "serve `/metrics` and `/status` only on this port (`0`: any free port)").defaultShown("`-1` (off)");
    public static final Setting<Integer> SHUTDOWN_GRACE_MS = integer("shutdown.graceMs", 10_000, 0, 600_000,
            "bound on the [drain](operations.md#graceful-drain) at SIGTERM");

    public static final Setting<String> REDIS = text("redis", null, "URL", null, null,
            "`redis://[user:password@]host:port[/db]` (`rediss://` for TLS): share state with the other hosts "
                    + "([Redis](operations.md#redis-several-hosts)); without it, one host with in-memory state (the start-up log "
                    + "says which)");
    public static final Setting<String> REDIS_USER = text("redis.user", null, "text", null, null,
            "user name (overrides the URL's)");
    public static final Setting<String> REDIS_PASSWORD = text("redis.password", null, "text", null, null,
            "password (overrides the URL's; prefer `FRAMEWIRE_REDIS_PASSWORD` to a flag)");
    public static final Setting<Boolean> REDIS_TLS = flag("redis.tls", null,
            "TLS to Redis (the JVM's trust store)").defaultShown("from the scheme");
    public static final Setting<Integer> REDIS_TIMEOUT_MS = integer("redis.timeoutMs", 500, 10, 60_000,
            "connect and read timeout of every Redis call");
    public static final Setting<Integer> REDIS_PUBLISH_QUEUE = integer("redis.publishQueue", 65_536, 16, 1 << 22,
            "results waiting to be appended to Redis; beyond it they are dropped for watchers (counted), never for "
                    + "publishers");
    public static final Setting<Integer> REDIS_RECORD_TTL_MS = integer("redis.recordTtlMs", 10_000, 3_000, 3_600_000,
            "TTL of stream and host records; a dead host's records expire after it");
    public static final Setting<Integer> REDIS_RETENTION_SEC = integer("redis.retentionSec", 86_400, 60, 31_536_000,
            "how long a stream's totals and results are kept after its last write (resume window)");
    public static final Setting<Integer> RESULTS_MAX_LEN = integer("results.maxLen", 1000, 0, 1_000_000,
            "results kept per stream for watchers (Redis: `MAXLEN ~`, so about that many); `0` turns watching off");
    public static final Setting<String> HOST_ID = text("host.id", null, "1–128 of `A-Z a-z 0-9 . _ : -`", HOST_ID_CHARS,
            "1-128 characters of [A-Za-z0-9._:-]", "this host's name in Redis records").defaultShown("`hostname:port`");

    public static final Setting<Integer> WS_MAX_TEXT_BYTES = integer("ws.maxTextBytes", 65_536, 64, 16 << 20,
            "largest text message (larger: close 1009); publishers send none");
    public static final Setting<Integer> LIMITS_MAX_FPS = integer("limits.maxFps", 0, 0, 10_000,
            "frames per second per stream; excess frames are dropped before the mailbox and reported in the next "
                    + "answer's `dropped`").defaultShown("`0` (off)");
    public static final Setting<Integer> LIMITS_MAX_IMAGE_WIDTH = integer("limits.maxImageWidth",
            ImageLimits.DEFAULT.maxWidth(), 1, 65_535,
            "largest frame width, read from the header: wider is `image_too_large`, never decoded");
    public static final Setting<Integer> LIMITS_MAX_IMAGE_HEIGHT = integer("limits.maxImageHeight",
            ImageLimits.DEFAULT.maxHeight(), 1, 65_535,
            "largest frame height, read from the header: taller is `image_too_large`, never decoded");
    public static final Setting<Integer> LIMITS_MAX_IMAGE_PIXELS = integer("limits.maxImagePixels",
            (int) ImageLimits.DEFAULT.maxPixels(), 1, (int) ImageCodec.MAX_PIXELS,
            "largest width × height (room for 4K UHD)").defaultShown("`8388608` (2^23)");

    public static final Setting<String> SECURITY_AUTH = choice("security.auth", "off", List.of("off", "jwt"),
            Function.identity(), "`jwt`: every upgrade needs a token ([Security](operations.md#security)). `off` logs a loud warning "
                    + "at start");
    public static final Setting<String> SECURITY_JWT_SECRET = text("security.jwt.secret", null, "text", null, null,
            "HS256 shared secret, at least 32 bytes; give it by environment (`FRAMEWIRE_SECURITY_JWT_SECRET`) or file, not as a flag "
                    + "(`ps` shows flags)");
    public static final Setting<Path> SECURITY_JWT_PUBLIC_KEY = path("security.jwt.publicKey",
            "PEM public key file (`-----BEGIN PUBLIC KEY-----`): RSA → RS256, EC P-256 → ES256");
    public static final Setting<Path> SECURITY_JWT_JWKS = path("security.jwt.jwks",
            "JWKS file of RSA/EC public keys (RS256/ES256), picked by the token's `kid` (rotation: publish both keys)");
    public static final Setting<String> SECURITY_JWT_ISSUER = text("security.jwt.issuer", null, "text", null, null,
            "when set, a token's `iss` must equal it");
    public static final Setting<String> SECURITY_JWT_AUDIENCE = text("security.jwt.audience", null, "text", null, null,
            "when set, a token's `aud` must contain it");
    public static final Setting<Integer> SECURITY_JWT_CLOCK_SKEW_S = integer("security.jwt.clockSkewS", 30, 0, 600,
            "tolerance on `exp`/`nbf`");
    public static final Setting<String> SECURITY_ALLOWED_ORIGINS = text("security.allowedOrigins", "", "origins, "
            + "comma-separated", null, null, "browser origins (`https://app.example.com`); a request with another "
            + "`Origin` gets 403. Requests without `Origin` (cameras, servers) pass").defaultShown("– (any)");
    public static final Setting<Integer> SECURITY_JWT_MAX_LIFETIME_S = integer("security.jwt.maxLifetimeS", null, 1,
            31_536_000, "longest token lifetime accepted: `exp − iat` (or `exp − now` without `iat`) above it is a 401")
            .defaultShown("– (any)");
    public static final Setting<Boolean> SECURITY_PUBLIC_STATUS = flag("security.publicStatus", false,
            "with `security.auth=jwt` and no `admin.port`: serve `/status` and `/metrics` on the public port anyway "
                    + "(else 403)");

    public static final Setting<Integer> WS_MAX_BUFFERED_BYTES = integer("ws.maxBufferedBytes", 512 << 20, 1 << 20,
            Integer.MAX_VALUE, "direct memory for received frames, all connections together (whole frames waiting for "
                    + "a worker, fragmented messages being assembled); a frame that would pass it closes its connection "
                    + "with 1013. Keep it under `-XX:MaxDirectMemorySize` with room for Jetty's 64 KiB read buffers")
            .defaultShown("`536870912` (512 MiB)");
    public static final Setting<Integer> WATCHERS_MAX = integer("watchers.max", 2000, 0, 1_000_000,
            "watch connections this host accepts; more are refused at the upgrade with HTTP 503 and `Retry-After`");
    public static final Setting<Integer> INFERENCE_MAX_SIDE = integer("inference.maxSide", null, 0, 65_535,
            "longest side detectors work at: larger frames are decoded reduced (JPEG: by 2, 4 or 8 in the decoder) and "
                    + "shrunk, boxes scaled back to the frame's pixels; `0` = the frame's own size. Bounds one frame's "
                    + "cost (bench/RESULTS.md, Edge safety); the price is small faces in large frames: Haar finds faces "
                    + "from 30 px at the working size, so from 60 px in a 1920-wide frame at 960. YOLO loses nothing "
                    + "(it letterboxes to `inputSize` anyway)")
            .defaultShown("`yolo`: `inputSize`; `yunet`: `1280`; `haar`: `960`; else `0`");
    public static final Setting<Integer> RESULTS_RETENTION_SEC = integer("results.retentionSec", 300, 0, 86_400,
            "without `--redis`: a stream's results are kept this long for a watcher that comes back after its last "
                    + "watcher left, at most 1,000 such streams (least recently active dropped first)");
    public static final Setting<Integer> HTTP_HEADER_TIMEOUT_MS = integer("http.headerTimeoutMs", 10_000, 100, 600_000,
            "an HTTP connection must complete a request's headers within this of opening (or of its previous "
                    + "request); a trickle of header bytes does not extend it");

    public static final Setting<Boolean> GATING_ENABLED = flag("gating.enabled", GatingConfig.DEFAULT.enabled(),
            "motion gating for every stream (a client can still turn it off for its connection with `?gating=off`); "
                    + "never with `--detector none`, where there is nothing to save");
    public static final Setting<Double> GATING_THRESHOLD = decimal("gating.threshold", GatingConfig.DEFAULT.threshold(),
            0.0, 1.0, "share of the reduced frame that the largest connected region of changed pixels (grey level "
                    + "moved by more than 24 of 255 since the detector's last pass) away from the stream's tracks must "
                    + "cover for the detector to run again; any change at a track runs it regardless, and while the "
                    + "stream's detector found anything in the last 10 s all changed pixels together are held against "
                    + "half of it; `0`: any change");
    public static final Setting<Integer> GATING_REFRESH_MS = integer("gating.refreshMs",
            (int) GatingConfig.DEFAULT.refresh().toMillis(), 0, 3_600_000,
            "while a stream is answered at its send rate (no frame dropped), the detector runs on it at least this "
                    + "often, however still its picture; an overloaded stream is refreshed by `gating.refreshFrames` "
                    + "alone (`0`: gating never skips)");
    public static final Setting<Integer> GATING_REFRESH_FRAMES = integer("gating.refreshFrames",
            GatingConfig.DEFAULT.refreshFrames(), 1, 100_000,
            "the detector runs on at least every this many of a stream's answered frames, however still its picture "
                    + "and however loaded the host (staleness counted in the stream's own answers, so it cannot collapse "
                    + "under overload)");
    public static final Setting<Integer> TRACKING_MIN_HITS = integer("tracking.minHits", GatingConfig.DEFAULT.minHits(),
            1, 100, "detector passes in a row a track needs before its detections carry a `track` id");
    public static final Setting<Integer> TRACKING_MAX_AGE_MS = integer("tracking.maxAgeMs",
            (int) GatingConfig.DEFAULT.maxAge().toMillis(), 0, 600_000,
            "a track not matched for this long dies; an object seen again later gets a new id");

    public static final Setting<Path> EVENTS_ZONES_FILE = path("events.zonesFile",
            "zones of known cameras: a JSON object of stream id → zone document ([Events](protocol.md#events)); without `--redis` "
                    + "the zones API writes its changes back to it (with `--redis` they go to Redis, and the file fills in "
                    + "for streams Redis has none for); unset: zones set by the API live in memory only");
    public static final Setting<Integer> EVENTS_ENTER_FRAMES = integer("events.enterFrames", 3, 1, 100,
            "detector passes in a row a track's anchor (its box's bottom centre) must be inside a zone to `enter` it");
    public static final Setting<Integer> EVENTS_LEAVE_FRAMES = integer("events.leaveFrames", 5, 1, 100,
            "detector passes in a row it must be outside to `leave` (a track the tracker lost leaves at once)");
    public static final Setting<Integer> EVENTS_DWELL_SEC = integer("events.dwellSec", 30, 0, 86_400,
            "a track inside a zone this long makes one `dwell` event (`0`: none)");
    public static final Setting<Integer> EVENTS_REDIS_MAX_LEN = integer("events.redisMaxLen", 100_000, 0, 100_000_000,
            "with `--redis`: events appended to the Redis Stream `fw:events`, trimmed to about this many (`MAXLEN ~`); `0`: none");
    public static final Setting<String> EVENTS_WEBHOOK = text("events.webhook", null, "URL", HTTP_URL, "an http(s) URL",
            "POST each event here, signed with `events.webhookSecret` (header `X-Framewire-Signature: sha256=<hex>`), "
                    + "retried with backoff (0.2 s doubling to 30 s)");
    public static final Setting<String> EVENTS_WEBHOOK_SECRET = text("events.webhookSecret", null, "text", null, null,
            "HMAC-SHA256 key of the webhook signature; give it by environment (`FRAMEWIRE_EVENTS_WEBHOOKSECRET`)");
    public static final Setting<String> EVENTS_MQTT = text("events.mqtt", null, "URL", MQTT_URL, "tcp://host:port or ssl://host:port",
            "MQTT broker for events (`framewire/events`) and retained zone counts (`framewire/{stream}/{zone}/{label}`)");
    public static final Setting<Integer> EVENTS_QUEUE = integer("events.queue", 10_000, 16, 1_000_000,
            "events waiting per sink (Redis, webhook, MQTT) while it is slow or down; beyond it they are dropped "
                    + "(counted in `framewire_events_dropped_total`), the frame path never waits");
    public static final Setting<Integer> LATEST_MAX_BYTES = integer("latest.maxBytes", 256 << 20, 0, Integer.MAX_VALUE,
            "memory for every stream's latest frame together (`GET /api/streams/{id}/latest.jpg`, watchers' `?frames=`); "
                    + "the least recently received are dropped beyond it; `0`: none kept");
    public static final Setting<Integer> WS_MAX_PENDING_BYTES = integer("ws.maxPendingBytes", 1 << 20, 4096, 1 << 30,
            "bytes of results queued for one client (publisher or watcher) that is not reading before it is closed "
                    + "(1008): a bound in bytes, whatever size of result a client causes")
            .defaultShown("`1048576` (1 MiB)");
    public static final Setting<Integer> WS_MAX_PENDING_BYTES_TOTAL = integer("ws.maxPendingBytesTotal", 256 << 20,
            1 << 20, Integer.MAX_VALUE, "bytes of results queued on all connections together (a result sent to many "
                    + "watchers counts once per watcher); when spent, a message to a client that keeps up is dropped "
                    + "(`framewire_output_dropped`) and a client a quarter of its `ws.maxPendingBytes` behind is closed (1008)")
            .defaultShown("`268435456` (256 MiB)");
    public static final Setting<Integer> RESULTS_MAX_BYTES_PER_STREAM = integer("results.maxBytesPerStream", 8 << 20,
            65_536, Integer.MAX_VALUE, "bytes of results kept per stream for watchers (in memory, and in Redis by "
                    + "trimming each stream to this over its largest entry); the oldest go first")
            .defaultShown("`8388608` (8 MiB)");
    public static final Setting<Integer> RESULTS_MAX_BYTES_TOTAL = integer("results.maxBytesTotal", 256 << 20,
            1 << 20, Integer.MAX_VALUE, "without `--redis`: bytes of results kept for watchers over all streams; logs "
                    + "nobody watches give way first, then a stream's own oldest; a result that still does not fit is "
                    + "delivered live, not kept (`framewire_results_not_kept`)")
            .defaultShown("`268435456` (256 MiB)");
    public static final Setting<Integer> RESULTS_MAX_ENTRY_BYTES = integer("results.maxEntryBytes", 65_536, 1024,
            16 << 20, "a result larger than this is not kept for watchers (memory or Redis): they get a "
                    + "`{\"type\":\"skipped\",\"bytes\":N}` marker in its place");
    public static final Setting<Integer> REDIS_PUBLISH_QUEUE_BYTES = integer("redis.publishQueueBytes", 64 << 20,
            1 << 20, Integer.MAX_VALUE, "bytes of results waiting to be appended to Redis (with `redis.publishQueue`); "
                    + "beyond it they are dropped for watchers (counted in `framewire_redis_results_dropped`)")
            .defaultShown("`67108864` (64 MiB)");
    public static final Setting<Integer> INFERENCE_MAX_DETECTIONS = integer("inference.maxDetections", 256, 1, 100_000,
            "detections answered per frame, highest scores first; the rest are counted in the answer's "
                    + "`detections_omitted` and never tracked (bounds a result's size and the tracker's cost)");
    public static final Setting<Integer> WS_FIRST_FRAME_MS = integer("ws.firstFrameMs", 30_000, 100, 86_400_000,
            "a publisher that sends no frame (binary message) this long after its upgrade is closed (1008); only "
                    + "frames keep a publisher's slot, text does not");
    public static final Setting<Integer> LIMITS_MAX_CONNECTIONS_PER_IP = integer("limits.maxConnectionsPerIp", 256, 1,
            1_000_000, "WebSocket connections (publishers and watchers) from one client address; more get HTTP 429 at "
                    + "the upgrade. 256 leaves room for a site of cameras behind one NAT address; behind a proxy the "
                    + "address is its `X-Real-IP` (see `limits.trustedProxies`)");
    public static final Setting<Integer> LIMITS_MAX_CONNECTIONS_PER_TOKEN = integer("limits.maxConnectionsPerToken",
            1024, 1, 1_000_000, "with `security.auth=jwt`: connections using one token (its `sub`, else the token "
                    + "itself); more get HTTP 429 at the upgrade");
    public static final Setting<String> LIMITS_TRUSTED_PROXIES = text("limits.trustedProxies", "private",
            "`private`, `none` or addresses, comma-separated", null, null,
            "peers whose `X-Real-IP` header names the client for `limits.maxConnectionsPerIp`: `private` = loopback "
                    + "and private-range (RFC 1918, fc00::/7) peers, as NGINX in front of a fleet is; `none` = the "
                    + "socket's address always");

    public static final Setting<Integer> EVENTS_SNAPSHOT_BYTES = integer("events.snapshotBytes", 0, 0, Integer.MAX_VALUE,
            "memory for the frames of `enter` and `dwell` events (the event's `snapshot`: `GET /api/events/{id}/snapshot.jpg` "
                    + "on the host that made it and, with `--redis`, on any host: Redis keeps them too, within this many bytes "
                    + "and for 24 h), the oldest dropped beyond it; `0`: none kept");

    /** Every setting, in the settings table's order. */
    public static final List<Setting<?>> ALL = List.of(
            HOST, PORT,
            DETECTOR, MODEL, DEVICE, LABELS, SCORE, NMS, INPUT_SIZE, YUNET_BATCHED, SIM_BATCH_MS,
            WORKERS, MAILBOX_DEPTH, BATCH_MAX, BATCH_MAX_WAIT_MS, PIPELINE, PIPELINE_DECODERS,
            WS_MAX_MESSAGE_BYTES, WS_MAX_PENDING_RESULTS, WS_IDLE_TIMEOUT_MS, WS_PING_MS, STREAMS_MAX, STREAMS_STALE_MS,
            ADMIN_PORT, SHUTDOWN_GRACE_MS,
            REDIS, REDIS_USER, REDIS_PASSWORD, REDIS_TLS, REDIS_TIMEOUT_MS, REDIS_PUBLISH_QUEUE, REDIS_RECORD_TTL_MS,
            REDIS_RETENTION_SEC, RESULTS_MAX_LEN, HOST_ID,
            WS_MAX_TEXT_BYTES, LIMITS_MAX_FPS, LIMITS_MAX_IMAGE_WIDTH, LIMITS_MAX_IMAGE_HEIGHT, LIMITS_MAX_IMAGE_PIXELS,
            SECURITY_AUTH, SECURITY_JWT_SECRET, SECURITY_JWT_PUBLIC_KEY, SECURITY_JWT_JWKS, SECURITY_JWT_ISSUER,
            SECURITY_JWT_AUDIENCE, SECURITY_JWT_CLOCK_SKEW_S, SECURITY_ALLOWED_ORIGINS, SECURITY_JWT_MAX_LIFETIME_S,
            SECURITY_PUBLIC_STATUS,
            WS_MAX_BUFFERED_BYTES, WATCHERS_MAX, INFERENCE_MAX_SIDE, RESULTS_RETENTION_SEC, HTTP_HEADER_TIMEOUT_MS,
            GATING_ENABLED, GATING_THRESHOLD, GATING_REFRESH_MS, GATING_REFRESH_FRAMES, TRACKING_MIN_HITS, TRACKING_MAX_AGE_MS,
            EVENTS_ZONES_FILE, EVENTS_ENTER_FRAMES, EVENTS_LEAVE_FRAMES, EVENTS_DWELL_SEC, EVENTS_REDIS_MAX_LEN,
            EVENTS_WEBHOOK, EVENTS_WEBHOOK_SECRET, EVENTS_MQTT, EVENTS_QUEUE, LATEST_MAX_BYTES, EVENTS_SNAPSHOT_BYTES,
            WS_MAX_PENDING_BYTES, WS_MAX_PENDING_BYTES_TOTAL, RESULTS_MAX_BYTES_PER_STREAM, RESULTS_MAX_BYTES_TOTAL,
            RESULTS_MAX_ENTRY_BYTES, REDIS_PUBLISH_QUEUE_BYTES, INFERENCE_MAX_DETECTIONS, WS_FIRST_FRAME_MS,
            LIMITS_MAX_CONNECTIONS_PER_IP, LIMITS_MAX_CONNECTIONS_PER_TOKEN, LIMITS_TRUSTED_PROXIES);

    /** Every setting's name, in the settings table's order. */
    public static final List<String> NAMES = ALL.stream().map(Setting::name).toList();

    /** docs/configuration.md's settings table, header included, one row per setting. */
    public static String markdownTable() {
        StringBuilder b = new StringBuilder("| setting | default | values | meaning |\n| --- | --- | --- | --- |\n");
        for (Setting<?> s : ALL) {
            b.append("| `").append(s.name()).append("` | ").append(s.defaultText()).append(" | ").append(s.values())
                    .append(" | ").append(s.doc()).append(" |\n");
        }
        return b.toString();
    }

    /** The {@code --help} text: every setting with its values, default and doc. */
    public static String usage() {
        StringBuilder b = new StringBuilder("""
                usage: java -jar framewire.jar [--config FILE] [--name value | --name=value ...]

                Each setting is also read from the environment (FRAMEWIRE_ + the name upper-cased, dots as
                underscores: FRAMEWIRE_BATCH_MAX=4) and from the --config properties file (batch.max=4).
                Flags override the environment, which overrides the file. --print-config (with any
                of the above) prints every setting's effective value and its source, then exits. Settings:

                """);
        for (Setting<?> s : ALL) {
            b.append("  --").append(s.name()).append("   ").append(plain(s.values()))
                    .append("   (default: ").append(plain(s.defaultText())).append(")\n");
            wrap(b, plain(s.doc()), "      ", 100);
        }
        return b.toString();
    }

    /**
     * The {@code --print-config} text: every setting's effective value and where it came from
     * ({@code default}, {@code file PATH}, {@code env NAME}, {@code flag --name}); secrets and the
     * password of a Redis URL are masked.
     */
    public static String effective(ConfigSources.Sourced sourced) {
        int width = NAMES.stream().mapToInt(String::length).max().orElse(0);
        StringBuilder b = new StringBuilder();
        for (Setting<?> s : ALL) {
            String raw = sourced.values().get(s.name());
            String value = raw == null ? plain(s.defaultText()) : mask(s.name(), raw);
            b.append(String.format("%-" + width + "s  %s   (%s)%n", s.name(), value,
                    raw == null ? "default" : sourced.origins().get(s.name())));
        }
        return b.toString();
    }

    /** Secrets as ****, a URL's password too: what an operator can paste into a ticket. */
    static String mask(String name, String value) {
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("secret") || lower.contains("password")) {
            return value.isEmpty() ? "" : "****";
        }
        return value.replaceAll("(://[^:/@]*:)[^@/]*@", "$1****@");
    }

    /** Markdown to terminal text: no backticks, links as their text. */
    static String plain(String markdown) {
        return markdown.replace("`", "").replaceAll("\\[([^]]+)]\\([^)]+\\)", "$1");
    }

    private static void wrap(StringBuilder b, String text, String indent, int width) {
        int col = 0;
        for (String word : text.split(" ")) {
            if (col > indent.length() && col + 1 + word.length() > width) {
                b.append('\n');
                col = 0;
            }
            if (col == 0) {
                b.append(indent);
                col = indent.length();
            } else {
                b.append(' ');
                col++;
            }
            b.append(word);
            col += word.length();
        }
        b.append('\n');
    }
}
