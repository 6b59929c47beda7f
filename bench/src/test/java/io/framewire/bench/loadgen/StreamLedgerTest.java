package io.framewire.bench.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StreamLedgerTest {

    @Test
    void latencyIsReplyTimeMinusSendTimeOfThatSeq() {
        StreamLedger l = new StreamLedger();
        assertThat(l.recordSend(1_000)).isZero();
        assertThat(l.recordSend(2_000)).isEqualTo(1);
        assertThat(l.onResult(1, 0, 2_500)).isEqualTo(500);
        assertThat(l.onResult(0, 0, 9_000)).isEqualTo(8_000);
    }

    @Test
    void unknownOrOverwrittenSeqsGiveNoLatency() {
        StreamLedger l = new StreamLedger();
        l.recordSend(1);
        assertThat(l.onResult(5, 0, 10)).isEqualTo(-1);     // never sent
        assertThat(l.onResult(-1, 0, 10)).isEqualTo(-1);    // missing seq
        for (int i = 0; i < StreamLedger.RING + 10; i++) {
            l.recordSend(100 + i);
        }
        assertThat(l.onResult(3, 0, 10_000)).isEqualTo(-1); // slot reused since
        long last = StreamLedger.RING + 10;                 // seq of the last send
        assertThat(l.onResult(last, 0, 200 + last)).isEqualTo(200 + last - (100 + last - 1));
        assertThat(l.counts().unknownSeq()).isEqualTo(3);
    }

    @Test
    void everyFrameIsResultErrorOrDropped() {
        StreamLedger l = new StreamLedger();
        for (int i = 0; i < 10; i++) {
            l.recordSend(i);
        }
        l.onResult(2, 2, 100);   // seqs 0,1 dropped
        l.onError(3, 0);         // bad image
        l.onResult(7, 3, 100);   // 4,5,6 dropped
        // 8 and 9 still in flight
        StreamLedger.Counts c = l.counts();
        assertThat(c.sent()).isEqualTo(10);
        assertThat(c.results()).isEqualTo(2);
        assertThat(c.errors()).isEqualTo(1);
        assertThat(c.dropped()).isEqualTo(5);
        assertThat(l.accountingGap()).isZero();
        assertThat(l.unanswered()).isEqualTo(2);
    }

    @Test
    void missingReportsShowAsGap() {
        StreamLedger l = new StreamLedger();
        for (int i = 0; i < 5; i++) {
            l.recordSend(i);
        }
        l.onResult(4, 1, 100);   // claims only one drop for seqs 0..3
        assertThat(l.accountingGap()).isEqualTo(3);
    }

    @Test
    void errorsWithoutSeqAreCountedButNotAccounted() {
        StreamLedger l = new StreamLedger();
        l.recordSend(0);
        l.onError(-1, 0);
        assertThat(l.counts().errors()).isEqualTo(1);
        assertThat(l.accountingGap()).isZero();
        assertThat(l.unanswered()).isEqualTo(1);
    }

    @Test
    void skipsAndWindowDifferences() {
        StreamLedger l = new StreamLedger();
        l.recordSend(0);
        StreamLedger.Counts before = l.counts();
        l.recordSkip();
        l.recordSend(1);
        l.onResult(1, 1, 5);
        StreamLedger.Counts d = l.counts().minus(before);
        assertThat(d).isEqualTo(new StreamLedger.Counts(1, 1, 1, 0, 1, 0));
        assertThat(d.plus(before)).isEqualTo(l.counts());
    }

    @Test
    void seqsOfALaterConnectionAreOffsetAndTheUnansweredOnesAreLost() {
        StreamLedger l = new StreamLedger();
        assertThat(l.beginConnection()).isZero();
        for (int i = 0; i < 5; i++) {
            l.recordSend(i);
        }
        l.onResult(0, 0, 10);
        l.onResult(2, 1, 10);            // seq 1 dropped; 3 and 4 never answered: the connection dies
        assertThat(l.beginConnection()).as("the new connection's seq 0 is the stream's seq 5").isEqualTo(5);
        assertThat(l.lostOnClose()).isEqualTo(2);
        assertThat(l.connections()).isEqualTo(2);
        l.recordOffline();
        l.recordSend(100);               // stream seq 5 = connection seq 0
        assertThat(l.onResult(5, 0, 130)).isEqualTo(30);
        assertThat(l.accountingGap()).isZero();
        assertThat(l.unanswered()).isZero();
        assertThat(l.offline()).isEqualTo(1);
        assertThat(l.counts().results()).isEqualTo(3);
    }

    @Test
    void aConnectionThatAnsweredEverythingLosesNothing() {
        StreamLedger l = new StreamLedger();
        l.beginConnection();
        l.recordSend(1);
        l.onResult(0, 0, 2);
        assertThat(l.beginConnection()).isEqualTo(1);
        assertThat(l.lostOnClose()).isZero();
    }

    @Test
    void aStatusMessagesDropsCountWithTheNextAnswer() {
        StreamLedger l = new StreamLedger();
        for (int i = 0; i < 10; i++) {
            l.recordSend(i);
        }
        l.onResult(0, 0, 100);
        l.onStatus(4);           // 1..4 replaced while 0 was at a worker: reported now, not again
        assertThat(l.counts().dropped()).as("until an answer comes, they stay unanswered").isZero();
        assertThat(l.unanswered()).isEqualTo(9);
        l.onResult(6, 1, 100);   // 5 replaced later
        assertThat(l.counts().dropped()).isEqualTo(5);
        assertThat(l.accountingGap()).isZero();
        assertThat(l.unanswered()).isEqualTo(3);
    }
}
