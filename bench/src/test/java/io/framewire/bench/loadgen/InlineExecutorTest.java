package io.framewire.bench.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class InlineExecutorTest {

    @Test
    void outsideTasksGoToThePoolAndTheirSubtasksRunInline() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            InlineExecutor ex = new InlineExecutor(pool);
            AtomicReference<Thread> outer = new AtomicReference<>();
            AtomicReference<Thread> inner = new AtomicReference<>();
            CountDownLatch done = new CountDownLatch(1);
            ex.execute(() -> {
                outer.set(Thread.currentThread());
                ex.execute(() -> inner.set(Thread.currentThread()));
                done.countDown();
            });
            assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(outer.get()).isNotSameAs(Thread.currentThread());
            assertThat(inner.get()).isSameAs(outer.get());
        } finally {
            pool.shutdownNow();
        }
    }
}
