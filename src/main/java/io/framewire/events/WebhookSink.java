package io.framewire.events;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Events as HTTP POSTs, one event (its JSON) per request, signed: {@code X-Framewire-Signature:
 * sha256=<hex HMAC-SHA256 of the body with the shared secret>}, and {@code X-Framewire-Event-Id}.
 * A 2xx delivers; a 408, 429, 5xx, a timeout or a refused connection is retried with backoff (the
 * same body, so the same id and signature); any other 4xx is the receiver's final word and gives
 * the event up (counted as dropped).
 */
final class WebhookSink extends Sink {

    static final String SIGNATURE = "X-Framewire-Signature";
    static final String EVENT_ID = "X-Framewire-Event-Id";

    private final HttpClient http;
    private final URI url;
    private final byte[] secret;
    private final Duration timeout;

    WebhookSink(URI url, String secret, int queueBound, Duration timeout, Ticker ticker) {
        super("webhook", queueBound, 64, ticker, 200_000_000L, 30_000_000_000L);
        this.url = url;
        this.secret = secret == null ? null : secret.getBytes(StandardCharsets.UTF_8);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    void deliver(List<Event> batch) throws Exception {
        while (!batch.isEmpty()) {
            Event e = batch.getFirst();
            byte[] body = e.json().getBytes(StandardCharsets.UTF_8);
            HttpRequest.Builder req = HttpRequest.newBuilder(url).timeout(timeout)
                    .header("Content-Type", "application/json")
                    .header(EVENT_ID, e.id())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            if (secret != null) {
                req.header(SIGNATURE, "sha256=" + sign(secret, body));
            }
            int status = http.send(req.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status >= 200 && status < 300) {
                batch.removeFirst();
            } else if (status >= 400 && status < 500 && status != 408 && status != 429) {
                throw new Refused("HTTP " + status);
            } else {
                throw new java.io.IOException("HTTP " + status);
            }
        }
    }

    /** Hex HMAC-SHA256 of {@code body}: what a receiver recomputes to check the signature header. */
    static String sign(byte[] secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}
