package io.framewire.server;

import io.framewire.protocol.CloseCodes;
import io.framewire.stream.StreamSession;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/** The streams publishing to this host, by id. Two live publishers never share an id: the newest wins. */
final class StreamRegistry {

    private final ConcurrentHashMap<String, StreamSession> streams = new ConcurrentHashMap<>();

    void register(StreamSession session) {
        StreamSession previous = streams.put(session.id(), session);
        if (previous != null) {
            previous.close(CloseCodes.REPLACED, CloseCodes.REPLACED_HERE);
        }
    }

    void unregister(StreamSession session) {
        streams.remove(session.id(), session);
    }

    int size() {
        return streams.size();
    }

    Collection<StreamSession> all() {
        return streams.values();
    }
}
