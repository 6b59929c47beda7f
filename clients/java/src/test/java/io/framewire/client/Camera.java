package io.framewire.client;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Sends a fresh frame every {@code periodMs} to a client, as a camera would; close to stop. */
final class Camera implements AutoCloseable {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    Camera(FramewireClient client, long periodMs, Supplier<byte[]> frames) {
        timer.scheduleAtFixedRate(() -> client.send(frames.get()), 0, periodMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
