package org.apache.pulsar.io.dynamodb.kcl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.apache.pulsar.io.dynamodb.discovery.TableState;
import org.apache.pulsar.io.dynamodb.kcl.StreamSuccession.AtEnd;
import org.apache.pulsar.io.dynamodb.kcl.StreamSuccession.AtOpen;
import org.junit.jupiter.api.Test;

class StreamSuccessionTest {

    private static final String OLD = "arn:aws:dynamodb:eu-north-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000";
    private static final String NEW = "arn:aws:dynamodb:eu-north-1:123456789012:table/orders/stream/2026-01-02T00:00:00.000";
    private static final Set<String> OLD_SHARDS = Set.of("shardId-1", "shardId-2");
    private static final TableState REENABLED = new TableState("orders", true, "table-arn", NEW);
    private static final TableState NO_STREAM = new TableState("orders", true, "table-arn", null);
    private static final TableState DELETED = TableState.missing("orders");

    @Test
    void aDisabledStreamWithRecordsLeftIsReadOnWhateverTheTableDoes() {
        Map<String, String> leases = Map.of("shardId-1", "SHARD_END", "shardId-2", "49000000000000000001");
        for (TableState table : new TableState[] {REENABLED, NO_STREAM, DELETED}) {
            assertThat(StreamSuccession.atEnd(OLD, OLD_SHARDS, leases, table)).as(table.toString())
                    .isEqualTo(AtEnd.READ_ON);
        }
    }

    @Test
    void aStreamReadToItsEndIsFollowedToTheTablesNewStream() {
        Map<String, String> leases = Map.of("shardId-1", "SHARD_END", "shardId-2", "SHARD_END");
        assertThat(StreamSuccession.atEnd(OLD, OLD_SHARDS, leases, REENABLED)).isEqualTo(AtEnd.FOLLOW);
    }

    @Test
    void aStreamReadToItsEndWaitsWhileTheTableHasNoStreamAndFailsOnceTheTableIsDeleted() {
        Map<String, String> leases = Map.of("shardId-1", "SHARD_END", "shardId-2", "SHARD_END");
        assertThat(StreamSuccession.atEnd(OLD, OLD_SHARDS, leases, NO_STREAM)).isEqualTo(AtEnd.WAIT);
        assertThat(StreamSuccession.atEnd(OLD, OLD_SHARDS, leases, DELETED)).isEqualTo(AtEnd.FAIL);
    }

    @Test
    void leasesOfTheNextStreamMadeByAnotherInstanceAreFollowedAtOnce() {
        // another instance saw every lease finished, deleted them and created the new stream's: nothing to wait for
        Map<String, String> leases = Map.of("shardId-9", "TRIM_HORIZON");
        assertThat(StreamSuccession.atEnd(OLD, OLD_SHARDS, leases, REENABLED)).isEqualTo(AtEnd.FOLLOW);
        // ... also while a finished lease of this stream is still being deleted
        assertThat(StreamSuccession.atEnd(OLD, OLD_SHARDS, Map.of("shardId-1", "SHARD_END", "shardId-9",
                "TRIM_HORIZON"), REENABLED)).isEqualTo(AtEnd.FOLLOW);
        // and between that instance's deleting and creating: no lease at all
        assertThat(StreamSuccession.atEnd(OLD, OLD_SHARDS, Map.of(), REENABLED)).isEqualTo(AtEnd.FOLLOW);
    }

    @Test
    void withoutANewStreamLeasesOfOtherShardsDoNotCountAsTheNextStreams() {
        Map<String, String> leases = Map.of("shardId-1", "SHARD_END", "shardId-9", "TRIM_HORIZON");
        assertThat(StreamSuccession.atEnd(OLD, OLD_SHARDS, leases, NO_STREAM)).isEqualTo(AtEnd.WAIT);
    }

    @Test
    void atOpenTheLeaseTableDecidesWhereTheCurrentStreamStarts() {
        Set<String> current = Set.of("shardId-9");
        assertThat(StreamSuccession.atOpen(current, Map.of())).isEqualTo(AtOpen.AS_CONFIGURED);
        assertThat(StreamSuccession.atOpen(current, Map.of("shardId-9", "49000000000000000001", "shardId-1",
                "SHARD_END"))).as("resumes the current stream").isEqualTo(AtOpen.AS_CONFIGURED);
        assertThat(StreamSuccession.atOpen(current, Map.of("shardId-1", "SHARD_END", "shardId-2", "SHARD_END")))
                .as("only an earlier stream's finished leases").isEqualTo(AtOpen.FIRST_RECORD_AFTER_FINISHED);
        assertThat(StreamSuccession.atOpen(current, Map.of("shardId-1", "SHARD_END", "shardId-2", "4900001")))
                .as("an earlier stream not read to its end").isEqualTo(AtOpen.FINISH_EARLIER);
    }
}
