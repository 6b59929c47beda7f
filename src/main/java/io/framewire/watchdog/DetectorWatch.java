package io.framewire.watchdog;

import io.framewire.protocol.Detection;
import io.framewire.inference.Detector;
import io.framewire.inference.DetectorFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Each inference worker's progress, seen from its detector: the time its current forward pass
 * started, or none while it waits for work. An idle worker is fine however long it idles; a worker
 * on one forward pass for longer than the stall time (a deadlocked or stuck native call, a wedged
 * GPU driver) is not. Wraps the factory, so the workers' own code is untouched.
 */
public final class DetectorWatch implements Probe {

    private final List<Slot> slots = new CopyOnWriteArrayList<>();

    /** One worker's detector: 0 while idle, else {@code System.nanoTime()} when its pass began (never 0 then). */
    private static final class Slot {
        final String worker;
        volatile long busySince;

        Slot(String worker) {
            this.worker = worker;
        }
    }

    /** {@code factory}, with every detector it makes reporting here. */
    public DetectorFactory watch(DetectorFactory factory) {
        return factory.wrapping((worker, detector) -> {
            // called on the worker's own thread: its name says which worker is stuck
            Slot slot = new Slot(Thread.currentThread().getName());
            slots.add(slot);
            return new Watched(detector, slot);
        });
    }

    @Override
    public String stall(long nowNanos, long stallNanos) {
        for (Slot s : slots) {
            long since = s.busySince;
            if (since != 0 && nowNanos - since > stallNanos) {
                return "inference worker " + s.worker + " on one forward pass for "
                        + TimeUnit.NANOSECONDS.toMillis(nowNanos - since) + " ms";
            }
        }
        return null;
    }

    private final class Watched implements Detector {
        private final Detector d;
        private final Slot slot;

        Watched(Detector d, Slot slot) {
            this.d = d;
            this.slot = slot;
        }

        @Override
        public int maxBatch() {
            return d.maxBatch();
        }

        @Override
        public boolean needsPixels() {
            return d.needsPixels();
        }

        @Override
        public List<List<Detection>> detect(List<Mat> images) {
            long now = System.nanoTime();
            slot.busySince = now == 0 ? 1 : now;
            try {
                return d.detect(images);
            } finally {
                slot.busySince = 0;
            }
        }

        @Override
        public void close() {
            slots.remove(slot);
            d.close();
        }
    }
}
