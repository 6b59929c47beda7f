package io.framewire.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.proc.SingleKeyJWSKeySelector;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies a JWT's signature and time claims with nimbus-jose-jwt. The algorithm is pinned by the
 * configured key (HS256 for a secret, RS256/ES256 for a public key), so a token cannot pick a
 * weaker one ({@code alg: none}, or HS256 signed with the public key as secret).
 */
final class TokenVerifier {

    /** Why a token was refused; the message is safe to show the client. */
    static final class InvalidToken extends Exception {
        InvalidToken(String message) {
            super(message);
        }
    }

    /** The claims the gateway uses. */
    record Claims(String subject, StreamGrants publish, StreamGrants watch, StreamGrants admin) {
        StreamGrants grants(Access access) {
            return switch (access) {
                case PUBLISH -> publish;
                case WATCH -> watch;
                case ADMIN -> admin;
            };
        }
    }

    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    private final java.time.Duration maxLifetime;
    private final java.time.Duration clockSkew;

    TokenVerifier(AuthConfig config) {
        this.maxLifetime = config.maxLifetime();
        this.clockSkew = config.clockSkew();
        processor.setJWSKeySelector(keySelector(config));
        JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
        if (config.issuer() != null) {
            exact.issuer(config.issuer());
        }
        var claims = new DefaultJWTClaimsVerifier<>(
                config.audience() == null ? null : Set.of(config.audience()),
                exact.build(), Set.of("exp"), null);
        claims.setMaxClockSkew((int) config.clockSkew().toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
    }

    Claims verify(String token) throws InvalidToken {
        JWTClaimsSet set;
        try {
            set = processor.process(token, null);
        } catch (BadJWTException e) {
            throw new InvalidToken(e.getMessage().contains("xpired") ? "token expired" : "token rejected: " + e.getMessage());
        } catch (ParseException | BadJOSEException | JOSEException e) {
            throw new InvalidToken("invalid token");
        }
        if (maxLifetime != null) {
            checkLifetime(set);
        }
        Object subject = set.getClaim("sub");
        if (subject != null && !(subject instanceof String)) {
            throw new InvalidToken("claim sub must be a string");
        }
        return new Claims((String) subject, grants(set, Access.PUBLISH), grants(set, Access.WATCH), grants(set, Access.ADMIN));
    }

    /**
     * {@code exp - iat} at most {@code security.jwt.maxLifetimeS}; without {@code iat}, {@code exp}
     * at most that far from now (a token minted for 30 years is refused either way).
     */
    private void checkLifetime(JWTClaimsSet set) throws InvalidToken {
        java.util.Date exp = set.getExpirationTime();
        java.util.Date iat = set.getIssueTime();
        long from = iat != null ? iat.getTime() : System.currentTimeMillis();
        if (exp.getTime() - from > maxLifetime.toMillis() + clockSkew.toMillis()) {
            throw new InvalidToken("token lifetime over security.jwt.maxLifetimeS (" + maxLifetime.toSeconds() + " s)");
        }
    }

    /**
     * A claim absent grants nothing; one string is taken as a list of one. Any other shape (a number,
     * an object, a list holding anything but non-empty strings) is the token's fault: a 401 naming the
     * claim, never a 500.
     */
    private static StreamGrants grants(JWTClaimsSet set, Access access) throws InvalidToken {
        Object value = set.getClaim(access.claim());
        if (value == null) {
            return StreamGrants.NONE;
        }
        if (value instanceof String s && !s.isEmpty()) {
            return new StreamGrants(List.of(s));
        }
        List<String> ids = new ArrayList<>();
        if (value instanceof List<?> list) {
            for (Object o : list) {
                if (!(o instanceof String s) || s.isEmpty()) {
                    ids = null;
                    break;
                }
                ids.add(s);
            }
        } else {
            ids = null;
        }
        if (ids == null) {
            throw new InvalidToken("claim " + access.claim() + " must be a string or a list of non-empty strings (stream ids or prefix*)");
        }
        return new StreamGrants(ids);
    }

    private static JWSKeySelector<SecurityContext> keySelector(AuthConfig config) {
        if (config.secret() != null) {
            byte[] secret = config.secret().getBytes(StandardCharsets.UTF_8);
            return new SingleKeyJWSKeySelector<>(JWSAlgorithm.HS256, new SecretKeySpec(secret, "HmacSHA256"));
        }
        if (config.publicKey() != null) {
            PublicKey key = readPem(config.publicKey());
            JWSAlgorithm alg = key instanceof RSAPublicKey ? JWSAlgorithm.RS256 : JWSAlgorithm.ES256;
            return new SingleKeyJWSKeySelector<>(alg, key);
        }
        if (config.jwks() != null) {
            try {
                JWKSet keys = JWKSet.load(config.jwks().toFile());
                if (keys.getKeys().isEmpty()) {
                    throw new IllegalArgumentException("security.jwt.jwks: no keys in " + config.jwks());
                }
                return new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256),
                        new ImmutableJWKSet<>(keys));
            } catch (IOException | ParseException e) {
                throw new IllegalArgumentException("security.jwt.jwks: cannot read " + config.jwks() + ": " + e.getMessage());
            }
        }
        throw new IllegalArgumentException("security.auth=jwt needs security.jwt.secret, security.jwt.publicKey or security.jwt.jwks");
    }

    /** An X.509 SubjectPublicKeyInfo PEM ({@code -----BEGIN PUBLIC KEY-----}), RSA or EC P-256. */
    static PublicKey readPem(Path file) {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("security.jwt.publicKey: cannot read " + file + ": " + e.getMessage());
        }
        int begin = pem.indexOf("-----BEGIN PUBLIC KEY-----");
        int end = pem.indexOf("-----END PUBLIC KEY-----");
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("security.jwt.publicKey: " + file + " holds no '-----BEGIN PUBLIC KEY-----' block");
        }
        String body = pem.substring(begin + "-----BEGIN PUBLIC KEY-----".length(), end).replaceAll("\\s", "");
        X509EncodedKeySpec spec;
        try {
            spec = new X509EncodedKeySpec(Base64.getDecoder().decode(body));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("security.jwt.publicKey: bad base64 in " + file);
        }
        for (String kind : List.of("RSA", "EC")) {
            try {
                PublicKey key = KeyFactory.getInstance(kind).generatePublic(spec);
                if (key instanceof ECPublicKey ec && ec.getParams().getCurve().getField().getFieldSize() != 256) {
                    throw new IllegalArgumentException("security.jwt.publicKey: EC keys must be P-256 (ES256)");
                }
                return key;
            } catch (GeneralSecurityException e) {
                // try the next kind
            }
        }
        throw new IllegalArgumentException("security.jwt.publicKey: " + file + " is neither an RSA nor an EC public key");
    }
}
