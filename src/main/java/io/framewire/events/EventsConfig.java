package io.framewire.events;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The events settings ({@code events.*}, {@code latest.maxBytes}; docs/configuration.md).
 *
 * @param zonesFile     zone documents for known cameras, stream id to document; null: none
 * @param lost          how long a track may go unseen before it leaves its zones (the tracker's maxAge)
 * @param redisMaxLen   about how many entries {@code fw:events} keeps; 0: no Redis sink
 * @param webhook       where to POST events; null: no webhook sink
 * @param mqtt          the MQTT broker ({@code tcp://host:1883}); null: no MQTT sink
 * @param queue         each sink's queue bound (events)
 * @param latestBytes   all streams' latest pictures together; 0: none kept
 * @param snapshotBytes the frames of enter and dwell events, kept in memory; 0: none
 */
public record EventsConfig(Path zonesFile, int enterFrames, int leaveFrames, Duration dwell, Duration lost,
                           long redisMaxLen, URI webhook, String webhookSecret, String mqtt, int queue,
                           long latestBytes, long snapshotBytes) {

    public static final EventsConfig DEFAULT = new EventsConfig(null, 3, 5, Duration.ofSeconds(30), Duration.ofSeconds(1),
            100_000, null, null, null, 10_000, 256L << 20, 0);
}
