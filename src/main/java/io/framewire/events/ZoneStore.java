package io.framewire.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framewire.state.RedisCommands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where each stream's zones live. The zones file ({@code events.zonesFile}, stream id to zone
 * document) sets them for known cameras. Without Redis the admin API's changes are kept here and
 * written back to that file (atomically: a temporary file renamed over it); with Redis they go to
 * {@code fw:{ID}:zones}, which every host of the fleet reads, and the file only gives the streams
 * Redis has nothing for.
 */
final class ZoneStore {

    /** Streams with zones kept in memory and in the file: bounds the file and this map. */
    static final int MAX_STREAMS = 10_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final RedisCommands redis;
    private final Map<String, List<Zone>> known = new TreeMap<>(); // guarded by this

    ZoneStore(Path file, RedisCommands redis) {
        this.file = file;
        this.redis = redis;
        if (file != null && Files.exists(file)) {
            load(file);
        }
    }

    static String key(String stream) {
        return "fw:{" + stream + "}:zones";
    }

    private void load(Path f) {
        JsonNode root;
        try {
            root = JSON.readTree(f.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("events.zonesFile " + f + ": not JSON (" + e.getMessage() + ")");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("events.zonesFile " + f + ": expected {\"<stream id>\": {\"zones\": [...]}, ...}");
        }
        for (var it = root.fields(); it.hasNext(); ) {
            var e = it.next();
            try {
                known.put(e.getKey(), Zones.parse(JSON.writeValueAsBytes(e.getValue())));
            } catch (Zones.Invalid | IOException ex) {
                throw new IllegalArgumentException("events.zonesFile " + f + ", stream " + e.getKey() + ": " + ex.getMessage());
            }
        }
    }

    /** The stream's zones: Redis's when it has them (with a fleet), else the file's; empty when none. */
    List<Zone> get(String stream) {
        if (redis != null) {
            String doc = redis.get(key(stream));
            if (doc != null) {
                return Zones.parseStored(doc);
            }
        }
        synchronized (this) {
            return known.getOrDefault(stream, List.of());
        }
    }

    /** Zones of many streams in one round trip (the fleet's refresh); null entries: Redis has none. */
    List<String> stored(List<String> streams) {
        return redis.mget(streams.stream().map(ZoneStore::key).toList());
    }

    synchronized List<Zone> fallback(String stream) {
        return known.getOrDefault(stream, List.of());
    }

    /** Replaces the stream's zones (an empty list: none). */
    void put(String stream, List<Zone> zones) {
        if (redis != null) {
            redis.set(key(stream), Zones.toJson(zones));
            return;
        }
        synchronized (this) {
            if (!known.containsKey(stream) && known.size() >= MAX_STREAMS) {
                throw new IllegalStateException("zones are kept for at most " + MAX_STREAMS + " streams");
            }
            if (zones.isEmpty()) {
                known.remove(stream);
            } else {
                known.put(stream, zones);
            }
            save();
        }
    }

    private void save() {
        if (file == null) {
            return; // in memory only (the start-up log says so)
        }
        ObjectNode root = JSON.createObjectNode();
        try {
            for (var e : known.entrySet()) {
                root.set(e.getKey(), JSON.readTree(Zones.toJson(e.getValue())));
            }
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write events.zonesFile " + file, e);
        }
    }

    String describe() {
        return redis != null ? "zones in Redis (fw:{ID}:zones)" + (file != null ? ", defaults from " + file : "")
                : file != null ? "zones in " + file : "zones in memory only (set events.zonesFile to keep them)";
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
