package io.framewire.client;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps everything a client reported, for the tests to look at. */
final class Recorder implements Listener {
    final List<Message> messages = new CopyOnWriteArrayList<>();
    final List<State> states = new CopyOnWriteArrayList<>();
    final List<Closed> closes = new CopyOnWriteArrayList<>();

    @Override
    public void onMessage(Message message) {
        messages.add(message);
    }

    @Override
    public void onState(State state, Closed closed) {
        states.add(state);
        if (closed != null) {
            closes.add(closed);
        }
    }

    List<Message.Result> results() {
        return messages.stream().filter(m -> m instanceof Message.Result).map(m -> (Message.Result) m).toList();
    }

    Closed lastClose() {
        return closes.isEmpty() ? null : closes.getLast();
    }
}
