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
 */
public record AuthConfig(boolean jwt, String secret, Path publicKey, Path jwks, String issuer, String audience,
                         Duration clockSkew, List<String> allowedOrigins) {

    public static final AuthConfig OFF = new AuthConfig(false, null, null, null, null, null, Duration.ofSeconds(30), List.of());

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "AuthConfig[jwt=" + jwt + ", secret=" + (secret == null ? "none" : "***") + ", publicKey=" + publicKey
                + ", jwks=" + jwks + ", issuer=" + issuer + ", audience=" + audience + ", clockSkew=" + clockSkew
                + ", allowedOrigins=" + allowedOrigins + "]";
    }
}
