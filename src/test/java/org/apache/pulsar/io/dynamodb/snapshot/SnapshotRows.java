package org.apache.pulsar.io.dynamodb.snapshot;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;

/** The snapshot rows of tables of a source of several, kept by a test: a stand-in for GetItem and PutItem. */
final class SnapshotRows {

    final Map<String, Map<String, AttributeValue>> rows = new HashMap<>();
    /** Each PutItem's condition and its values, in order. */
    final List<String> putConditions = new ArrayList<>();

    /** The state table {@code app-Snapshot} on these rows, its clock at {@code now}. */
    @SuppressWarnings("unchecked")
    SnapshotTable table(Instant now) {
        DynamoDbAsyncClient dynamo = mock(DynamoDbAsyncClient.class);
        when(dynamo.getItem(any(Consumer.class))).thenAnswer(call -> {
            GetItemRequest.Builder request = GetItemRequest.builder();
            ((Consumer<GetItemRequest.Builder>) call.getArgument(0)).accept(request);
            String key = request.build().key().get("key").s();
            return CompletableFuture.completedFuture(GetItemResponse.builder().item(rows.get(key)).build());
        });
        when(dynamo.putItem(any(Consumer.class))).thenAnswer(call -> {
            PutItemRequest.Builder request = PutItemRequest.builder();
            ((Consumer<PutItemRequest.Builder>) call.getArgument(0)).accept(request);
            PutItemRequest put = request.build();
            putConditions.add(put.conditionExpression() + " " + put.expressionAttributeValues());
            rows.put(put.item().get("key").s(), put.item());
            return CompletableFuture.completedFuture(PutItemResponse.builder().build());
        });
        return new SnapshotTable(dynamo, "app-Snapshot", Clock.fixed(now, ZoneOffset.UTC));
    }

    /** Sets the table's snapshot row: its generation begun at t0, RUNNING or COMPLETE. */
    void snapshot(String table, long generation, String status, Instant t0) {
        Map<String, AttributeValue> row = new HashMap<>();
        row.put("key", AttributeValue.fromS("table#" + table + "#snapshot"));
        row.put("generation", AttributeValue.fromN(Long.toString(generation)));
        row.put("t0", AttributeValue.fromN(Long.toString(t0.toEpochMilli())));
        row.put("segments", AttributeValue.fromN("8"));
        row.put("status", AttributeValue.fromS(status));
        row.put("startedAt", AttributeValue.fromN(Long.toString(t0.toEpochMilli())));
        row.put("items", AttributeValue.fromN("10"));
        row.put("itemCountEstimate", AttributeValue.fromN("10"));
        rows.put("table#" + table + "#snapshot", row);
    }

    /** The table's current generation and status, e.g. "2 RUNNING". */
    String generation(String table) {
        Map<String, AttributeValue> row = rows.get("table#" + table + "#snapshot");
        return row.get("generation").n() + " " + row.get("status").s();
    }
}
