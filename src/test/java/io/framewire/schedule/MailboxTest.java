package io.framewire.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MailboxTest {

    private final List<String> sent = new ArrayList<>();
    private final Scheduler scheduler = new Scheduler();

    private static Frame frame(long seq) {
        return new Frame(seq, new byte[] {(byte) seq}, System.nanoTime());
    }

    private List<Job> next(int max) throws InterruptedException {
        List<Job> batch = new ArrayList<>();
        scheduler.next(batch, max, 0);
        return batch;
    }

    @Test
    void newerFrameReplacesOlderAndTheDropIsReportedWithTheNextResult() throws Exception {
        Mailbox box = new Mailbox("a", 1, sent::add, () -> {});
        assertThat(box.offer(frame(0))).as("first frame schedules the stream").isTrue();
        assertThat(box.offer(frame(1))).as("already scheduled").isFalse();
        assertThat(box.offer(frame(2))).isFalse();
        scheduler.ready(box);

        Job job = next(1).get(0);
        assertThat(job.frame().seq()).isEqualTo(2);
        assertThat(job.dropped()).isEqualTo(2);
        assertThat(box.droppedTotal()).isEqualTo(2);
        scheduler.done(job);
        assertThat(scheduler.queued()).as("nothing left: stream leaves the queue").isZero();
        assertThat(box.offer(frame(3))).as("idle again: next frame schedules it").isTrue();
    }

    @Test
    void deeperMailboxKeepsTheNewestFramesInOrder() throws Exception {
        Mailbox box = new Mailbox("a", 3, sent::add, () -> {});
        for (int i = 0; i < 5; i++) {
            if (box.offer(frame(i))) {
                scheduler.ready(box);
            }
        }
        Job first = next(1).get(0);
        assertThat(first.frame().seq()).isEqualTo(2);
        assertThat(first.dropped()).isEqualTo(2);
        scheduler.done(first);
        Job second = next(1).get(0);
        assertThat(second.frame().seq()).isEqualTo(3);
        assertThat(second.dropped()).as("drops are reported once").isZero();
    }

    @Test
    void streamsAreServedRoundRobinWhateverTheirRates() throws Exception {
        Mailbox fast = new Mailbox("fast", 4, sent::add, () -> {});
        Mailbox slow = new Mailbox("slow", 4, sent::add, () -> {});
        for (int i = 0; i < 4; i++) {
            if (fast.offer(frame(i))) {
                scheduler.ready(fast);
            }
        }
        if (slow.offer(frame(0))) {
            scheduler.ready(slow);
        }
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Job job = next(1).get(0);
            order.add(job.mailbox().streamId());
            scheduler.done(job);
            if (i == 1) {
                slow.offer(frame(1)); // slow is idle here: offer schedules it again
                scheduler.ready(slow);
            }
        }
        assertThat(order).containsExactly("fast", "slow", "fast");
    }

    @Test
    void aStreamHasAtMostOneFrameInFlight() throws Exception {
        Mailbox box = new Mailbox("a", 4, sent::add, () -> {});
        box.offer(frame(0));
        scheduler.ready(box);
        box.offer(frame(1));
        List<Job> batch = next(8);
        assertThat(batch).hasSize(1);
        assertThat(scheduler.queued()).as("not queued while its frame is processed").isZero();
        scheduler.done(batch.get(0));
        assertThat(scheduler.queued()).as("back in the queue for its waiting frame").isEqualTo(1);
    }

    @Test
    void batchTakesOneFramePerReadyStream() throws Exception {
        for (int s = 0; s < 5; s++) {
            Mailbox box = new Mailbox("s" + s, 1, sent::add, () -> {});
            box.offer(frame(0));
            scheduler.ready(box);
        }
        assertThat(next(3)).extracting(j -> j.mailbox().streamId()).containsExactly("s0", "s1", "s2");
        assertThat(next(8)).extracting(j -> j.mailbox().streamId()).containsExactly("s3", "s4");
    }

    @Test
    void batchWaitsAtMostMaxWaitForMoreFrames() throws Exception {
        Mailbox box = new Mailbox("a", 1, sent::add, () -> {});
        box.offer(frame(0));
        scheduler.ready(box);
        List<Job> batch = new ArrayList<>();
        long t0 = System.nanoTime();
        scheduler.next(batch, 4, 50_000_000L);
        long waited = System.nanoTime() - t0;
        assertThat(batch).hasSize(1);
        assertThat(waited).isBetween(40_000_000L, 2_000_000_000L);
    }

    @Test
    void closedMailboxDiscardsFramesAndIsSkipped() throws Exception {
        Mailbox closed = new Mailbox("closed", 2, sent::add, () -> {});
        Mailbox open = new Mailbox("open", 2, sent::add, () -> {});
        closed.offer(frame(0));
        closed.offer(frame(1));
        scheduler.ready(closed);
        open.offer(frame(0));
        scheduler.ready(open);
        assertThat(closed.close()).isEqualTo(2);
        assertThat(closed.offer(frame(2))).isFalse();
        assertThat(next(1)).extracting(j -> j.mailbox().streamId()).containsExactly("open");
    }

    @Test
    void framesSkippedBeforeTheMailboxAreReportedWithTheFrameAfterThem() throws Exception {
        Mailbox box = new Mailbox("r", 2, sent::add, () -> {});
        box.offer(new Frame(0, new byte[] {0}, System.nanoTime(), 0));
        box.offer(new Frame(3, new byte[] {3}, System.nanoTime(), 2)); // seqs 1 and 2 were over the rate
        scheduler.ready(box);
        Job first = next(1).get(0);
        assertThat(first.frame().seq()).isZero();
        assertThat(first.dropped()).as("not the skips that came after it").isZero();
        scheduler.done(first);
        Job second = next(1).get(0);
        assertThat(second.dropped()).isEqualTo(2);
        scheduler.done(second);

        // a replaced frame hands its skips on with its own drop
        assertThat(box.offer(new Frame(4, new byte[] {4}, System.nanoTime(), 0))).isTrue();
        scheduler.ready(box);
        box.offer(new Frame(6, new byte[] {6}, System.nanoTime(), 1));
        box.offer(new Frame(7, new byte[] {7}, System.nanoTime(), 0)); // replaces 4
        Job third = next(1).get(0);
        assertThat(third.frame().seq()).isEqualTo(6);
        assertThat(third.dropped()).as("4 replaced, 5 skipped").isEqualTo(2);
    }

    @Test
    void awaitIdleReturnsOnceTheLastFrameIsReleased() throws Exception {
        Mailbox box = new Mailbox("d", 1, sent::add, () -> {});
        assertThat(box.awaitIdle(System.nanoTime())).as("nothing offered: idle").isTrue();
        box.offer(frame(0));
        scheduler.ready(box);
        assertThat(box.awaitIdle(System.nanoTime() + 50_000_000)).as("a frame waits: not idle").isFalse();
        Job job = next(1).get(0);
        assertThat(box.unfinished()).as("at a worker").isEqualTo(1);
        Thread worker = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            scheduler.done(job);
        });
        long t0 = System.nanoTime();
        assertThat(box.awaitIdle(t0 + 5_000_000_000L)).isTrue();
        assertThat(System.nanoTime() - t0).as("woken by the release, not the deadline").isLessThan(2_000_000_000L);
        assertThat(box.unfinished()).isZero();
        worker.join();
    }
}
