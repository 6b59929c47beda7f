package io.framewire.bench.loadgen;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/** One selector thread of the NIO client; it owns the connections registered with it. */
final class IoThread extends Thread {
    final Selector selector;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;

    IoThread(String name) throws IOException {
        super(name);
        setDaemon(true);
        selector = Selector.open();
    }

    /** Runs {@code task} on this thread soon; for rare events (connects, give-ups), as it wakes the selector. */
    void execute(Runnable task) {
        tasks.add(task);
        selector.wakeup();
    }

    @Override
    public void run() {
        try {
            while (running) {
                selector.select(k -> ((NioConn) k.attachment()).ready(k));
                Runnable t;
                while ((t = tasks.poll()) != null) {
                    t.run();
                }
            }
        } catch (IOException e) {
            System.err.println("[loadgen] " + getName() + " selector failed: " + LoadRun.describe(e));
        } finally {
            for (SelectionKey k : selector.keys()) {
                try {
                    k.channel().close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
            try {
                selector.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** Stops the loop and closes every connection still registered. */
    void shutdown() throws InterruptedException {
        running = false;
        selector.wakeup();
        join(2000);
    }
}
