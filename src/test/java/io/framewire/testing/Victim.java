package io.framewire.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A well-behaved stream beside an attack: sends a frame, waits for its answer (up to a second),
 * paces itself, and counts what came back. The acceptance bar of issue 12: at least 80 % answered.
 */
public final class Victim implements AutoCloseable {

    private final WsClient client;
    private final byte[] frame;
    private final Duration pace;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger answered = new AtomicInteger();
    private final List<Long> latenciesMs = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;

    public Victim(int port, String id, byte[] frame, Duration pace) throws Exception {
        this.client = WsClient.stream(port, id);
        this.frame = frame;
        this.pace = pace;
        this.thread = Thread.ofPlatform().name("victim-" + id).start(this::loop);
    }

    private void loop() {
        while (running.get()) {
            long t0 = System.nanoTime();
            try {
                long seq = sent.getAndIncrement();
                client.send(frame);
                // its own answer within the second; a late answer to an earlier frame is skipped
                long deadline = t0 + 1_000_000_000L;
                while (System.nanoTime() < deadline) {
                    JsonNode answer = client.next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
                    if (answer.path("seq").asLong(-1) == seq) {
                        if (answer.path("type").asText().equals("result")) {
                            answered.incrementAndGet();
                            latenciesMs.add((System.nanoTime() - t0) / 1_000_000);
                        }
                        break;
                    }
                }
                long left = pace.toNanos() - (System.nanoTime() - t0);
                if (left > 0) {
                    Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
                }
            } catch (InterruptedException e) {
                return;
            } catch (AssertionError | Exception e) {
                // no answer within a second, or the send failed: counted as unanswered
            }
        }
    }

    /** Stops sending; the answers so far over the frames sent. */
    public double stop() throws InterruptedException {
        running.set(false);
        thread.join(5000);
        return sent.get() == 0 ? 0 : (double) answered.get() / sent.get();
    }

    public int sent() {
        return sent.get();
    }

    public int answered() {
        return answered.get();
    }

    /** Median round trip of the answered frames, in ms. */
    public long p50Ms() {
        List<Long> copy;
        synchronized (latenciesMs) {
            copy = new ArrayList<>(latenciesMs);
        }
        Collections.sort(copy);
        return copy.isEmpty() ? Long.MAX_VALUE : copy.get(copy.size() / 2);
    }

    @Override
    public void close() throws Exception {
        running.set(false);
        client.close();
    }
}
