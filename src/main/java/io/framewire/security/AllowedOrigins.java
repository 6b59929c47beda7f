package io.framewire.security;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Browser origins allowed to open a WebSocket. Browsers always send {@code Origin} and let any page
 * connect anywhere, so this is what keeps a foreign page from using a viewer's cookies or network
 * position; other clients send no Origin and pass.
 */
final class AllowedOrigins {

    private final Set<String> origins;

    AllowedOrigins(List<String> origins) {
        this.origins = origins.stream().map(AllowedOrigins::normalize).collect(Collectors.toUnmodifiableSet());
    }

    /** Empty list: no check. */
    boolean allows(String origin) {
        return origin == null || origins.isEmpty() || origins.contains("*") || origins.contains(normalize(origin));
    }

    private static String normalize(String origin) {
        String o = origin.trim().toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }
}
