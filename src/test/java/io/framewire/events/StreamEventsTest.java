package io.framewire.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.framewire.tracking.Box;
import io.framewire.tracking.Tracker;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamEventsTest {

    private static final String DOOR = """
            {"zones":[{"name":"door","polygon":[[0.4,0.0],[0.6,0.0],[0.6,1.0],[0.4,1.0]],"labels":["face"],"minScore":0.5}]}""";
    private static final long PASS = 66_666_667L; // 15 FPS
    private static final StreamEvents.Rules RULES = new StreamEvents.Rules(3, 5, 10_000_000_000L, 1_000_000_000L);

    private final List<Event> events = new ArrayList<>();
    private long now = 1_000_000_000L;

    private StreamEvents engine(String doc) throws Exception {
        return new StreamEvents("cam-1", Zones.parse(doc.getBytes(StandardCharsets.UTF_8)), RULES, events::add, 1234, 0);
    }

    /** One pass: track {@code id} (0: none) with its box's bottom centre at x (fraction of 1000 px). */
    private void pass(StreamEvents e, int id, double x, String label, float score) {
        now += PASS;
        if (id == 0) {
            e.tracked(List.of(), new int[0], 1000, 500, null, now);
            return;
        }
        Box b = new Box(x * 1000 - 20, 200, 40, 100);
        e.tracked(List.of(new Tracker.Observation(label, score, b)), new int[] {id}, 1000, 500, null, now);
    }

    private List<String> types() {
        return events.stream().map(Event::type).toList();
    }

    @Test
    void aFaceWalkingThroughTheZoneEntersOnceAndLeavesOnce() throws Exception {
        StreamEvents e = engine(DOOR);
        for (double x = 0.05; x <= 0.95; x += 0.01) { // 1 % of the width a pass, left to right
            pass(e, 7, x, "face", 0.9f);
        }
        assertThat(types()).containsExactly("enter", "leave");
        Event enter = events.get(0);
        assertThat(enter.id()).isEqualTo("cam-1:1234:7:door:enter:1");
        assertThat(events.get(1).id()).isEqualTo("cam-1:1234:7:door:leave:1");
        assertThat(enter.count()).isEqualTo(1);
        assertThat(events.get(1).count()).isZero();
        assertThat(enter.json()).contains("\"v\":1", "\"type\":\"enter\"", "\"stream\":\"cam-1\"", "\"zone\":\"door\"",
                "\"track\":7", "\"label\":\"face\"", "\"box\":[", "\"ts\":");
        // entered on the third pass inside (x = 0.42), not the first
        assertThat(enter.box()[0] + enter.box()[2] / 2).isBetween(415, 425);
    }

    @Test
    void flickerAtTheEdgeMakesNoStorm() throws Exception {
        StreamEvents e = engine(DOOR);
        for (int i = 0; i < 300; i++) { // in, out, in, out at the edge, 20 s
            pass(e, 3, i % 2 == 0 ? 0.401 : 0.399, "face", 0.9f);
        }
        assertThat(events).isEmpty();
        for (int i = 0; i < 3; i++) {
            pass(e, 3, 0.5, "face", 0.9f);
        }
        for (int i = 0; i < 300; i++) { // inside now, out for up to 4 passes at a time: stays inside
            pass(e, 3, i % 5 == 4 ? 0.5 : 0.3, "face", 0.9f);
        }
        assertThat(types()).containsExactly("enter", "dwell");
    }

    @Test
    void aLostTrackLeavesOnceTheTrackerWouldHaveDroppedIt() throws Exception {
        StreamEvents e = engine(DOOR);
        for (int i = 0; i < 5; i++) {
            pass(e, 9, 0.5, "face", 0.9f);
        }
        for (int i = 0; i < 14; i++) { // 0.93 s: the tracker still has it
            pass(e, 0, 0, null, 0);
        }
        assertThat(types()).containsExactly("enter");
        for (int i = 0; i < 2; i++) {
            pass(e, 0, 0, null, 0);
        }
        assertThat(types()).containsExactly("enter", "leave");
        assertThat(events.get(1).dwellMs()).isGreaterThan(1000);
    }

    @Test
    void labelsAndMinScoreFilter() throws Exception {
        StreamEvents e = engine(DOOR);
        for (int i = 0; i < 20; i++) {
            pass(e, 1, 0.5, "person", 0.9f);
        }
        for (int i = 0; i < 20; i++) {
            pass(e, 2, 0.5, "face", 0.4f);
        }
        assertThat(events).isEmpty();
    }

    @Test
    void reenteringCountsOnAndZonesCanChangeWhileTracked() throws Exception {
        StreamEvents e = engine(DOOR);
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < 6; i++) {
                pass(e, 4, 0.5, "face", 0.9f);
            }
            for (int i = 0; i < 6; i++) {
                pass(e, 4, 0.2, "face", 0.9f);
            }
        }
        assertThat(events).extracting(Event::id).containsExactly("cam-1:1234:4:door:enter:1", "cam-1:1234:4:door:leave:1",
                "cam-1:1234:4:door:enter:2", "cam-1:1234:4:door:leave:2");
        for (int i = 0; i < 6; i++) {
            pass(e, 4, 0.5, "face", 0.9f);
        }
        e.zones(List.of()); // zones removed while inside: it leaves
        pass(e, 4, 0.5, "face", 0.9f);
        assertThat(types()).endsWith("enter", "leave");
        assertThat(events).hasSize(6);
    }

    @Test
    void anotherConnectionTakesTheStateOverWithoutASecondEnterAndClosesTheOpenOne() throws Exception {
        List<String> states = new ArrayList<>();
        StreamEvents a = engine(DOOR).stateTo((stream, state, made) -> {
            states.add(state);
            events.addAll(made); // the events leave with the state they made, after it
        });
        for (double x = 0.30; x <= 0.50; x += 0.01) { // into the zone, then the host dies
            pass(a, 7, x, "face", 0.9f);
        }
        assertThat(types()).containsExactly("enter");
        assertThat(states).hasSize(1);
        assertThat(states.getFirst()).startsWith("z1 1234 7,door,face,1,1,");

        StreamEvents b = new StreamEvents("cam-1", Zones.parse(DOOR.getBytes(StandardCharsets.UTF_8)), RULES, events::add, 9999, 0);
        assertThat(b.adopt(states.getLast(), now)).isTrue();
        for (double x = 0.50; x <= 0.80; x += 0.01) { // the same track walks on and out on the new host
            pass(b, 7, x, "face", 0.9f);
        }
        assertThat(events).extracting(Event::id).containsExactly("cam-1:1234:7:door:enter:1", "cam-1:1234:7:door:leave:1");
        assertThat(events.get(1).dwellMs()).isPositive();
        for (double x = 0.80; x >= 0.45; x -= 0.01) { // and back in: its second enter, not a repeat of the first
            pass(b, 7, x, "face", 0.9f);
        }
        assertThat(events.getLast().id()).isEqualTo("cam-1:1234:7:door:enter:2");
        assertThat(b.adopt("garbage", now)).isFalse();
        assertThat(b.adopt("z1 5 7,door,face,x,1,0,0", now)).isFalse();
    }

    @Test
    void snapshotsStayWithinTheirBytesOldestDroppedFirst() {
        Snapshots s = new Snapshots(250);
        for (int i = 0; i < 5; i++) {
            assertThat(s.keep("e" + i, "cam-1", java.nio.ByteBuffer.wrap(new byte[100]))).isTrue();
        }
        assertThat(s.bytes()).isEqualTo(200);
        assertThat(s.get("e0")).isNull();
        assertThat(s.get("e2")).isNull();
        assertThat(s.get("e4").stream()).isEqualTo("cam-1");
        assertThat(s.keep("big", "cam-1", java.nio.ByteBuffer.wrap(new byte[300]))).as("larger than the bound").isFalse();
    }

    @Test
    void theDocumentIsValidatedAndBounded() throws Exception {
        List<Zone> zs = Zones.parse(DOOR.getBytes(StandardCharsets.UTF_8));
        assertThat(Zones.toJson(zs)).isEqualTo(
                "{\"zones\":[{\"name\":\"door\",\"polygon\":[[0.4,0.0],[0.6,0.0],[0.6,1.0],[0.4,1.0]],\"labels\":[\"face\"],\"minScore\":0.5}]}");
        assertThat(Zones.parse(Zones.toJson(zs).getBytes(StandardCharsets.UTF_8)).getFirst().name()).isEqualTo("door");
        String many = "{\"zones\":[" + String.join(",", java.util.Collections.nCopies(33,
                "{\"name\":\"z\",\"polygon\":[[0,0],[1,0],[1,1]]}")) + "]}";
        String points = "{\"zones\":[{\"name\":\"z\",\"polygon\":[" + String.join(",", java.util.Collections.nCopies(65, "[0.5,0.5]")) + "]}]}";
        String[][] bad = {
                {"not json", "not JSON"},
                {"[]", "expected {\"zones\""},
                {many, "too many zones"},
                {points, "3 to 64 points"},
                {"{\"zones\":[{\"name\":\"a/b\",\"polygon\":[[0,0],[1,0],[1,1]]}]}", "name"},
                {"{\"zones\":[{\"name\":\"a\",\"polygon\":[[0,0],[1,0],[1,1.5]]}]}", "0 to 1"},
                {"{\"zones\":[{\"name\":\"a\",\"polygon\":[[0,0],[1,0]]}]}", "3 to 64"},
                {"{\"zones\":[{\"name\":\"a\",\"polygon\":[[0,0],[1,0],[1,1]]},{\"name\":\"a\",\"polygon\":[[0,0],[1,0],[1,1]]}]}", "duplicate"},
                {"{\"zones\":[{\"name\":\"a\",\"polygon\":[[0,0],[1,0],[1,1]],\"minScore\":2}]}", "minScore"},
                {"{\"zones\":[{\"name\":\"a\",\"polygon\":[[0,0],[1,0],[1,1]],\"labels\":[\"#\"]}]}", "labels"},
                {"{\"zones\":[{\"name\":\"a\",\"polygon\":[[0,0],[1,0],[1,1]],\"colour\":1}]}", "unknown field"},
                {"{\"zones\":[]}" + " ".repeat(Zones.MAX_DOCUMENT_BYTES), "too large"},
        };
        for (String[] b : bad) {
            assertThatThrownBy(() -> Zones.parse(b[0].getBytes(StandardCharsets.UTF_8))).as(b[0].length() > 80 ? b[1] : b[0])
                    .isInstanceOf(Zones.Invalid.class).hasMessageContaining(b[1]);
        }
    }
}
