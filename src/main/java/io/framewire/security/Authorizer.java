package io.framewire.security;

import java.util.Locale;
import java.util.function.IntConsumer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides at the WebSocket upgrade whether a request may publish or watch a stream: Origin first
 * (403), then the token (401: none, invalid, expired), then the token's grant for this stream id
 * (403). A refused upgrade is answered with a plain HTTP status; no WebSocket is opened.
 *
 * <p>Tokens come from {@code Authorization: Bearer} or, for browsers (which cannot set headers on a
 * WebSocket), a {@code Sec-WebSocket-Protocol} entry {@value #BEARER_PROTOCOL_PREFIX}{@code <jwt>}
 * offered beside {@value #PROTOCOL} (never echoed: the server accepts {@value #PROTOCOL}), or the
 * {@code token} query parameter (which proxies log: the subprotocol is preferred).
 */
public final class Authorizer {

    /** The outcome of {@link #check}: status 200 when allowed. */
    public record Decision(int status, String reason, String subject) {
        public boolean allowed() {
            return status == HttpStatus.OK_200;
        }
    }

    /** The subprotocol the server accepts when a client offers it. */
    public static final String PROTOCOL = "framewire";
    /** A subprotocol entry carrying a token: this prefix, then the JWT. */
    public static final String BEARER_PROTOCOL_PREFIX = "framewire.bearer.";

    private static final Logger log = LoggerFactory.getLogger(Authorizer.class);

    private final TokenVerifier verifier;
    private final AllowedOrigins origins;
    private final IntConsumer onRefused;

    /** {@code onRefused} gets the HTTP status of every refusal (a metric). Throws on an unusable key. */
    public Authorizer(AuthConfig config, IntConsumer onRefused) {
        this.verifier = config.jwt() ? new TokenVerifier(config) : null;
        this.origins = new AllowedOrigins(config.allowedOrigins());
        this.onRefused = onRefused;
    }

    public boolean enabled() {
        return verifier != null;
    }

    public Decision check(Request request, Access access, String streamId) {
        return decide(request.getHeaders().get(HttpHeader.ORIGIN), token(request), access, streamId);
    }

    /** {@link #check} on what it reads from the request: the Origin header and the token (either may be null). */
    public Decision decide(String origin, String token, Access access, String streamId) {
        if (!origins.allows(origin)) {
            return new Decision(HttpStatus.FORBIDDEN_403, "origin not allowed: " + origin, null);
        }
        if (verifier == null) {
            return new Decision(HttpStatus.OK_200, "authentication off", null);
        }
        if (token == null) {
            return new Decision(HttpStatus.UNAUTHORIZED_401,
                    "missing token (Authorization: Bearer, Sec-WebSocket-Protocol " + BEARER_PROTOCOL_PREFIX + "<jwt>, or ?token=)", null);
        }
        TokenVerifier.Claims claims;
        try {
            claims = verifier.verify(token);
        } catch (TokenVerifier.InvalidToken e) {
            return new Decision(HttpStatus.UNAUTHORIZED_401, e.getMessage(), null);
        }
        if (!claims.grants(access).allows(streamId)) {
            return new Decision(HttpStatus.FORBIDDEN_403,
                    "token does not grant " + access.claim() + " for stream " + streamId, claims.subject());
        }
        return new Decision(HttpStatus.OK_200, "granted", claims.subject());
    }

    /**
     * {@link #check}, answering a refusal on the response: for an upgrade handler,
     * {@code if (!authorizer.admit(req, res, cb, Access.WATCH, id)) return null;}.
     */
    public boolean admit(Request request, Response response, Callback callback, Access access, String streamId) {
        Decision d = check(request, access, streamId);
        if (d.allowed()) {
            return true;
        }
        onRefused.accept(d.status());
        log.debug("refused {} {} from {}: {} {}", access, streamId, Request.getRemoteAddr(request), d.status(), d.reason());
        if (d.status() == HttpStatus.UNAUTHORIZED_401) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"framewire\", error=\"invalid_token\"");
        }
        Response.writeError(request, response, callback, d.status(), d.reason());
        return false;
    }

    /**
     * Who a granted request is, for the per-token connection cap: {@code sub:<subject>} or, for a
     * token without one, {@code jwt:<digest of the token>}; null with authentication off.
     */
    public String tokenKey(Request request) {
        if (verifier == null) {
            return null;
        }
        String token = token(request);
        if (token == null) {
            return null;
        }
        try {
            String subject = verifier.verify(token).subject();
            if (subject != null) {
                return "sub:" + subject;
            }
        } catch (TokenVerifier.InvalidToken e) {
            return null;
        }
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "jwt:" + java.util.HexFormat.of().formatHex(d, 0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String token(Request request) {
        String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (auth != null && auth.length() > 7 && auth.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            return auth.substring(7).trim();
        }
        for (String offered : request.getHeaders().getCSV(HttpHeader.SEC_WEBSOCKET_SUBPROTOCOL, false)) {
            if (offered.startsWith(BEARER_PROTOCOL_PREFIX) && offered.length() > BEARER_PROTOCOL_PREFIX.length()) {
                return offered.substring(BEARER_PROTOCOL_PREFIX.length());
            }
        }
        Fields query = Request.extractQueryParameters(request);
        String t = query.getValue("token");
        return t == null || t.isBlank() ? null : t;
    }
}
