package org.apache.pulsar.io.dynamodb.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.pulsar.io.dynamodb.DynamoDBSourceConfig;
import org.apache.pulsar.io.dynamodb.streamset.TableAdmission;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

/**
 * The gate between discovering a table and reading its stream with snapshotMode INITIAL and several tables, on
 * snapshot rows the test writes (a stand-in for GetItem of the state table).
 */
class TableSnapshotsTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private final Map<String, Map<String, AttributeValue>> rows = new HashMap<>();
    private final TableSnapshots gate = gate(Map.of());

    @SuppressWarnings("unchecked")
    private TableSnapshots gate(Map<String, Object> extraKeys) {
        DynamoDbAsyncClient dynamo = mock(DynamoDbAsyncClient.class);
        when(dynamo.getItem(any(Consumer.class))).thenAnswer(call -> {
            GetItemRequest.Builder request = GetItemRequest.builder();
            ((Consumer<GetItemRequest.Builder>) call.getArgument(0)).accept(request);
            String key = request.build().key().get("key").s();
            return CompletableFuture.completedFuture(GetItemResponse.builder().item(rows.get(key)).build());
        });
        Map<String, Object> keys = new HashMap<>(Map.of("tables", List.of("orders", "users"), "awsRegion", "eu-north-1",
                "awsCredentialPluginParam", "{\"accessKey\":\"a\",\"secretKey\":\"b\"}", "snapshotMode", "INITIAL"));
        keys.putAll(extraKeys);
        DynamoDBSourceConfig config = DynamoDBSourceConfig.load(keys, null);
        SnapshotTable state = new SnapshotTable(dynamo, "app-Snapshot", Clock.fixed(T0, ZoneOffset.UTC));
        return new TableSnapshots(config, null, state, new TableSnapshots.Instance("w", 0, 1), null,
                Clock.fixed(T0, ZoneOffset.UTC));
    }

    private void snapshotRow(String table, String status) {
        Map<String, AttributeValue> row = new HashMap<>();
        row.put("key", AttributeValue.fromS("table#" + table + "#snapshot"));
        row.put("generation", AttributeValue.fromN("1"));
        row.put("t0", AttributeValue.fromN(Long.toString(T0.toEpochMilli())));
        row.put("segments", AttributeValue.fromN("8"));
        row.put("status", AttributeValue.fromS(status));
        row.put("startedAt", AttributeValue.fromN(Long.toString(T0.toEpochMilli())));
        row.put("items", AttributeValue.fromN("10"));
        row.put("itemCountEstimate", AttributeValue.fromN("10"));
        rows.put("table#" + table + "#snapshot", row);
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
        rows.clear();

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
}
