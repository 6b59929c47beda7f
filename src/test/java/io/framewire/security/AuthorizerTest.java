package io.framewire.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jwt.JWTClaimsSet;
import io.framewire.testing.Tokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Authorization decisions with real signed tokens, for both publish and watch. */
class AuthorizerTest {

    private static KeyPair rsa;
    private static KeyPair ec;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator r = KeyPairGenerator.getInstance("RSA");
        r.initialize(2048);
        rsa = r.generateKeyPair();
        KeyPairGenerator e = KeyPairGenerator.getInstance("EC");
        e.initialize(new ECGenParameterSpec("secp256r1"));
        ec = e.generateKeyPair();
    }

    private static AuthConfig hs256() {
        return new AuthConfig(true, Tokens.SECRET, null, null, null, null, Duration.ofSeconds(30), List.of());
    }

    private static Authorizer authorizer(AuthConfig config) {
        return new Authorizer(config, status -> {});
    }

    private static JWTClaimsSet claims(List<String> publish, List<String> watch) {
        return Tokens.claims(publish, watch, Duration.ofMinutes(5)).build();
    }

    @Test
    void publishAndWatchAreGrantedSeparatelyByExactIdOrPrefix() {
        Authorizer a = authorizer(hs256());
        String token = Tokens.hs256(claims(List.of("cam-*", "door"), List.of("cam-1", "lobby-*")));
        assertThat(a.decide(null, token, Access.PUBLISH, "cam-7").allowed()).isTrue();
        assertThat(a.decide(null, token, Access.PUBLISH, "door").allowed()).isTrue();
        assertThat(a.decide(null, token, Access.PUBLISH, "doorbell").status()).as("exact, not prefix").isEqualTo(403);
        assertThat(a.decide(null, token, Access.PUBLISH, "lobby-1").status()).isEqualTo(403);
        assertThat(a.decide(null, token, Access.WATCH, "cam-1").allowed()).isTrue();
        assertThat(a.decide(null, token, Access.WATCH, "cam-2").status()).as("publish does not imply watch").isEqualTo(403);
        assertThat(a.decide(null, token, Access.WATCH, "lobby-east").allowed()).isTrue();
        Authorizer.Decision d = a.decide(null, token, Access.WATCH, "door");
        assertThat(d.status()).isEqualTo(403);
        assertThat(d.reason()).contains("fw.watch").contains("door");
        assertThat(d.subject()).isEqualTo("test-camera");
    }

    @Test
    void aLoneStarGrantsEveryStreamAndAMissingClaimGrantsNone() {
        Authorizer a = authorizer(hs256());
        String all = Tokens.hs256(Tokens.claims(List.of("*"), List.of(), Duration.ofMinutes(5)).build());
        assertThat(a.decide(null, all, Access.PUBLISH, "anything.at_all-1").allowed()).isTrue();
        assertThat(a.decide(null, all, Access.WATCH, "anything").status()).isEqualTo(403);
        String watchOnly = Tokens.hs256(new JWTClaimsSet.Builder().subject("viewer")
                .expirationTime(new java.util.Date(System.currentTimeMillis() + 60_000)).claim("fw.watch", "cam-1").build());
        assertThat(a.decide(null, watchOnly, Access.WATCH, "cam-1").allowed()).as("a single string claim").isTrue();
        assertThat(a.decide(null, watchOnly, Access.PUBLISH, "cam-1").status()).isEqualTo(403);
    }

    @Test
    void missingForgedExpiredOrUnexpiringTokensAre401() {
        Authorizer a = authorizer(hs256());
        assertThat(a.decide(null, null, Access.PUBLISH, "cam-1").status()).isEqualTo(401);
        assertThat(a.decide(null, "not.a.jwt", Access.PUBLISH, "cam-1").status()).isEqualTo(401);
        String forged = Tokens.hs256(claims(List.of("*"), List.of()), "another-secret-0123456789abcdef-01");
        assertThat(a.decide(null, forged, Access.PUBLISH, "cam-1").status()).isEqualTo(401);
        String expired = Tokens.hs256(Tokens.claims(List.of("*"), List.of(), Duration.ofSeconds(-120)).build());
        Authorizer.Decision d = a.decide(null, expired, Access.PUBLISH, "cam-1");
        assertThat(d.status()).isEqualTo(401);
        assertThat(d.reason()).contains("expired");
        String noExp = Tokens.hs256(new JWTClaimsSet.Builder().claim("fw.publish", List.of("*")).build());
        assertThat(a.decide(null, noExp, Access.PUBLISH, "cam-1").status()).as("exp is required").isEqualTo(401);
    }

    @Test
    void everyClaimShapeButStringsIsA401NamingTheClaimNeverAnError() {
        Authorizer a = authorizer(hs256());
        java.util.Map<String, Object> map = new java.util.HashMap<>();
        map.put("a", 1);
        java.util.List<Object> withNull = new java.util.ArrayList<>();
        withNull.add(null);
        for (Object shape : List.of(withNull, 42, map, List.of(1, 2), List.of(""), List.of(List.of("x")), true, "",
                List.of("cam-1", 7))) {
            String token = Tokens.hs256(new JWTClaimsSet.Builder().subject("odd")
                    .expirationTime(new java.util.Date(System.currentTimeMillis() + 60_000)).claim("fw.publish", shape).build());
            Authorizer.Decision d = a.decide(null, token, Access.PUBLISH, "cam-1");
            assertThat(d.status()).as("fw.publish: %s", shape).isEqualTo(401);
            assertThat(d.reason()).contains("fw.publish").contains("list of non-empty strings");
        }
        String numericSub = Tokens.hs256(new JWTClaimsSet.Builder().claim("sub", 5)
                .expirationTime(new java.util.Date(System.currentTimeMillis() + 60_000)).claim("fw.publish", "cam-1").build());
        assertThat(a.decide(null, numericSub, Access.PUBLISH, "cam-1").status()).as("a decision, not an exception").isIn(200, 401);
    }

    @Test
    void expiryToleratesTheConfiguredClockSkewOnly() {
        Authorizer a = authorizer(hs256()); // 30 s
        String justExpired = Tokens.hs256(Tokens.claims(List.of("*"), List.of(), Duration.ofSeconds(-10)).build());
        assertThat(a.decide(null, justExpired, Access.PUBLISH, "cam-1").allowed()).isTrue();
        Authorizer strict = authorizer(new AuthConfig(true, Tokens.SECRET, null, null, null, null, Duration.ZERO, List.of()));
        assertThat(strict.decide(null, justExpired, Access.PUBLISH, "cam-1").status()).isEqualTo(401);
    }

    @Test
    void unsignedTokensAreRefused() {
        Authorizer a = authorizer(hs256());
        String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"exp\":" + (System.currentTimeMillis() / 1000 + 600) + ",\"fw.publish\":[\"*\"]}").getBytes());
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes()) + "." + payload + ".";
        assertThat(a.decide(null, none, Access.PUBLISH, "cam-1").status()).isEqualTo(401);
    }

    @Test
    void rs256AndEs256PublicKeysFromPem(@TempDir Path dir) throws Exception {
        Path rsaPem = Files.writeString(dir.resolve("rsa.pem"), Tokens.pem(rsa));
        Path ecPem = Files.writeString(dir.resolve("ec.pem"), Tokens.pem(ec));
        Authorizer byRsa = authorizer(new AuthConfig(true, null, rsaPem, null, null, null, Duration.ofSeconds(30), List.of()));
        Authorizer byEc = authorizer(new AuthConfig(true, null, ecPem, null, null, null, Duration.ofSeconds(30), List.of()));
        JWTClaimsSet c = claims(List.of("cam-1"), List.of());
        assertThat(byRsa.decide(null, Tokens.rs256(c, rsa), Access.PUBLISH, "cam-1").allowed()).isTrue();
        assertThat(byEc.decide(null, Tokens.es256(c, ec), Access.PUBLISH, "cam-1").allowed()).isTrue();
        assertThat(byRsa.decide(null, Tokens.es256(c, ec), Access.PUBLISH, "cam-1").status()).isEqualTo(401);
        // algorithm confusion: HS256 "signed" with the public key's bytes must not pass
        String confused = Tokens.hs256(c, new String(rsa.getPublic().getEncoded(), java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThat(byRsa.decide(null, confused, Access.PUBLISH, "cam-1").status()).isEqualTo(401);
    }

    @Test
    void jwksFileSelectsTheKeyByKid(@TempDir Path dir) throws Exception {
        RSAKey r = new RSAKey.Builder((RSAPublicKey) rsa.getPublic()).keyID("rsa-1").build();
        ECKey e = new ECKey.Builder(Curve.P_256, (ECPublicKey) ec.getPublic()).keyID("ec-1").build();
        Path jwks = Files.writeString(dir.resolve("jwks.json"), new JWKSet(List.of(r, e)).toString());
        Authorizer a = authorizer(new AuthConfig(true, null, null, jwks, null, null, Duration.ofSeconds(30), List.of()));
        JWTClaimsSet c = claims(List.of(), List.of("cam-*"));
        String rsToken = signWithKid(c, "rsa-1", true);
        String esToken = signWithKid(c, "ec-1", false);
        assertThat(a.decide(null, rsToken, Access.WATCH, "cam-3").allowed()).isTrue();
        assertThat(a.decide(null, esToken, Access.WATCH, "cam-3").allowed()).isTrue();
        assertThat(a.decide(null, signWithKid(c, "unknown", true), Access.WATCH, "cam-3").status()).isEqualTo(401);
    }

    private static String signWithKid(JWTClaimsSet claims, String kid, boolean rsaKey) throws Exception {
        var alg = rsaKey ? com.nimbusds.jose.JWSAlgorithm.RS256 : com.nimbusds.jose.JWSAlgorithm.ES256;
        var jwt = new com.nimbusds.jwt.SignedJWT(new com.nimbusds.jose.JWSHeader.Builder(alg).keyID(kid).build(), claims);
        jwt.sign(rsaKey ? new com.nimbusds.jose.crypto.RSASSASigner(rsa.getPrivate())
                : new com.nimbusds.jose.crypto.ECDSASigner((java.security.interfaces.ECPrivateKey) ec.getPrivate()));
        return jwt.serialize();
    }

    @Test
    void issuerAndAudienceWhenConfigured() {
        Authorizer a = authorizer(new AuthConfig(true, Tokens.SECRET, null, null, "https://auth.example", "framewire",
                Duration.ofSeconds(30), List.of()));
        var base = Tokens.claims(List.of("*"), List.of(), Duration.ofMinutes(5));
        assertThat(a.decide(null, Tokens.hs256(base.build()), Access.PUBLISH, "c").status()).isEqualTo(401);
        String good = Tokens.hs256(base.issuer("https://auth.example").audience("framewire").build());
        assertThat(a.decide(null, good, Access.PUBLISH, "c").allowed()).isTrue();
        String otherAud = Tokens.hs256(base.issuer("https://auth.example").audience("someone-else").build());
        assertThat(a.decide(null, otherAud, Access.PUBLISH, "c").status()).isEqualTo(401);
    }

    @Test
    void originListAppliesWithOrWithoutAuthentication() {
        var origins = List.of("https://app.example.com", "http://localhost:3000/");
        Authorizer open = authorizer(new AuthConfig(false, null, null, null, null, null, Duration.ofSeconds(30), origins));
        assertThat(open.enabled()).isFalse();
        assertThat(open.decide(null, null, Access.PUBLISH, "cam-1").allowed()).as("no Origin: not a browser").isTrue();
        assertThat(open.decide("https://APP.example.com", null, Access.PUBLISH, "cam-1").allowed()).isTrue();
        assertThat(open.decide("http://localhost:3000", null, Access.WATCH, "cam-1").allowed()).isTrue();
        assertThat(open.decide("https://evil.example", null, Access.WATCH, "cam-1").status()).isEqualTo(403);
        Authorizer withJwt = authorizer(new AuthConfig(true, Tokens.SECRET, null, null, null, null, Duration.ofSeconds(30), origins));
        String token = Tokens.hs256(claims(List.of("*"), List.of("*")));
        assertThat(withJwt.decide("https://evil.example", token, Access.PUBLISH, "cam-1").status()).isEqualTo(403);
        assertThat(withJwt.decide("https://app.example.com", token, Access.PUBLISH, "cam-1").allowed()).isTrue();
        Authorizer anyOrigin = authorizer(AuthConfig.OFF);
        assertThat(anyOrigin.decide("https://evil.example", null, Access.PUBLISH, "cam-1").allowed()).isTrue();
    }

    @Test
    void unusableKeysFailAtStart(@TempDir Path dir) throws Exception {
        Path notPem = Files.writeString(dir.resolve("key.pem"), "hello");
        assertThatThrownBy(() -> authorizer(new AuthConfig(true, null, notPem, null, null, null, Duration.ZERO, List.of())))
                .hasMessageContaining("security.jwt.publicKey");
        assertThatThrownBy(() -> authorizer(new AuthConfig(true, null, dir.resolve("missing.pem"), null, null, null, Duration.ZERO, List.of())))
                .hasMessageContaining("cannot read");
        Path badJwks = Files.writeString(dir.resolve("jwks.json"), "{\"keys\":[]}");
        assertThatThrownBy(() -> authorizer(new AuthConfig(true, null, null, badJwks, null, null, Duration.ZERO, List.of())))
                .hasMessageContaining("security.jwt.jwks");
    }
}
