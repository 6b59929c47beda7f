package io.framewire.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LocalStateTest {

    private static final class Recorder implements Watcher {
        final List<String> messages = new ArrayList<>();

        @Override
        public void ready(String from) {}

        @Override
        public void deliver(String entry, String message) {
            messages.add(message);
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
        state.publish("cam-1", "r0");
        state.unwatch("cam-1", first);
        state.publish("cam-1", "r1");

        Recorder again = new Recorder();
        state.watch("cam-1", "0-0", again);
        assertThat(first.messages).containsExactly("r0");
        assertThat(again.messages).containsExactly("r0", "r1");
        assertThat(state.logsKept()).isEqualTo(1);
    }

    @Test
    void anUnwatchedLogIsDroppedOnceItsRetentionHasPassed() {
        AtomicLong now = new AtomicLong(1_000_000);
        LocalState state = new LocalState(100, Duration.ofSeconds(60), now::get);
        Recorder w = new Recorder();
        state.watch("cam-1", null, w);
        state.publish("cam-1", "r0");
        state.watch("cam-2", null, new Recorder()); // still watched: kept however old
        state.publish("cam-2", "r0");
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
            state.publish("made-up-" + i, "r");
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
}
