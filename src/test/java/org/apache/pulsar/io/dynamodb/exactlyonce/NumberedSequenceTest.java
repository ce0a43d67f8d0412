package org.apache.pulsar.io.dynamodb.exactlyonce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Record numbers and sequence ids of one shard: fresh, from a checkpoint, across restarts, with AWS-length numbers. */
class NumberedSequenceTest {

    private final List<Throwable> failures = new ArrayList<>();

    /** A sequence number as AWS writes them: 26 digits and more, consecutive records about 1e20 apart. */
    private static String awsSequenceNumber(int record) {
        return BigInteger.valueOf(62L + record).multiply(BigInteger.TEN.pow(24))
                .add(BigInteger.valueOf(2_513_011_398L + 917L * record)).toString();
    }

    private NumberedSequence shard(long checkpointNumber, long brokerLast) {
        return new NumberedSequence("app/t/label/shard-1", checkpointNumber, brokerLast, true, failures::add);
    }

    @Test
    void withoutANumberedCheckpointTheNumberingStartsAboveEveryIdTheBrokerHolds() {
        assertThat(shard(0, -1).next("1", 1)).isEqualTo(new MessageIds("app/t/label/shard-1", 2, -1));
        assertThat(shard(0, 41).next("1", 2).id(0)).isEqualTo(42);
        assertThat(shard(0, 42).next("1", 2).id(0)).isEqualTo(44);
        assertThat(shard(0, 42).next("1", 2).held(0)).isFalse();
    }

    @Test
    void fromACheckpointTheRecordAfterItGetsTheNextNumberAndWhatTheBrokerHoldsIsNotSentAgain() {
        // checkpoint at record number 100; the crashed owner had stored the messages of records 101 and 102
        NumberedSequence sequence = shard(100, 205);
        MessageIds first = sequence.next(awsSequenceNumber(101), 1);
        MessageIds delete = sequence.next(awsSequenceNumber(102), 2);
        MessageIds next = sequence.next(awsSequenceNumber(103), 2);
        assertThat(first.id(0)).isEqualTo(202);
        assertThat(first.held(0)).isTrue();
        assertThat(delete.held(0)).isTrue();
        assertThat(delete.held(1)).as("the tombstone, id 205").isTrue();
        assertThat(next.id(0)).isEqualTo(206);
        assertThat(next.held(0)).isFalse();
    }

    @Test
    void aRestartFromTheSameCheckpointGivesEveryRecordTheSameIds() {
        NumberedSequence before = shard(0, -1);
        List<Long> idsBefore = new ArrayList<>();
        for (int record = 0; record < 50; record++) {
            idsBefore.add(before.next(awsSequenceNumber(record), 2).id(0));
        }
        long number = before.checkpointSubsequence(awsSequenceNumber(19));
        before.checkpointed(awsSequenceNumber(19));

        NumberedSequence after = shard(number, idsBefore.get(49) + 1);
        for (int record = 20; record < 50; record++) {
            MessageIds ids = after.next(awsSequenceNumber(record), 2);
            assertThat(ids.id(0)).isEqualTo(idsBefore.get(record));
            assertThat(ids.held(0)).isTrue();
        }
        MessageIds fresh = after.next(awsSequenceNumber(50), 2);
        assertThat(fresh.id(0)).isGreaterThan(idsBefore.get(49) + 1);
        assertThat(fresh.held(0)).isFalse();
    }

    @Test
    void idsIncreaseStrictlyWhateverTheSequenceNumbersLength() {
        NumberedSequence sequence = shard(0, -1);
        long previous = -1;
        for (String position : List.of("000000000000000000001", awsSequenceNumber(1), "9".repeat(40))) {
            MessageIds ids = sequence.next(position, 2);
            assertThat(ids.id(0)).isGreaterThan(previous);
            assertThat(ids.id(1)).isEqualTo(ids.id(0) + 1);
            previous = ids.id(1);
        }
        assertThat(sequence.checkpointSubsequence("9".repeat(40))).isEqualTo(3);
    }

    @Test
    void aCheckpointCarriesTheRecordNumberAndIsNeverAtTheNewestRecordRead() {
        NumberedSequence sequence = shard(0, -1);
        sequence.next(awsSequenceNumber(0), 1);
        sequence.next(awsSequenceNumber(1), 0);
        assertThat(sequence.checkpointPosition(awsSequenceNumber(1)))
                .as("KCL accepts (S, n > 0) only below the newest record it delivered: the one before")
                .contains(awsSequenceNumber(0));
        assertThat(sequence.checkpointPosition(awsSequenceNumber(0))).contains(awsSequenceNumber(0));
        assertThat(sequence.checkpointSubsequence(awsSequenceNumber(0))).isEqualTo(1);
        sequence.checkpointed(awsSequenceNumber(0));
        assertThat(sequence.checkpointPosition(awsSequenceNumber(1))).as("already checkpointed").isEmpty();
        sequence.next(awsSequenceNumber(2), 1);
        assertThat(sequence.checkpointPosition(awsSequenceNumber(1))).contains(awsSequenceNumber(1));
        assertThat(sequence.checkpointSubsequence(awsSequenceNumber(1))).isEqualTo(2);
    }

    @Test
    void aSnapshotSegmentNumbersAfreshAndLeavesItsCheckpointsAlone() {
        NumberedSequence segment = new NumberedSequence("app/t/snapshot-1-0", 0, 9, false, failures::add);
        assertThat(segment.next("page-1", 1).id(0)).isEqualTo(10);
        assertThat(segment.checkpointPosition("page-1")).contains("page-1");
        assertThat(segment.checkpointSubsequence("page-1")).isZero();
    }

    @Test
    void aRecordOfMoreMessagesThanItHasIdsIsRefused() {
        assertThatThrownBy(() -> shard(0, -1).next("1", 3)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("3 messages");
    }

    @Test
    void aFailedPublishFailsTheSourceOnceInsteadOfBeingSentAgain() {
        NumberedSequence sequence = shard(0, -1);
        assertThat(sequence.failsSourceOnPublishError("Shard shard-1")).isTrue();
        assertThat(sequence.failsSourceOnPublishError("Shard shard-1")).isTrue();
        assertThat(failures).hasSize(1);
        assertThat(failures.get(0)).hasMessageContaining("Shard shard-1").hasMessageContaining("app/t/label/shard-1");
    }
}
