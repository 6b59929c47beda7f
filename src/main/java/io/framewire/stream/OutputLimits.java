package io.framewire.stream;

/**
 * What a connection's unsent results may hold: {@code maxPending} messages and {@code maxPendingBytes}
 * bytes of its own ({@code ws.maxPendingResults}, {@code ws.maxPendingBytes}) within the host's
 * {@code total} ({@code ws.maxPendingBytesTotal}); {@code dropped} counts a message a budget refused.
 */
public record OutputLimits(int maxPending, long maxPendingBytes, OutputBudget total, Runnable dropped) {

    /** Generous limits for tests and tools: 256 messages, 16 MiB, 1 GiB in all, drops not counted. */
    public static OutputLimits lenient() {
        return new OutputLimits(256, 16 << 20, new OutputBudget(1L << 30), () -> {});
    }
}
