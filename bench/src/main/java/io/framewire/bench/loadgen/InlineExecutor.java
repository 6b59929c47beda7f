package io.framewire.bench.loadgen;

import java.util.concurrent.Executor;

/**
 * Jetty executor that runs tasks inline when they are submitted from one of its own threads.
 * Jetty treats a WebSocket read as possibly blocking, so every readable connection would be
 * handed to another thread: one wake-up and context switch per result, which on a small VM
 * cost more CPU than everything else the load generator does. Our listeners never block, so
 * selector threads can run them directly. Tasks from outside (connects, timers) still go to
 * the pool, which also keeps each selector's endless produce loop on a thread of its own.
 */
final class InlineExecutor implements Executor {
    private static final ThreadLocal<Boolean> OURS = ThreadLocal.withInitial(() -> Boolean.FALSE);
    private final Executor pool;

    InlineExecutor(Executor pool) {
        this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
        if (OURS.get()) {
            task.run();
        } else {
            pool.execute(() -> {
                OURS.set(Boolean.TRUE);
                task.run();
            });
        }
    }
}
