package io.framewire.security;

import java.util.List;

/**
 * The stream ids one claim grants: each entry is an exact id, or a prefix ending in {@code *}
 * ({@code cam-*}; a lone {@code *} grants every stream). {@code *} anywhere else is literal and so
 * never matches a valid stream id.
 */
record StreamGrants(List<String> patterns) {

    static final StreamGrants NONE = new StreamGrants(List.of());

    boolean allows(String streamId) {
        for (String p : patterns) {
            if (p.endsWith("*") ? streamId.startsWith(p.substring(0, p.length() - 1)) : streamId.equals(p)) {
                return true;
            }
        }
        return false;
    }
}
