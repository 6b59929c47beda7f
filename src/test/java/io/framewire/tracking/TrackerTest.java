package io.framewire.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The SORT-style tracker on synthetic boxes; time is passed in (67 ms per frame, as at 15 FPS). */
class TrackerTest {

    private static final long FRAME = 66_666_667L;
    private static final long SECOND = 1_000_000_000L;

    private static Tracker.Observation face(double x, double y) {
        return new Tracker.Observation("face", 0.9f, new Box(x, y, 40, 40));
    }

    @Test
    void trackIsBornAfterMinHitsMatchesInARow() {
        Tracker t = new Tracker(3, SECOND);
        assertThat(t.update(List.of(face(100, 100)), 0)).containsExactly(0);
        assertThat(t.update(List.of(face(102, 100)), FRAME)).containsExactly(0);
        assertThat(t.confirmed()).isZero();
        int[] third = t.update(List.of(face(104, 100)), 2 * FRAME);
        assertThat(third[0]).isPositive();
        assertThat(t.confirmed()).isEqualTo(1);
        assertThat(t.update(List.of(face(106, 100)), 3 * FRAME)).containsExactly(third[0]);
    }

    @Test
    void tentativeTrackThatMissesStartsOver() {
        Tracker t = new Tracker(2, SECOND);
        t.update(List.of(face(100, 100)), 0);
        t.update(List.of(), FRAME); // a one-frame false positive dies at once
        assertThat(t.update(List.of(face(100, 100)), 2 * FRAME)).containsExactly(0);
        assertThat(t.update(List.of(face(100, 100)), 3 * FRAME)[0]).isPositive();
    }

    @Test
    void confirmedTrackSurvivesMissesUntilMaxAgeThenDies() {
        Tracker t = new Tracker(1, 500_000_000L);
        int id = t.update(List.of(face(100, 100)), 0)[0];
        assertThat(id).isPositive();
        t.update(List.of(), 200_000_000L);
        assertThat(t.confirmed()).isEqualTo(1);
        // seen again within 500 ms of its last match: same id
        assertThat(t.update(List.of(face(101, 100)), 400_000_000L)).containsExactly(id);
        t.update(List.of(), 600_000_000L);
        t.update(List.of(), 950_000_000L); // 550 ms since the last match
        assertThat(t.confirmed()).isZero();
        // the same place after its death is a new object: a new id, the old one never comes back
        int next = t.update(List.of(face(101, 100)), SECOND)[0];
        assertThat(next).isPositive().isNotEqualTo(id);
    }

    @Test
    void idsAreNeverReusedAsObjectsComeAndGo() {
        Tracker t = new Tracker(1, 0);
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int i = 0; i < 50; i++) {
            // each object appears once, far from the previous one; maxAge 0 kills it the next pass
            int id = t.update(List.of(face((i % 2) * 400, 100)), i * FRAME)[0];
            assertThat(seen.add(id)).as("id %d handed out twice", id).isTrue();
        }
        assertThat(seen).hasSize(50);
    }

    @Test
    void crossingPathsKeepTheirIds() {
        Tracker t = new Tracker(2, SECOND);
        // A walks right, B walks left on almost the same line; they overlap mid-way
        int a = 0, b = 0;
        for (int f = 0; f < 40; f++) {
            double ax = 20 + 10 * f, bx = 420 - 10 * f;
            // detector order alternates, so the ids cannot come from the list order
            List<Tracker.Observation> obs = f % 2 == 0
                    ? List.of(face(ax, 100), face(bx, 104)) : List.of(face(bx, 104), face(ax, 100));
            int[] ids = t.update(obs, f * FRAME);
            int idA = f % 2 == 0 ? ids[0] : ids[1], idB = f % 2 == 0 ? ids[1] : ids[0];
            if (f == 1) {
                a = idA;
                b = idB;
                assertThat(a).isPositive();
                assertThat(b).isPositive().isNotEqualTo(a);
            } else if (f > 1) {
                assertThat(idA).as("A at frame %d (x %s)", f, ax).isEqualTo(a);
                assertThat(idB).as("B at frame %d (x %s)", f, bx).isEqualTo(b);
            }
        }
    }

    @Test
    void predictionFollowsTheVelocityAndOnlyReportsWhatTheLastPassSaw() {
        Tracker t = new Tracker(2, SECOND);
        for (int f = 0; f < 10; f++) {
            t.update(List.of(face(100 + 6 * f, 50), new Tracker.Observation("person", 0.8f, new Box(300, 300, 50, 100))),
                    f * FRAME);
        }
        List<Tracker.Tracked> p = t.predict(12 * FRAME); // last seen at x 154, three frames on: 18 px further
        assertThat(p).hasSize(2);
        Tracker.Tracked f = p.stream().filter(x -> x.label().equals("face")).findFirst().orElseThrow();
        assertThat(f.id()).isPositive();
        assertThat(f.box().x()).isCloseTo(172, org.assertj.core.data.Offset.offset(3.0));
        assertThat(f.box().y()).isCloseTo(50, org.assertj.core.data.Offset.offset(1.0));
        Tracker.Tracked still = p.stream().filter(x -> x.label().equals("person")).findFirst().orElseThrow();
        assertThat(still.box().x()).isCloseTo(300, org.assertj.core.data.Offset.offset(0.5));
        // a pass that misses the person: only the face is a current track
        t.update(List.of(face(172, 50)), 12 * FRAME);
        assertThat(t.predict(13 * FRAME)).extracting(Tracker.Tracked::label).containsExactly("face");
        assertThat(t.confirmed()).isEqualTo(2); // the person coasts until maxAge
    }

    @Test
    void labelsNeverSwapTracks() {
        Tracker t = new Tracker(1, SECOND);
        int face = t.update(List.of(face(100, 100)), 0)[0];
        int[] ids = t.update(List.of(new Tracker.Observation("person", 0.9f, new Box(100, 100, 40, 40))), FRAME);
        assertThat(ids[0]).isPositive().isNotEqualTo(face);
    }

    @Test
    void rejectsNonsenseSettings() {
        assertThatThrownBy(() -> new Tracker(0, SECOND)).isInstanceOf(IllegalArgumentException.class);
    }
}
