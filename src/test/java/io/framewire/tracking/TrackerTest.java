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

    @Test
    void anEmptySceneAllocatesNoIdsArrayAndHasNothingToHandOver() {
        Tracker t = new Tracker(3, SECOND);
        int[] a = t.update(List.of(), 0);
        int[] b = t.update(List.of(), FRAME);
        assertThat(a).isEmpty();
        assertThat(b).as("one shared empty array, not one per result").isSameAs(a);
        assertThat(t.predict(FRAME)).isEmpty();
        assertThat(t.hasIds()).isFalse();
        assertThat(t.snapshot(FRAME)).isNull();
    }

    @Test
    void aSnapshotCarriesIdsBoxesAndVelocitiesToAnotherTracker() {
        Tracker a = new Tracker(2, SECOND);
        int id = 0;
        for (int i = 0; i < 5; i++) { // moving right at 3 px per frame (45 px/s)
            id = a.update(List.of(face(100 + 3 * i, 100), new Tracker.Observation("person,x y", 0.5f, new Box(300, 50, 30, 90))),
                    i * FRAME)[0];
        }
        assertThat(id).isPositive();
        long saved = 4 * FRAME + 100_000_000L; // 100 ms after the last pass
        String snapshot = a.snapshot(saved);
        assertThat(snapshot).startsWith("t1 ");

        // another host, another clock origin
        long origin = 777 * SECOND;
        Tracker b = new Tracker(2, SECOND);
        assertThat(b.restore(snapshot, origin)).isTrue();
        assertThat(b.confirmed()).isEqualTo(2);
        List<Tracker.Tracked> here = b.predict(origin);
        List<Tracker.Tracked> there = a.predict(saved);
        assertThat(here).hasSize(2);
        for (int k = 0; k < 2; k++) {
            assertThat(here.get(k).id()).isEqualTo(there.get(k).id());
            assertThat(here.get(k).label()).isEqualTo(there.get(k).label());
            assertThat(here.get(k).box().iou(there.get(k).box())).isGreaterThan(0.99);
        }
        assertThat(here.get(1).label()).isEqualTo("person,x y");
        // the face keeps its id at its next detection, without minHits matches again
        assertThat(b.update(List.of(face(100 + 3 * 6, 100)), origin + FRAME)).containsExactly(id);
        // ids continue after the last the other tracker gave out
        int fresh = b.update(List.of(face(100 + 3 * 7, 100), face(500, 300)), origin + 2 * FRAME)[1];
        assertThat(fresh).isZero(); // tentative first
        int born = b.update(List.of(face(100 + 3 * 8, 100), face(500, 300)), origin + 3 * FRAME)[1];
        assertThat(born).isGreaterThan(Math.max(here.get(0).id(), here.get(1).id()));
    }

    @Test
    void aTrackerWithIdsOfItsOwnOrBadTextRestoresNothing() {
        Tracker a = new Tracker(1, SECOND);
        a.update(List.of(face(100, 100)), 0);
        String snapshot = a.snapshot(FRAME);
        Tracker own = new Tracker(1, SECOND);
        int id = own.update(List.of(face(400, 100)), 0)[0];
        assertThat(own.restore(snapshot, FRAME)).isFalse();
        assertThat(own.predict(FRAME)).singleElement().satisfies(tr -> assertThat(tr.id()).isEqualTo(id));
        for (String bad : new String[] {"", "t1", "t0 5", "t1 x", "t1 5 1,face,0.9,0,1,2,3", "t1 5 9,face,0.9,0,1,2,3,4,0,0,0,0",
                "t1 5 1,face,0.9,0,1,2,-3,4,0,0,0,0", "t1 5 1,face,0.9,0,NaN,2,3,4,0,0,0,0"}) {
            Tracker fresh = new Tracker(1, SECOND);
            assertThat(fresh.restore(bad, 0)).as(bad).isFalse();
            assertThat(fresh.hasIds()).isFalse();
        }
    }

    @Test
    void aSnapshotIsBounded() {
        Tracker t = new Tracker(1, SECOND);
        List<Tracker.Observation> many = new java.util.ArrayList<>();
        for (int i = 0; i < Tracker.MAX_SNAPSHOT_TRACKS + 20; i++) {
            many.add(face(50 * (i % 20), 50 * (i / 20)));
        }
        t.update(many, 0);
        Tracker b = new Tracker(1, SECOND);
        assertThat(b.restore(t.snapshot(0), 0)).isTrue();
        assertThat(b.confirmed()).isEqualTo(Tracker.MAX_SNAPSHOT_TRACKS);
    }

    @Test
    void watchedAreasIncludeATentativeDetectionThatVanishedUntilMaxAge() {
        Tracker t = new Tracker(3, SECOND);
        assertThat(t.watched(0)).isEmpty();
        assertThat(t.observedWithin(10 * SECOND, 0)).isFalse();
        t.update(List.of(face(100, 100)), 0);
        t.update(List.of(), FRAME); // its tentative track dies at this miss
        assertThat(t.predict(FRAME)).isEmpty();
        assertThat(t.watched(2 * FRAME)).as("the detector saw something there lately").containsExactly(new Box(100, 100, 40, 40));
        assertThat(t.watched(SECOND + FRAME)).as("forgotten after maxAge").isEmpty();
        assertThat(t.observedWithin(10 * SECOND, 5 * SECOND)).isTrue();
        assertThat(t.observedWithin(10 * SECOND, 11 * SECOND)).isFalse();
    }

    @Test
    void aMosaicOfFacesMovingEveryPassKeepsAtMostMaxTracks() {
        Tracker t = new Tracker(1, 10 * SECOND); // confirmed at once, kept long: the worst case for growth
        for (int pass = 0; pass < 10; pass++) {
            List<Tracker.Observation> mosaic = new java.util.ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                mosaic.add(face((i % 40) * 50 + pass * 1000_000.0, (i / 40) * 50)); // nowhere near the last pass
            }
            t.update(mosaic, pass * FRAME);
        }
        assertThat(t.predict(10 * FRAME)).hasSizeLessThanOrEqualTo(Tracker.MAX_TRACKS);
    }
}
