package org.apache.pulsar.io.dynamodb.kcl;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.apache.pulsar.io.dynamodb.streamset.StreamLeases;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * Reads the lease table as rows, not through KCL's serializer. Multi-stream: to summarise each stream's progress, to
 * refuse a single-stream lease table with one line (KCL fails 20 times on it, then gives up), and to delete a finished
 * stream's leases. Single-stream (lease key = shard id): each lease's checkpoint, and finished leases deleted by key.
 */
final class LeaseRows {

    static final String SHARD_END = "SHARD_END";

    private final DynamoDbAsyncClient dynamo;
    private final String table;

    LeaseRows(DynamoDbAsyncClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    /** Each stream's leases by stream identifier; empty when the lease table does not exist yet. */
    Map<String, StreamLeases> byStream() {
        Map<String, int[]> counts = new HashMap<>();
        scan("leaseKey, streamName, checkpoint", row -> {
            AttributeValue stream = row.get("streamName");
            if (stream == null || stream.s() == null) {
                throw new IllegalStateException("Invalid config 'applicationName': lease table " + table
                        + " holds the checkpoints of a source that read one stream (awsDynamodbStreamArn or "
                        + "tableName), which tables cannot use: give this source a new applicationName, or "
                        + "go back to the key that wrote it");
            }
            int[] count = counts.computeIfAbsent(stream.s(), k -> new int[2]);
            count[0]++;
            AttributeValue checkpoint = row.get("checkpoint");
            if (checkpoint != null && SHARD_END.equals(checkpoint.s())) {
                count[1]++;
            }
        });
        Map<String, StreamLeases> leases = new HashMap<>();
        counts.forEach((stream, count) -> leases.put(stream, new StreamLeases(count[0], count[1])));
        return leases;
    }

    /** Single-stream: each lease's checkpoint by lease key (a shard id); empty when the lease table does not exist. */
    Map<String, String> checkpointsByKey() {
        Map<String, String> checkpoints = new HashMap<>();
        scan("leaseKey, checkpoint", row -> {
            AttributeValue checkpoint = row.get("checkpoint");
            checkpoints.put(row.get("leaseKey").s(), checkpoint == null ? "" : checkpoint.s());
        });
        return checkpoints;
    }

    /** Every row (consistent read, every page), with these attributes; none when the lease table does not exist. */
    private void scan(String projection, Consumer<Map<String, AttributeValue>> each) {
        Map<String, AttributeValue> start = null;
        try {
            do {
                Map<String, AttributeValue> from = start;
                ScanResponse page = dynamo.scan(b -> b.tableName(table).consistentRead(true)
                        .projectionExpression(projection).exclusiveStartKey(from)).join();
                page.items().forEach(each);
                start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
                        ? page.lastEvaluatedKey() : null;
            } while (start != null);
        } catch (CompletionException e) {
            if (!(e.getCause() instanceof ResourceNotFoundException)) {
                throw e.getCause() instanceof RuntimeException cause ? cause : e;
            }
        }
    }

    /** Single-stream: deletes these leases (with onlyEnded, each only if it is at SHARD_END); returns how many went. */
    int deleteKeys(Collection<String> leaseKeys, boolean onlyEnded) {
        int deleted = 0;
        for (String key : leaseKeys) {
            if (deleteLease(Map.of("leaseKey", AttributeValue.fromS(key)), onlyEnded)) {
                deleted++;
            }
        }
        return deleted;
    }

    /** Deletes a finished stream's leases, each only if it is still at SHARD_END; returns how many went. */
    int deleteEnded(String streamIdentifier) {
        return delete(streamIdentifier, true);
    }

    /** Deletes every lease of a stream the source no longer reads, wherever it is; returns how many went. */
    int deleteAll(String streamIdentifier) {
        return delete(streamIdentifier, false);
    }

    private int delete(String streamIdentifier, boolean onlyEnded) {
        // every page: a filtered Scan page covers 1 MB of the table, not every row that matches
        List<String> keys = new ArrayList<>();
        scan("leaseKey, streamName", row -> {
            AttributeValue stream = row.get("streamName");
            if (stream != null && streamIdentifier.equals(stream.s())) {
                keys.add(row.get("leaseKey").s());
            }
        });
        return deleteKeys(keys, onlyEnded);
    }

    /** True when the lease was deleted; false when onlyEnded and it is not (or no longer) at SHARD_END. */
    private boolean deleteLease(Map<String, AttributeValue> key, boolean onlyEnded) {
        try {
            dynamo.deleteItem(b -> {
                b.tableName(table).key(key);
                if (onlyEnded) {
                    b.conditionExpression("checkpoint = :end")
                            .expressionAttributeValues(Map.of(":end", AttributeValue.fromS(SHARD_END)));
                }
            }).join();
            return true;
        } catch (CompletionException e) {
            if (!(e.getCause() instanceof ConditionalCheckFailedException)) {
                throw e;
            }
            return false;
        }
    }
}
