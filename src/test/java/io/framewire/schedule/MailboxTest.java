package io.framewire.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MailboxTest {

    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final AtomicLong clock = new AtomicLong(); // worker time passes only where a test says so
    private final Scheduler scheduler = new Scheduler(clock::get);

    private static Frame frame(long seq) {
        return Frame.of(seq, new byte[] {(byte) seq}, System.nanoTime());
    }

    private Mailbox mailbox(String id, int depth) {
        return new Mailbox(id, depth, scheduler, sent::add, () -> {}, null);
    }

    private List<Job> next(int max) throws InterruptedException {
        List<Job> batch = new ArrayList<>();
        scheduler.next(batch, max, 0);
        return batch;
    }

    /** Bytes that count their releases. */
    private static final class Counted implements Frame.Bytes {
        final AtomicInteger releases = new AtomicInteger();

        @Override
        public ByteBuffer data() {
            return ByteBuffer.allocate(1);
        }

        @Override
        public void release() {
            releases.incrementAndGet();
        }
    }

    @Test
    void newerFrameReplacesOlderAndTheDropIsReportedWithTheNextResult() throws Exception {
        Mailbox box = mailbox("a", 1);
        box.offer(frame(0));
        assertThat(scheduler.queued()).as("the first frame queues the stream").isEqualTo(1);
        box.offer(frame(1));
        box.offer(frame(2));
        assertThat(scheduler.queued()).as("queued once, however many frames came").isEqualTo(1);

        Job job = next(1).get(0);
        assertThat(job.frame().seq()).isEqualTo(2);
        assertThat(job.dropped()).isEqualTo(2);
        assertThat(box.droppedTotal()).isEqualTo(2);
        job.answer("r2");
        assertThat(sent).containsExactly("r2");
        assertThat(scheduler.queued()).as("nothing left: the stream leaves the queue").isZero();
        box.offer(frame(3));
        assertThat(scheduler.queued()).as("idle again: the next frame queues it").isEqualTo(1);
    }

    @Test
    void deeperMailboxKeepsTheNewestFramesInOrder() throws Exception {
        Mailbox box = mailbox("a", 3);
        for (int i = 0; i < 5; i++) {
            box.offer(frame(i));
        }
        Job first = next(1).get(0);
        assertThat(first.frame().seq()).isEqualTo(2);
        assertThat(first.dropped()).isEqualTo(2);
        first.answer("r");
        Job second = next(1).get(0);
        assertThat(second.frame().seq()).isEqualTo(3);
        assertThat(second.dropped()).as("drops are reported once").isZero();
    }

    @Test
    void streamsAreServedRoundRobinWhateverTheirRates() throws Exception {
        Mailbox fast = mailbox("fast", 4);
        Mailbox slow = mailbox("slow", 4);
        for (int i = 0; i < 4; i++) {
            fast.offer(frame(i));
        }
        slow.offer(frame(0));
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Job job = next(1).get(0);
            order.add(job.streamId());
            job.answer("r");
            if (i == 1) {
                slow.offer(frame(1)); // slow is idle here: the offer queues it again, behind fast
            }
        }
        assertThat(order).containsExactly("fast", "slow", "fast");
    }

    @Test
    void aStreamHasAtMostOneFrameInFlight() throws Exception {
        Mailbox box = mailbox("a", 4);
        box.offer(frame(0));
        box.offer(frame(1));
        List<Job> batch = next(8);
        assertThat(batch).hasSize(1);
        assertThat(scheduler.queued()).as("not queued while its frame is processed").isZero();
        box.offer(frame(2));
        assertThat(scheduler.queued()).as("an offer does not queue a stream at a worker").isZero();
        batch.get(0).answer("r");
        assertThat(scheduler.queued()).as("back in the queue for its waiting frames").isEqualTo(1);
    }

    @Test
    void batchTakesOneFramePerReadyStream() throws Exception {
        for (int s = 0; s < 5; s++) {
            mailbox("s" + s, 1).offer(frame(0));
        }
        assertThat(next(3)).extracting(Job::streamId).containsExactly("s0", "s1", "s2");
        assertThat(next(8)).extracting(Job::streamId).containsExactly("s3", "s4");
    }

    @Test
    void batchWaitsAtMostMaxWaitForMoreFrames() throws Exception {
        mailbox("a", 1).offer(frame(0));
        List<Job> batch = new ArrayList<>();
        long t0 = System.nanoTime();
        scheduler.next(batch, 4, 50_000_000L);
        long waited = System.nanoTime() - t0;
        assertThat(batch).hasSize(1);
        assertThat(waited).isBetween(40_000_000L, 2_000_000_000L);
    }

    @Test
    void aStreamReadyWhileTheBatchWaitsJoinsIt() throws Exception {
        mailbox("a", 1).offer(frame(0));
        Mailbox late = mailbox("late", 1);
        List<Job> batch = new ArrayList<>();
        Thread filler = Thread.ofVirtual().start(() -> {
            try {
                scheduler.next(batch, 2, TimeUnit.SECONDS.toNanos(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        late.offer(frame(0));
        filler.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(filler.isAlive()).as("the batch is full: no wait for the deadline").isFalse();
        assertThat(batch).extracting(Job::streamId).containsExactly("a", "late");
    }

    @Test
    void closedMailboxDiscardsFramesAndIsSkipped() throws Exception {
        Mailbox closed = mailbox("closed", 2);
        Mailbox open = mailbox("open", 2);
        Counted bytes = new Counted();
        closed.offer(new Frame(0, bytes, System.nanoTime()));
        closed.offer(frame(1));
        open.offer(frame(0));
        assertThat(closed.close()).isEqualTo(2);
        assertThat(bytes.releases).as("a discarded frame's bytes go back").hasValue(1);
        Counted late = new Counted();
        closed.offer(new Frame(2, late, System.nanoTime()));
        assertThat(late.releases).as("a frame offered after the close is released at once").hasValue(1);
        assertThat(next(1)).extracting(Job::streamId).containsExactly("open");
        assertThat(closed.awaitIdle(System.nanoTime())).isTrue();
    }

    @Test
    void answeringSendsReleasesAndHandsTheStreamBackOnce() throws Exception {
        Mailbox box = mailbox("a", 2);
        Counted bytes = new Counted();
        box.offer(new Frame(0, bytes, System.nanoTime()));
        Job job = next(1).get(0);
        assertThat(job.answered()).isFalse();
        assertThat(bytes.releases).as("still the worker's").hasValue(0);
        job.answer("r0");
        assertThat(job.answered()).isTrue();
        assertThat(sent).containsExactly("r0");
        assertThat(bytes.releases).hasValue(1);
        assertThatThrownBy(() -> job.answer("again")).isInstanceOf(IllegalStateException.class);
        assertThat(sent).as("the second answer never reaches the stream").containsExactly("r0");
        assertThat(bytes.releases).hasValue(1);
    }

    @Test
    void framesSkippedBeforeTheMailboxAreReportedWithTheFrameAfterThem() throws Exception {
        Mailbox box = mailbox("r", 2);
        box.offer(frame(0));
        box.skip(); // seqs 1 and 2 were over the rate
        box.skip();
        box.offer(frame(3));
        Job first = next(1).get(0);
        assertThat(first.frame().seq()).isZero();
        assertThat(first.dropped()).as("not the skips that came after it").isZero();
        first.answer("r");
        Job second = next(1).get(0);
        assertThat(second.dropped()).isEqualTo(2);
        second.answer("r");

        // a replaced frame hands its skips on with its own drop
        box.offer(frame(4));
        box.skip(); // 5
        box.offer(frame(6));
        box.offer(frame(7)); // replaces 4
        Job third = next(1).get(0);
        assertThat(third.frame().seq()).isEqualTo(6);
        assertThat(third.dropped()).as("4 replaced, 5 skipped").isEqualTo(2);
        assertThat(box.droppedTotal()).as("every frame never processed: skipped or replaced").isEqualTo(4);
    }

    @Test
    void skipsAfterTheLastFrameAreUnreportedUntilCollectedOnce() throws Exception {
        Mailbox box = mailbox("r", 1);
        box.offer(frame(0));
        box.skip();
        box.skip();
        Job job = next(1).get(0);
        assertThat(job.dropped()).as("the skips came after it").isZero();
        job.answer("r");
        assertThat(box.unreportedDrops()).isEqualTo(2);
        assertThat(box.unreportedDrops()).as("reported once").isZero();
    }

    @Test
    void awaitIdleReturnsOnceTheLastFrameIsAnswered() throws Exception {
        Mailbox box = mailbox("d", 1);
        assertThat(box.awaitIdle(System.nanoTime())).as("nothing offered: idle").isTrue();
        box.offer(frame(0));
        assertThat(box.awaitIdle(System.nanoTime() + 50_000_000)).as("a frame waits: not idle").isFalse();
        Job job = next(1).get(0);
        assertThat(box.unfinished()).as("at a worker").isEqualTo(1);
        AtomicLong idleAt = new AtomicLong();
        Thread waiter = Thread.ofVirtual().start(() -> {
            try {
                if (box.awaitIdle(System.nanoTime() + TimeUnit.SECONDS.toNanos(30))) {
                    idleAt.set(sent.size());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        job.answer("last");
        waiter.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(waiter.isAlive()).as("woken by the answer, not the deadline").isFalse();
        assertThat(idleAt).as("idle only once the answer was sent").hasValue(1);
        assertThat(box.unfinished()).isZero();
    }

    /**
     * Producers offer and skip as fast as they can while workers take and answer: every seq is
     * answered or reported as dropped exactly once, a stream never has two frames at workers, and
     * its answers come in seq order.
     */
    @Test
    void underContentionEverySeqIsAnsweredOrCountedOnceAndOneFramePerStreamIsInFlight() throws Exception {
        int streams = 8;
        int perStream = 5_000;
        Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
        Map<String, AtomicLong> accounted = new ConcurrentHashMap<>();
        Map<String, AtomicLong> lastSeq = new ConcurrentHashMap<>();
        List<String> violations = new CopyOnWriteArrayList<>();
        List<Mailbox> boxes = new ArrayList<>();
        for (int s = 0; s < streams; s++) {
            String id = "s" + s;
            inFlight.put(id, new AtomicInteger());
            accounted.put(id, new AtomicLong());
            lastSeq.put(id, new AtomicLong(-1));
            boxes.add(new Mailbox(id, 1 + s % 3, scheduler, m -> {}, () -> {}, null));
        }
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            workers.add(Thread.ofPlatform().start(() -> {
                List<Job> batch = new ArrayList<>();
                try {
                    while (true) {
                        scheduler.next(batch, 4, 0);
                        for (Job job : batch) {
                            if (inFlight.get(job.streamId()).incrementAndGet() != 1) {
                                violations.add("two frames of " + job.streamId() + " in flight");
                            }
                            if (lastSeq.get(job.streamId()).getAndSet(job.frame().seq()) >= job.frame().seq()) {
                                violations.add("out of order on " + job.streamId());
                            }
                            accounted.get(job.streamId()).addAndGet(1 + job.dropped());
                        }
                        for (Job job : batch) {
                            inFlight.get(job.streamId()).decrementAndGet();
                            job.answer("r");
                        }
                        batch.clear();
                    }
                } catch (InterruptedException e) {
                    // done
                }
            }));
        }
        List<Thread> producers = new ArrayList<>();
        for (Mailbox box : boxes) {
            producers.add(Thread.ofPlatform().start(() -> {
                for (int seq = 0; seq < perStream; seq++) {
                    if (seq % 7 == 3) {
                        box.skip();
                    } else {
                        box.offer(frame(seq));
                    }
                }
            }));
        }
        for (Thread p : producers) {
            p.join();
        }
        for (Mailbox box : boxes) {
            assertThat(box.awaitIdle(System.nanoTime() + TimeUnit.SECONDS.toNanos(30))).isTrue();
        }
        workers.forEach(Thread::interrupt);
        for (Thread w : workers) {
            w.join();
        }
        assertThat(violations).isEmpty();
        for (Mailbox box : boxes) {
            long total = accounted.get(box.streamId()).get() + box.unreportedDrops();
            assertThat(total).as("stream %s: answered + reported drops + unreported", box.streamId()).isEqualTo(perStream);
            assertThat(box.takenTotal() + box.droppedTotal()).isEqualTo(perStream);
        }
    }

    @Test
    void workersAreSharedByTimeUsedSoACheapStreamIsNotStarvedByAnExpensiveOne() throws Exception {
        Map<String, Long> cost = Map.of("mosaic", TimeUnit.MILLISECONDS.toNanos(80), "cheap", TimeUnit.MILLISECONDS.toNanos(10));
        Map<String, Mailbox> boxes = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
        for (String id : List.of("mosaic", "cheap")) {
            served.put(id, new AtomicInteger());
            boxes.put(id, mailbox(id, 1));
            boxes.get(id).offer(frame(0));
        }
        for (long seq = 1; seq <= 900; seq++) {
            Job job = next(1).get(0);
            clock.addAndGet(cost.get(job.streamId())); // the detector's time on this frame
            served.get(job.streamId()).incrementAndGet();
            boxes.get(job.streamId()).offer(frame(seq)); // both always have a frame waiting
            job.answer("r");
        }
        int mosaic = served.get("mosaic").get();
        int cheap = served.get("cheap").get();
        assertThat(cheap).as("frames: 8 cheap per mosaic").isBetween(8 * mosaic - 8, 8 * mosaic + 8);
        assertThat(mosaic).as("round robin per frame would give it half").isEqualTo(100);
    }

    @Test
    void aFrameAnsweredWithoutAPassIsChargedLikeTheStreamsPassesSoStillCamerasDoNotCrowdOutBusyOnes() throws Exception {
        // a still camera (one pass of 40 ms, then gated at 2 ms), one with a face in view (passes of
        // 40 ms), a mosaic (passes of 320 ms), all with a frame always waiting
        long ms = TimeUnit.MILLISECONDS.toNanos(1);
        Map<String, Mailbox> boxes = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
        for (String id : List.of("still", "face", "mosaic")) {
            served.put(id, new AtomicInteger());
            boxes.put(id, mailbox(id, 1));
            boxes.get(id).offer(frame(0));
        }
        for (long seq = 1; seq <= 1700; seq++) {
            Job job = next(1).get(0);
            String id = job.streamId();
            boolean gated = id.equals("still") && served.get(id).get() > 0;
            clock.addAndGet(gated ? 2 * ms : id.equals("mosaic") ? 320 * ms : 40 * ms);
            served.get(id).incrementAndGet();
            boxes.get(id).offer(frame(seq));
            job.answer("r", gated ? Job.Work.SHORTCUT : Job.Work.DETECTOR);
        }
        int still = served.get("still").get();
        int face = served.get("face").get();
        int mosaic = served.get("mosaic").get();
        assertThat(still).as("answers: the still camera as many as the face (by time alone: 20x)").isBetween(face - 2, face + 2);
        assertThat(mosaic).as("the mosaic pays its time: 8 face frames per mosaic, and does not raise the others' charge")
                .isBetween(face / 8 - 2, face / 8 + 2);
    }

    @Test
    void beforeAnyPassAShortcutIsChargedItsOwnTime() throws Exception {
        Mailbox a = mailbox("a", 1);
        Mailbox b = mailbox("b", 1);
        a.offer(frame(0));
        b.offer(frame(0));
        Map<String, Integer> served = new java.util.HashMap<>();
        for (long seq = 1; seq <= 300; seq++) {
            Job job = next(1).get(0);
            clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(job.streamId().equals("a") ? 1 : 3));
            served.merge(job.streamId(), 1, Integer::sum);
            (job.streamId().equals("a") ? a : b).offer(frame(seq));
            job.answer("r", Job.Work.SHORTCUT);
        }
        assertThat(served.get("a")).as("shared by time: 3 of a per b").isBetween(3 * served.get("b") - 3, 3 * served.get("b") + 3);
    }

    @Test
    void aStreamBackFromIdleStartsAtTheCurrentTimeWithoutCredit() throws Exception {
        Mailbox busy = mailbox("busy", 1);
        Mailbox idle = mailbox("idle", 1);
        busy.offer(frame(0));
        for (long seq = 1; seq <= 50; seq++) { // busy alone for a while
            Job job = next(1).get(0);
            clock.addAndGet(1_000_000);
            busy.offer(frame(seq));
            job.answer("r");
        }
        idle.offer(frame(0));
        List<String> order = new ArrayList<>();
        for (long seq = 51; seq <= 56; seq++) {
            Job job = next(1).get(0);
            order.add(job.streamId());
            clock.addAndGet(1_000_000);
            (job.streamId().equals("busy") ? busy : idle).offer(frame(seq));
            job.answer("r");
        }
        assertThat(order).as("turns, not 50 turns of catching up").containsExactly("idle", "busy", "idle", "busy", "idle", "busy");
    }

    @Test
    void whileACheapStreamIsActiveHeavyStreamsLeaveOneWorkerFree() throws Exception {
        scheduler.consumers(2);
        Mailbox h1 = mailbox("heavy-1", 1);
        Mailbox h2 = mailbox("heavy-2", 1);
        Mailbox light = mailbox("light", 1);
        for (Mailbox m : List.of(h1, h2, light)) { // one frame each, to learn their cost
            m.offer(frame(0));
            Job job = next(1).get(0);
            clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(m == light ? 10 : 600));
            job.answer("r");
        }
        h1.offer(frame(1));
        h2.offer(frame(1));
        Job first = next(1).get(0); // worker A: a heavy frame
        assertThat(first.streamId()).isEqualTo("heavy-1");
        java.util.concurrent.CompletableFuture<Job> workerB = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return next(1).get(0);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        light.offer(frame(1)); // the camera's next frame: worker B was kept for it
        Job second = workerB.get(10, TimeUnit.SECONDS);
        assertThat(second.streamId()).as("the second worker is kept for the cheap stream").isEqualTo("light");
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(10));
        second.answer("r");
        clock.addAndGet(TimeUnit.SECONDS.toNanos(2)); // no cheap frame for a while: heavy streams may use both
        Job third = next(1).get(0);
        assertThat(third.streamId()).isEqualTo("heavy-2");
        first.answer("r");
        third.answer("r");
    }

    // Frames that need no worker (Scheduler.answerOnArrival, issue 27): answered by the offering thread.

    @Test
    void withAnAnswererAnIdleStreamsFrameIsAnsweredOnTheOfferingThreadBeforeOfferReturns() throws Exception {
        List<Thread> answeredOn = new ArrayList<>();
        scheduler.answerOnArrival(job -> {
            answeredOn.add(Thread.currentThread());
            assertThat(job.takenNanos()).isEqualTo(clock.get());
            job.answer("r" + job.frame().seq());
        });
        Mailbox box = mailbox("a", 1);
        Counted bytes = new Counted();
        box.offer(new Frame(0, bytes, 0));
        box.offer(frame(1));
        assertThat(sent).as("answered before offer returned, in order").containsExactly("r0", "r1");
        assertThat(answeredOn).containsOnly(Thread.currentThread());
        assertThat(bytes.releases).as("released once, as a worker's answer does").hasValue(1);
        assertThat(scheduler.queued()).as("never queued: no worker was woken").isZero();
        assertThat(box.takenTotal()).isEqualTo(2);
        assertThat(box.droppedTotal()).as("latest frame wins has nothing to replace").isZero();
        assertThat(box.unfinished()).isZero();
        assertThat(box.awaitIdle(System.nanoTime())).isTrue();
    }

    @Test
    void aFrameThatFindsItsStreamAtAWorkerQueuesBehindItSoSeqOrderHolds() throws Exception {
        Mailbox box = mailbox("a", 2);
        box.offer(frame(0));
        Job atWorker = next(1).get(0); // taken before the answerer was set: a worker holds seq 0
        scheduler.answerOnArrival(job -> job.answer("here" + job.frame().seq()));
        box.offer(frame(1));
        box.offer(frame(2));
        assertThat(sent).as("not answered around the frame at the worker").isEmpty();
        assertThat(scheduler.queued()).as("waits in the mailbox, the stream at its worker").isZero();
        atWorker.answer("r0");
        assertThat(scheduler.queued()).as("the stream queues again behind its answer").isEqualTo(1);
        Job second = next(1).get(0);
        assertThat(second.frame().seq()).isEqualTo(1);
        second.answer("r1");
        next(1).get(0).answer("r2");
        box.offer(frame(3)); // idle again: answered here
        assertThat(sent).containsExactly("r0", "r1", "r2", "here3");
    }

    @Test
    void dropsBeforeAFrameAnsweredOnArrivalAreReportedWithItOnce() throws Exception {
        List<Long> dropped = new ArrayList<>();
        scheduler.answerOnArrival(job -> {
            dropped.add(job.dropped());
            job.answer("r");
        });
        Mailbox box = mailbox("a", 1);
        box.skip();
        box.skip();
        box.offer(frame(2));
        box.offer(frame(3));
        box.skip();
        assertThat(dropped).containsExactly(2L, 0L);
        assertThat(box.unreportedDrops()).as("the skip after the last frame waits for a later answer").isEqualTo(1);
        assertThat(box.droppedTotal()).isEqualTo(3);
    }

    @Test
    void aClosedMailboxAnswersNothingOnArrival() {
        AtomicInteger answered = new AtomicInteger();
        scheduler.answerOnArrival(job -> {
            answered.incrementAndGet();
            job.answer("r");
        });
        Mailbox box = mailbox("a", 1);
        box.close();
        Counted bytes = new Counted();
        box.offer(new Frame(0, bytes, 0));
        assertThat(answered).hasValue(0);
        assertThat(bytes.releases).hasValue(1);
    }

    @Test
    void aFrameAnsweredOnArrivalCostsItsStreamNoShareOfTheWorkers() throws Exception {
        scheduler.answerOnArrival(job -> {
            clock.addAndGet(TimeUnit.SECONDS.toNanos(1)); // however long its reader took
            job.answer("r");
        });
        Mailbox a = mailbox("a", 1);
        Mailbox b = mailbox("b", 1);
        a.offer(frame(0));
        assertThat(a.workNanos()).as("its time is still the stream's").isEqualTo(TimeUnit.SECONDS.toNanos(1));
        scheduler.answerOnArrival(null); // from now on, frames go to workers
        a.offer(frame(1));
        b.offer(frame(1));
        assertThat(next(1).get(0).streamId()).as("a was not charged a second of worker time: first come, first served")
                .isEqualTo("a");
    }
}
