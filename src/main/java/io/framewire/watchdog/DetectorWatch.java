package io.framewire.watchdog;

import io.framewire.protocol.Detection;
import io.framewire.inference.Detector;
import io.framewire.inference.DetectorFactory;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Each inference worker's progress, seen from its detector: the time its current forward pass
 * started, or none while it waits for work, and the CPU time the worker's thread has used. An idle
 * worker is fine however long it idles. A worker on one forward pass for longer than the stall time
 * is stuck when its thread has used no CPU for the stall time (a deadlocked native call, a wedged GPU
 * driver) or has spent the stall time's worth of CPU on that one pass (a native loop that never
 * ends); a worker that still gets CPU now and then is starved, not stuck (a host whose cores other
 * work takes), and a restart would only cost its streams. Wraps the factory, so the workers' own code
 * is untouched.
 */
public final class DetectorWatch implements Probe {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final List<Slot> slots = new CopyOnWriteArrayList<>();

    /** One worker's detector: 0 while idle, else {@code System.nanoTime()} when its pass began (never 0 then). */
    private static final class Slot {
        final String worker;
        final long threadId;
        volatile long busySince;
        /** The thread's CPU time when the pass began. */
        volatile long cpuAtStart;
        // the watchdog thread's own view (only stall() touches these): the pass it last saw, the
        // thread's CPU time then, and when that CPU time last moved
        long seenPass;
        long seenCpu;
        long cpuMovedAt;

        Slot(Thread thread) {
            this.worker = thread.getName();
            this.threadId = thread.threadId();
        }
    }

    /** {@code factory}, with every detector it makes reporting here. */
    public DetectorFactory watch(DetectorFactory factory) {
        return factory.wrapping((worker, detector) -> {
            // called on the worker's own thread: its name says which worker is stuck
            Slot slot = new Slot(Thread.currentThread());
            slots.add(slot);
            return new Watched(detector, slot);
        });
    }

    @Override
    public String stall(long nowNanos, long stallNanos) {
        String why = null;
        for (Slot s : slots) {
            long since = s.busySince;
            if (since == 0) {
                continue;
            }
            long cpu = THREADS.getThreadCpuTime(s.threadId); // -1: not measurable here
            if (s.seenPass != since || cpu != s.seenCpu) {
                s.cpuMovedAt = s.seenPass != since ? since : nowNanos;
                s.seenPass = since;
                s.seenCpu = cpu;
            }
            long elapsed = nowNanos - since;
            if (elapsed <= stallNanos || why != null) {
                continue;
            }
            String pass = "inference worker " + s.worker + " on one forward pass for " + ms(elapsed) + " ms";
            if (cpu < 0) {
                why = pass;
            } else if (cpu - s.cpuAtStart >= stallNanos) {
                why = pass + ", " + ms(cpu - s.cpuAtStart) + " ms of CPU (a loop that does not end)";
            } else if (nowNanos - s.cpuMovedAt > stallNanos) {
                why = pass + ", no CPU for " + ms(nowNanos - s.cpuMovedAt) + " ms (blocked)";
            }
            // else starved: it still gets CPU now and then, and finishes when the host lets it
        }
        return why;
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
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
            slot.cpuAtStart = THREADS.getCurrentThreadCpuTime();
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
