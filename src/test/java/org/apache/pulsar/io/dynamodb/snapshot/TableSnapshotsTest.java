package org.apache.pulsar.io.dynamodb.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pulsar.io.dynamodb.DynamoDBSourceConfig;
import org.apache.pulsar.io.dynamodb.streamset.TableAdmission;
import org.junit.jupiter.api.Test;

/**
 * The gate between discovering a table and reading its stream with snapshotMode INITIAL and several tables, on
 * snapshot rows the test writes (a stand-in for GetItem of the state table).
 */
class TableSnapshotsTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private final SnapshotRows rows = new SnapshotRows();
    private final TableSnapshots gate = gate(Map.of());

    private TableSnapshots gate(Map<String, Object> extraKeys) {
        Map<String, Object> keys = new HashMap<>(Map.of("tables", List.of("orders", "users"), "awsRegion", "eu-north-1",
                "awsCredentialPluginParam", "{\"accessKey\":\"a\",\"secretKey\":\"b\"}", "snapshotMode", "INITIAL"));
        keys.putAll(extraKeys);
        DynamoDBSourceConfig config = DynamoDBSourceConfig.load(keys, null);
        SnapshotTable state = rows.table(T0);
        return new TableSnapshots(config, null, state, new TableSnapshots.Instance("w", 0, 1), null,
                Clock.fixed(T0, ZoneOffset.UTC));
    }

    private void snapshotRow(String table, String status) {
        rows.snapshot(table, 1, status, T0);
    }

    @Test
    void aTableNeverSnapshottedNorReadIsHeldUntilItsSnapshotCompletes() {
        assertThat(gate.admit("orders", false)).isEqualTo(TableAdmission.HELD);
        snapshotRow("orders", "RUNNING");
        assertThat(gate.admit("orders", false)).as("snapshot running").isEqualTo(TableAdmission.HELD);
        assertThatThrownBy(() -> gate.skipFor("orders")).as("a shard of it is not read meanwhile")
                .hasMessageContaining("snapshot is not complete");

        snapshotRow("orders", "COMPLETE");
        TableAdmission admitted = gate.admit("orders", false);

        assertThat(admitted.held()).isFalse();
        assertThat(admitted.skipCreatedBefore()).contains(T0.minus(SnapshotThenStream.HANDOFF_MARGIN));
        assertThat(gate.skipFor("orders")).contains(T0.minus(SnapshotThenStream.HANDOFF_MARGIN));
        assertThat(gate.admit("users", false)).as("the other table is decided on its own").isEqualTo(TableAdmission.HELD);
    }

    @Test
    void aCompletedSnapshotIsRememberedAndItsLeasesDoNotMakeItATableReadWithoutSnapshot() {
        snapshotRow("orders", "COMPLETE");
        assertThat(gate.skipFor("orders")).as("a restarted instance's first shard").contains(T0.minusSeconds(120));
        rows.rows.clear();

        assertThat(gate.admit("orders", true).skipCreatedBefore()).contains(T0.minusSeconds(120));
    }

    @Test
    void aTableThisApplicationReadBeforeWithoutSnapshotIsReadOnAsItWas() {
        TableAdmission admitted = gate.admit("orders", true);

        assertThat(admitted).isEqualTo(TableAdmission.OPEN);
        assertThat(gate.skipFor("orders")).isEmpty();
        snapshotRow("orders", "RUNNING");
        assertThat(gate.admit("orders", true)).as("decided once").isEqualTo(TableAdmission.OPEN);
    }

    @Test
    void withAtTimestampTheLaterOfStartAtTimeAndTheSnapshotsCoverApplies() {
        TableSnapshots later = gate(Map.of("initialPositionInStream", "AT_TIMESTAMP",
                "startAtTime", "2026-12-01T11:00:00Z"));
        snapshotRow("orders", "COMPLETE");

        assertThat(later.admit("orders", false).skipCreatedBefore()).contains(Instant.parse("2026-12-01T11:00:00Z"));
    }

    @Test
    void aHeldTableWaitsForItsNextGenerationThenSkipsWhatThatOneCovers() {
        snapshotRow("orders", "COMPLETE");
        snapshotRow("users", "COMPLETE");
        gate.admit("orders", false);
        gate.admit("users", false);
        assertThat(gate.readAfter("orders")).hasValue(1);

        Instant t0Again = T0.plusSeconds(86_400);
        rows.snapshot("orders", 2, "RUNNING", t0Again);
        gate.hold("orders");

        assertThat(gate.readAfter("orders")).isEmpty();
        assertThat(gate.reading()).containsExactly("users");
        assertThat(gate.admit("orders", true)).as("its leases exist: still held").isEqualTo(TableAdmission.HELD);
        assertThatThrownBy(() -> gate.skipFor("orders")).hasMessageContaining("snapshot is not complete");
        assertThat(gate.admit("users", true).skipCreatedBefore()).contains(T0.minusSeconds(120));

        rows.snapshot("orders", 2, "COMPLETE", t0Again);
        assertThat(gate.admit("orders", true).skipCreatedBefore()).contains(t0Again.minusSeconds(120));
        assertThat(gate.readAfter("orders")).hasValue(2);
    }
}
