package io.framewire.camera;

import io.framewire.client.FramewireClient;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/** The cameras of one config, each on its own loop and connection. */
final class Bridge implements AutoCloseable {

    private final List<CameraLoop> cameras;

    Bridge(Config config, LongSupplier nanoTime) {
        List<CameraLoop> list = new ArrayList<>();
        for (Config.Camera cam : config.cameras()) {
            FramewireClient client = FramewireClient.publisher(config.server(), cam.id()).token(cam.token()).build();
            list.add(new CameraLoop(cam, client, nanoTime));
        }
        this.cameras = List.copyOf(list);
    }

    Bridge start() {
        cameras.forEach(CameraLoop::start);
        return this;
    }

    List<CameraLoop> cameras() {
        return cameras;
    }

    @Override
    public void close() {
        cameras.forEach(CameraLoop::stop);
        try {
            for (CameraLoop c : cameras) {
                c.join(5_000); // a blocked FFmpeg read ends at its timeout_ms
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
