package io.framewire.events;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The frames of {@code enter} and {@code dwell} events, as the camera sent them, kept in memory on
 * the host that made the event ({@code events.snapshotBytes}; the oldest dropped first), served at
 * {@code GET /api/events/{id}/snapshot.jpg}; with a fleet also in Redis (see {@link Events}), so any
 * host serves it. Copying one is a memcpy on the worker, once per such event.
 */
public final class Snapshots {

    /** One kept snapshot and the stream it shows (its access is checked against that stream). */
    public record Snapshot(String stream, byte[] bytes) {}

    private final long maxBytes;
    private final LinkedHashMap<String, Snapshot> kept = new LinkedHashMap<>(); // guarded by this, oldest first
    private long bytes;
    private java.util.function.BiConsumer<String, byte[]> shared; // with a fleet: each copy kept is also offered there

    /** With a fleet: where each kept copy also goes (Redis, so that any host serves it). */
    void shareTo(java.util.function.BiConsumer<String, byte[]> to) {
        this.shared = to;
    }

    public Snapshots(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    boolean enabled() {
        return maxBytes > 0;
    }

    /** Keeps a copy of {@code image} for event {@code id}; false when it does not fit at all. */
    boolean keep(String id, String stream, ByteBuffer image) {
        if (image == null || image.remaining() > maxBytes) {
            return false;
        }
        byte[] copy = new byte[image.remaining()];
        image.duplicate().get(copy);
        synchronized (this) {
            Snapshot old = kept.put(id, new Snapshot(stream, copy));
            bytes += copy.length - (old == null ? 0 : old.bytes().length);
            for (Iterator<Map.Entry<String, Snapshot>> it = kept.entrySet().iterator(); bytes > maxBytes && it.hasNext(); ) {
                bytes -= it.next().getValue().bytes().length;
                it.remove();
            }
        }
        if (shared != null) {
            shared.accept(id, copy);
        }
        return true;
    }

    public synchronized Snapshot get(String id) {
        return kept.get(id);
    }

    public synchronized long bytes() {
        return bytes;
    }
}
