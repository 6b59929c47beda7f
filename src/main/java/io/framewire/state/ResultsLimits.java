package io.framewire.state;

/**
 * What the results kept for watchers may hold, in results and in bytes: {@code maxLen} results
 * per stream ({@code results.maxLen}), {@code maxBytesPerStream} bytes per stream and, in memory,
 * {@code maxBytesTotal} over all streams ({@code results.maxBytesPerStream}, {@code results.maxBytesTotal}).
 * A result over {@code maxEntryBytes} ({@code results.maxEntryBytes}) is not kept: watchers get a
 * {@code skipped} marker in its place, so a client choosing huge results cannot fill Redis or the heap.
 */
public record ResultsLimits(int maxLen, long maxBytesPerStream, long maxBytesTotal, int maxEntryBytes) {

    /** Tests: {@code maxLen} results, 8 MiB per stream, 256 MiB in all, 64 KiB per result. */
    public static ResultsLimits ofLength(int maxLen) {
        return new ResultsLimits(maxLen, 8L << 20, 256L << 20, 64 << 10);
    }
}
