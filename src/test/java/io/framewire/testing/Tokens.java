package io.framewire.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/** Mints signed JWTs for tests, the way an operator's token service would. */
public final class Tokens {

    /** A 32-byte HS256 secret. */
    public static final String SECRET = "test-secret-0123456789abcdef-0123";

    private Tokens() {}

    public static JWTClaimsSet.Builder claims(List<String> publish, List<String> watch, Duration validFor) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().subject("test-camera")
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(validFor)))
                .claim("fw.publish", publish)
                .claim("fw.watch", watch);
    }

    public static String hs256(JWTClaimsSet claims) {
        return hs256(claims, SECRET);
    }

    public static String hs256(JWTClaimsSet claims, String secret) {
        try {
            return sign(JWSAlgorithm.HS256, new MACSigner(secret.getBytes(StandardCharsets.UTF_8)), claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String rs256(JWTClaimsSet claims, KeyPair rsa) {
        return sign(JWSAlgorithm.RS256, new RSASSASigner((RSAPrivateKey) rsa.getPrivate()), claims);
    }

    public static String es256(JWTClaimsSet claims, KeyPair ec) {
        try {
            return sign(JWSAlgorithm.ES256, new ECDSASigner((ECPrivateKey) ec.getPrivate()), claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** PEM of a public key, as {@code openssl pkey -pubout} writes it. */
    public static String pem(KeyPair pair) {
        return "-----BEGIN PUBLIC KEY-----\n"
                + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(pair.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    private static String sign(JWSAlgorithm alg, JWSSigner signer, JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(new JWSHeader(alg), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }
}
