package io.framewire.testing;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;

/** Full collections for a memory reading, waited for by what they do rather than by a sleep. */
public final class Gc {

    private Gc() {}

    /**
     * Three rounds of {@code System.gc()}, each until a fresh weak reference has been cleared and
     * enqueued: the collection ran and the reference handler (which also frees direct buffers)
     * has got to it. Three, for what one collection's cleaners release to the next.
     */
    public static void settle() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            ReferenceQueue<Object> queue = new ReferenceQueue<>();
            WeakReference<Object> sentinel = new WeakReference<>(new Object(), queue);
            System.gc();
            if (queue.remove(Waits.WAIT.toMillis()) != sentinel) {
                throw new IllegalStateException("no collection within " + Waits.WAIT + " (is -XX:+DisableExplicitGC set?)");
            }
        }
    }
}
