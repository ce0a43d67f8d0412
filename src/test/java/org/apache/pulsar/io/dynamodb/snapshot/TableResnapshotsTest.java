package org.apache.pulsar.io.dynamodb.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pulsar.io.dynamodb.stream.RetentionGap;
import org.apache.pulsar.io.dynamodb.stream.RetentionGaps;
import org.junit.jupiter.api.Test;

/**
 * WHEN_NEEDED with several tables: what a retention gap on one table's stream does, and what an instance does when
 * another began a table's next generation; on snapshot rows the test keeps (a stand-in for the state table).
 */
class TableResnapshotsTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final Instant NOW = Instant.parse("2026-12-02T11:00:00Z");
    private static final String ORDERS_STREAM =
            "arn:aws:dynamodb:eu-north-1:000000000000:table/orders/stream/2026-12-01T09:00:00.000";

    private final SnapshotRows rows = new SnapshotRows();
    private final Map<String, Long> readAfter = new HashMap<>();
    private final List<String> holds = new ArrayList<>();
    private final RetentionGaps gaps = new RetentionGaps();
    private final TableResnapshots resnapshots = new TableResnapshots(rows.table(NOW), new TableResnapshots.Tables() {
        @Override
        public OptionalLong readAfter(String table) {
            Long generation = readAfter.get(table);
            return generation == null ? OptionalLong.empty() : OptionalLong.of(generation);
        }

        @Override
        public Set<String> reading() {
            return new TreeSet<>(readAfter.keySet());
        }

        @Override
        public void hold(String table) {
            readAfter.remove(table);
            holds.add(table);
        }
    }, gaps, 4, Clock.fixed(NOW, ZoneOffset.UTC));

    private static RetentionGap gap() {
        return new RetentionGap(ORDERS_STREAM, "shardId-1", "000000000000000000042", "000000000000000000050", null);
    }

    @Test
    void aGapOnOneTableBeginsItsNextGenerationHoldsOnlyItAndStopsTheShard() {
        rows.snapshot("orders", 1, "COMPLETE", T0);
        rows.snapshot("users", 1, "COMPLETE", T0);
        readAfter.put("orders", 1L);
        readAfter.put("users", 1L);

        IllegalStateException stop = catchThrowableOfType(IllegalStateException.class,
                () -> resnapshots.onGap(gap()));

        assertThat(stop).as("the shard is not read past the gap").isNotNull();
        assertThat(stop.getMessage()).startsWith("Table orders: Shard shardId-1 of DynamoDB stream " + ORDERS_STREAM)
                .contains("snapshot generation 2 of table orders begun (T0 " + NOW + ")")
                .endsWith("Retention gaps met since the source opened: 1");
        assertThat(rows.generation("orders")).isEqualTo("2 RUNNING");
        assertThat(rows.putConditions).singleElement().asString().contains("generation = :g").contains("N=1");
        assertThat(rows.generation("users")).startsWith("1 ");
        assertThat(holds).containsExactly("orders");
        assertThat(gaps.count()).isEqualTo(1);
        assertThat(resnapshots.stopsSource()).as("the source, and the other tables, go on").isFalse();
    }

    @Test
    void anotherShardOfAHeldTableOnlyStopsNeitherCountedNorBegunAgain() {
        rows.snapshot("orders", 1, "COMPLETE", T0);
        readAfter.put("orders", 1L);
        catchThrowableOfType(IllegalStateException.class, () -> resnapshots.onGap(gap()));

        IllegalStateException again = catchThrowableOfType(IllegalStateException.class,
                () -> resnapshots.onGap(gap()));

        assertThat(again.getMessage()).isEqualTo("Table orders is held for its snapshot: its stream is not read");
        assertThat(rows.generation("orders")).startsWith("2 ");
        assertThat(gaps.count()).isEqualTo(1);
        assertThat(rows.putConditions).hasSize(1);
    }

    @Test
    void aGapOnATableWhoseNextGenerationAnotherInstanceBeganJoinsIt() {
        rows.snapshot("orders", 2, "RUNNING", T0);
        readAfter.put("orders", 1L);

        IllegalStateException stop = catchThrowableOfType(IllegalStateException.class,
                () -> resnapshots.onGap(gap()));

        assertThat(stop.getMessage()).contains("snapshot generation 2 of table orders");
        assertThat(rows.putConditions).as("not begun twice").isEmpty();
        assertThat(holds).containsExactly("orders");
        assertThat(gaps.count()).isEqualTo(1);
    }

    @Test
    void aTableReadWithoutSnapshotGetsItsFirstGeneration() {
        readAfter.put("orders", 0L);

        catchThrowableOfType(IllegalStateException.class, () -> resnapshots.onGap(gap()));

        assertThat(rows.generation("orders")).startsWith("1 ");
        assertThat(rows.putConditions).singleElement().asString().contains("attribute_not_exists");
        assertThat(holds).containsExactly("orders");
    }

    @Test
    void anInstanceHoldsATableOnceAnotherBeganItsNextGenerationAndOnlyThatTable() {
        rows.snapshot("orders", 2, "RUNNING", T0);
        rows.snapshot("users", 1, "COMPLETE", T0);
        readAfter.put("orders", 1L);
        readAfter.put("users", 1L);

        resnapshots.checkGenerations();

        assertThat(holds).containsExactly("orders");
        assertThat(readAfter).containsOnlyKeys("users");
        assertThat(gaps.count()).as("this instance met no gap").isZero();
    }

    @Test
    void theTableOfAStreamArn() {
        assertThat(TableResnapshots.tableOf(ORDERS_STREAM)).isEqualTo("orders");
        assertThat(TableResnapshots.tableOf("arn:aws:dynamodb:ddblocal:000000000000:table/a.b-c_1/stream/2026-12-02"))
                .isEqualTo("a.b-c_1");
    }
}
