package io.framewire.state;

/**
 * Redis key layout (docs/operations.md, "Redis"). A stream's keys share a hash tag, {id}, so a script may
 * touch all three in one call on a cluster slot too.
 */
final class Keys {

    static final String HOSTS = "fw:hosts";
    static final String TAKEOVER = "fw:takeover";
    private static final String RESULTS_SUFFIX = "}:results";

    private Keys() {}

    /** Live record of a publishing stream (short TTL). */
    static String record(String streamId) {
        return "fw:{" + streamId + "}:stream";
    }

    /** Totals that survive reconnects (retention TTL). */
    static String totals(String streamId) {
        return "fw:{" + streamId + "}:totals";
    }

    /** The stream's last track snapshot, for the next host that takes it (record TTL). */
    static String tracks(String streamId) {
        return "fw:{" + streamId + "}:tracks";
    }

    /** The stream's results: a capped Redis Stream. */
    static String results(String streamId) {
        return "fw:{" + streamId + RESULTS_SUFFIX;
    }

    /** Present while someone watched the stream within the retention: only then are results appended. */
    static String watched(String streamId) {
        return "fw:{" + streamId + "}:watched";
    }

    /**
     * One connection's counts as last added to the totals (received, processed, dropped): a write
     * retried after a lost reply adds only what is new (retention TTL).
     */
    static String connectionCounts(String streamId, String conn) {
        return "fw:{" + streamId + "}:conn:" + conn;
    }

    static String streamOfResults(String key) {
        return key.substring(4, key.length() - RESULTS_SUFFIX.length());
    }

    static String host(String hostId) {
        return "fw:host:" + hostId;
    }
}
