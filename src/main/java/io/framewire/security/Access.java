package io.framewire.security;

/** What a connection wants to do with a stream; each is granted by its own token claim. */
public enum Access {
    /** Send frames to {@code /ws/streams/{id}}: claim {@code fw.publish}. */
    PUBLISH("fw.publish"),
    /** Receive a stream's results on {@code /ws/watch/{id}}: claim {@code fw.watch}. */
    WATCH("fw.watch"),
    /** Change a stream's settings, its zones ({@code /api/streams/{id}/zones}): claim {@code fw.admin}. */
    ADMIN("fw.admin");

    private final String claim;

    Access(String claim) {
        this.claim = claim;
    }

    /** The JWT claim listing the stream ids (or {@code prefix*} patterns) this access is granted for. */
    public String claim() {
        return claim;
    }
}
