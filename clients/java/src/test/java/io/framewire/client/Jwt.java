package io.framewire.client;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** An HS256 token as an operator's token service would mint it (plain JDK: the library needs no JWT code). */
final class Jwt {
    private Jwt() {}

    static String hs256(String secret, List<String> publish, long validSeconds) throws Exception {
        long now = Instant.now().getEpochSecond();
        String grants = publish.stream().map(p -> "\"" + p + "\"").collect(Collectors.joining(","));
        String header = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
        String claims = b64("{\"sub\":\"camera\",\"iat\":" + now + ",\"exp\":" + (now + validSeconds)
                + ",\"fw.publish\":[" + grants + "],\"fw.watch\":[" + grants + "]}");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] sig = mac.doFinal((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
        return header + "." + claims + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
