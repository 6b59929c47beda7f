package io.framewire.state;

import static io.framewire.testing.Waits.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.framewire.testing.Waits;
import io.framewire.protocol.Encoded;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LocalStateTest {

    /** The message as published ("{r0" here), from the watcher's form {@code {"entry":"<id>",r0}. */
    static String original(String entry, Encoded watched) {
        String text = watched.text();
        String prefix = "{\"entry\":\"" + entry + "\",";
        assertThat(text).startsWith(prefix);
        return text.substring(prefix.length());
    }

    private static final class Recorder implements Watcher {
        final List<String> messages = new ArrayList<>();

        @Override
        public void ready(String from) {}

        @Override
        public void deliver(String entry, Encoded watched) {
            messages.add(original(entry, watched));
        }
    }

    @Test
    void watchingMadeUpStreamsLeavesNothingBehind() {
        LocalState state = new LocalState(100);
        for (int i = 0; i < 1000; i++) {
            Recorder w = new Recorder();
            state.watch("ghost-" + i, null, w);
            state.unwatch("ghost-" + i, w);
        }
        assertThat(state.logsKept()).isZero();
    }

    @Test
    void aPublishedStreamKeepsItsResultsForTheNextWatcher() {
        LocalState state = new LocalState(100);
        Recorder first = new Recorder();
        state.watch("cam-1", null, first);
        state.publish("cam-1", "{r0");
        state.unwatch("cam-1", first);
        state.publish("cam-1", "{r1");

        Recorder again = new Recorder();
        state.watch("cam-1", "0-0", again);
        assertThat(first.messages).containsExactly("r0");
        assertThat(again.messages).containsExactly("r0", "r1");
        assertThat(state.logsKept()).isEqualTo(1);
    }

    /**
     * The watcher is told where its feed starts, and a result published from then on must reach it,
     * however the threads interleave: here the publish comes while the watch call is still inside
     * {@code ready()} (the flake "the watcher saw seq 2 first" in LocalWatchTest).
     */
    @Test
    void aResultPublishedWhileTheWatcherIsBeingToldWhereItStartsReachesIt() throws Exception {
        LocalState state = new LocalState(100);
        CountDownLatch told = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        Watcher slow = new Watcher() {
            @Override
            public void ready(String from) {
                told.countDown();
                try {
                    letGo.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void deliver(String entry, Encoded watched) {
                got.add(original(entry, watched));
            }
        };
        Thread watcher = Thread.ofPlatform().start(() -> state.watch("cam-1", null, slow));
        assertThat(told.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        Thread publisher = Thread.ofPlatform().start(() -> state.publish("cam-1", "{r0"));
        // the publish either waits for the watcher's registration or has already returned
        Waits.await().until(() -> publisher.getState() == Thread.State.BLOCKED || publisher.getState() == Thread.State.WAITING || !publisher.isAlive());
        letGo.countDown();
        watcher.join(WAIT);
        publisher.join(WAIT);
        assertThat(got).containsExactly("r0");
    }

    @Test
    void aWatcherArrivingAsTheLastOneLeavesGetsALiveLog() {
        LocalState state = new LocalState(100);
        for (int i = 0; i < 1000; i++) {
            String id = "cam-" + i;
            Recorder leaving = new Recorder();
            Recorder coming = new Recorder();
            state.watch(id, null, leaving);
            Thread t = Thread.ofPlatform().start(() -> state.unwatch(id, leaving));
            state.watch(id, null, coming);
            try {
                t.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            state.publish(id, "{r");
            assertThat(coming.messages).as(id).containsExactly("r");
        }
    }

    @Test
    void anUnwatchedLogIsDroppedOnceItsRetentionHasPassed() {
        AtomicLong now = new AtomicLong(1_000_000);
        LocalState state = new LocalState(100, Duration.ofSeconds(60), now::get);
        Recorder w = new Recorder();
        state.watch("cam-1", null, w);
        state.publish("cam-1", "{r0");
        state.watch("cam-2", null, new Recorder()); // still watched: kept however old
        state.publish("cam-2", "{r0");
        state.unwatch("cam-1", w);
        now.addAndGet(59_000);
        state.sweep(now.get());
        assertThat(state.logsKept()).as("within the retention").isEqualTo(2);
        now.addAndGet(1_000);
        state.sweep(now.get());
        assertThat(state.logsKept()).as("cam-1 gone, cam-2 watched").isEqualTo(1);
        Recorder late = new Recorder();
        state.watch("cam-1", "0-0", late);
        assertThat(late.messages).isEmpty();
    }

    @Test
    void atMostMaxUnwatchedLogsAreKeptTheLeastRecentlyActiveGoFirst() {
        AtomicLong now = new AtomicLong(1_000_000);
        LocalState state = new LocalState(10, Duration.ofHours(1), now::get);
        int ids = LocalState.MAX_UNWATCHED + 200;
        for (int i = 0; i < ids; i++) {
            Recorder w = new Recorder();
            state.watch("made-up-" + i, null, w);
            state.publish("made-up-" + i, "{r");
            state.unwatch("made-up-" + i, w);
            now.incrementAndGet();
        }
        state.sweep(now.get());
        assertThat(state.logsKept()).isEqualTo(LocalState.MAX_UNWATCHED);
        Recorder oldest = new Recorder();
        state.watch("made-up-0", "0-0", oldest);
        assertThat(oldest.messages).as("the oldest went first").isEmpty();
        Recorder newest = new Recorder();
        state.watch("made-up-" + (ids - 1), "0-0", newest);
        assertThat(newest.messages).containsExactly("r");
    }

    private static String result(int n, int bytes) {
        return "{\"n\":" + n + ",\"pad\":\"" + "x".repeat(bytes) + "\"}";
    }

    @Test
    void aStreamsLogIsBoundedInBytesOldestFirst() {
        LocalState state = new LocalState(new ResultsLimits(1000, 64 << 10, 1 << 20, 32 << 10), Duration.ofHours(1),
                System::currentTimeMillis);
        Recorder live = new Recorder();
        state.watch("cam-1", null, live);
        for (int i = 0; i < 100; i++) {
            state.publish("cam-1", result(i, 10_000));
        }
        assertThat(live.messages).as("live watchers get every result").hasSize(100);
        assertThat(state.bytesKept()).isPositive().isLessThanOrEqualTo(64 << 10);
        Recorder late = new Recorder();
        state.watch("cam-1", "0-0", late);
        assertThat(late.messages).as("replay: the newest that fit 64 KiB").hasSize(6);
        assertThat(late.messages.getLast()).startsWith("\"n\":99,");
    }

    @Test
    void allLogsTogetherStayWithinTheTotalAndWhatDoesNotFitIsCounted() {
        LocalState state = new LocalState(new ResultsLimits(1000, 64 << 10, 200_000, 32 << 10), Duration.ofHours(1),
                System::currentTimeMillis);
        List<Recorder> watchers = new ArrayList<>();
        for (int s = 0; s < 10; s++) {
            Recorder r = new Recorder();
            watchers.add(r);
            state.watch("cam-" + s, null, r);
            for (int i = 0; i < 50; i++) {
                state.publish("cam-" + s, result(i, 10_000));
                assertThat(state.bytesKept()).isLessThanOrEqualTo(200_000);
            }
        }
        assertThat(watchers).allSatisfy(r -> assertThat(r.messages).hasSize(50));
        assertThat(state.bytesKept()).isGreaterThan(150_000);
    }

    @Test
    void aResultOverMaxEntryBytesIsKeptAndDeliveredAsAMarker() {
        LocalState state = new LocalState(new ResultsLimits(1000, 1 << 20, 1 << 20, 4096), Duration.ofHours(1),
                System::currentTimeMillis);
        Recorder live = new Recorder();
        state.watch("cam-1", null, live);
        state.publish("cam-1", result(1, 100_000));
        state.publish("cam-1", result(2, 10));
        assertThat(live.messages.get(0)).startsWith("\"type\":\"skipped\",\"stream\":\"cam-1\",\"bytes\":1000");
        assertThat(live.messages.get(1)).startsWith("\"n\":2,");
        assertThat(state.bytesKept()).isLessThan(1000);
    }
}
