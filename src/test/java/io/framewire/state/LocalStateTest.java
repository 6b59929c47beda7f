package io.framewire.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
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
}
