package io.framewire.tracking;

/**
 * One stream's tracks as the shared state sees them: what it saves for the host that may take the
 * stream over, and where it hands back what a previous host saved. Both sides are called from
 * threads other than the stream's worker, so they only exchange immutable text.
 */
public interface TrackHandover {

    /** The stream's latest {@link Tracker#snapshot}, refreshed by its worker now and then; null while it has none. */
    String tracksSnapshot();

    /** A snapshot another connection of this stream left: adopted at the stream's next frame, if it has no ids of its own yet. */
    void adoptTracks(String snapshot);
}
