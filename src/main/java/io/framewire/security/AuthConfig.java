package io.framewire.security;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The {@code security.*} settings.
 *
 * @param jwt            true: every upgrade needs a valid token; false: anyone may publish or watch
 * @param secret         HS256 shared secret (at least 32 bytes), or null
 * @param publicKey      PEM public key file (RSA: RS256, EC P-256: ES256), or null
 * @param jwks           JWKS file of public keys (RS256/ES256, chosen by {@code kid}), or null
 * @param issuer         required {@code iss}, or null
 * @param audience       required {@code aud} entry, or null
 * @param clockSkew      tolerance on {@code exp} and {@code nbf}
 * @param allowedOrigins browser origins allowed to connect; empty: any (requests without Origin always pass)
 * @param maxLifetime    longest {@code exp - iat} (or {@code exp - now} without {@code iat}) accepted, or null: any
 * @param publicStatus   with jwt on: serve /status and /metrics on the public port anyway (no admin.port)
 */
public record AuthConfig(boolean jwt, String secret, Path publicKey, Path jwks, String issuer, String audience,
                         Duration clockSkew, List<String> allowedOrigins, Duration maxLifetime, boolean publicStatus) {

    public AuthConfig(boolean jwt, String secret, Path publicKey, Path jwks, String issuer, String audience,
                      Duration clockSkew, List<String> allowedOrigins) {
        this(jwt, secret, publicKey, jwks, issuer, audience, clockSkew, allowedOrigins, null, false);
    }

    public static final AuthConfig OFF = new AuthConfig(false, null, null, null, null, null, Duration.ofSeconds(30), List.of());

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "AuthConfig[jwt=" + jwt + ", secret=" + (secret == null ? "none" : "***") + ", publicKey=" + publicKey
                + ", jwks=" + jwks + ", issuer=" + issuer + ", audience=" + audience + ", clockSkew=" + clockSkew
                + ", allowedOrigins=" + allowedOrigins + ", maxLifetime=" + maxLifetime + ", publicStatus=" + publicStatus + "]";
    }
}
