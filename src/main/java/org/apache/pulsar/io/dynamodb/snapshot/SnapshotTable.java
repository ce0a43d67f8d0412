package org.apache.pulsar.io.dynamodb.snapshot;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.pulsar.io.dynamodb.kcl.bootstrap.TableReadiness;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * The snapshot's state in {@code <applicationName>-Snapshot} (key {@code key}, a string): one row {@code snapshot}
 * ({@link SnapshotState}) and one row per segment and generation ({@link SegmentRow}). A source of several tables
 * keeps each table's rows under the prefix {@code table#<name>#} in the same table. Every change is a conditional
 * write, so instances sharing a snapshot never overwrite each other's claims or progress. Times are epoch
 * milliseconds of the writer's clock.
 */
final class SnapshotTable {

    static final String KEY = "key";
    static final String SNAPSHOT_ROW = "snapshot";
    static final Duration SEGMENT_LEASE = Duration.ofSeconds(30);
    private static final Duration TABLE_POLL = Duration.ofMillis(250);

    private final DynamoDbAsyncClient dynamo;
    private final String name;
    private final Clock clock;
    private final String rowPrefix;

    /** The state of a source of one table. */
    SnapshotTable(DynamoDbAsyncClient dynamo, String name, Clock clock) {
        this(dynamo, name, clock, "");
    }

    private SnapshotTable(DynamoDbAsyncClient dynamo, String name, Clock clock, String rowPrefix) {
        this.dynamo = dynamo;
        this.name = name;
        this.clock = clock;
        this.rowPrefix = rowPrefix;
    }

    /** The state of one table of a source of several, in the same DynamoDB table (DynamoDB names have no '#'). */
    SnapshotTable forTable(String table) {
        return new SnapshotTable(dynamo, name, clock, "table#" + table + "#");
    }

    private String snapshotRow() {
        return rowPrefix + SNAPSHOT_ROW;
    }

    /** The table of an application's snapshot state, next to KCL's. */
    static String nameFor(String applicationName) {
        return applicationName + "-Snapshot";
    }

    String name() {
        return name;
    }

    /**
     * Creates the table when it is missing (on-demand capacity, as KCL creates its own) and waits until it is ACTIVE;
     * another instance creating it at the same moment is fine.
     */
    void createIfMissing(Duration timeout) throws InterruptedException {
        CreateTableRequest table = CreateTableRequest.builder().tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(KeySchemaElement.builder().attributeName(KEY).keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName(KEY)
                        .attributeType(ScalarAttributeType.S).build())
                .build();
        new TableReadiness(dynamo, TABLE_POLL, timeout).createAndAwaitActive(List.of(table));
    }

    /** The current generation, read consistently; empty before the first snapshot began. */
    Optional<SnapshotState> read() {
        Map<String, AttributeValue> item = join(dynamo.getItem(b -> b.tableName(name).consistentRead(true)
                .key(key(snapshotRow())))).item();
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new SnapshotState(number(item, "generation"), Instant.ofEpochMilli(number(item, "t0")),
                (int) number(item, "segments"), SnapshotState.Status.valueOf(item.get("status").s()),
                Instant.ofEpochMilli(number(item, "startedAt")),
                item.containsKey("completedAt") ? Instant.ofEpochMilli(number(item, "completedAt")) : null,
                number(item, "items"), number(item, "itemCountEstimate")));
    }

    /**
     * Begins a generation: the first (no row yet), or the one after {@code previous}. Only one instance wins; every
     * caller gets the generation that is current afterwards.
     */
    SnapshotState begin(Optional<SnapshotState> previous, Instant t0, int segments, long itemCountEstimate) {
        long generation = previous.map(p -> p.generation() + 1).orElse(1L);
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(KEY, AttributeValue.fromS(snapshotRow()));
        item.put("generation", n(generation));
        item.put("t0", n(t0.toEpochMilli()));
        item.put("segments", n(segments));
        item.put("status", AttributeValue.fromS(SnapshotState.Status.RUNNING.name()));
        item.put("startedAt", n(clock.millis()));
        item.put("items", n(0));
        item.put("itemCountEstimate", n(itemCountEstimate));
        try {
            join(dynamo.putItem(b -> {
                b.tableName(name).item(item);
                if (previous.isEmpty()) {
                    b.conditionExpression("attribute_not_exists(#k)").expressionAttributeNames(Map.of("#k", KEY));
                } else {
                    b.conditionExpression("generation = :g")
                            .expressionAttributeValues(Map.of(":g", n(previous.get().generation())));
                }
            }));
        } catch (ConditionalCheckFailedException lostTheRace) {
            // another instance began it (or a later one) first
        }
        return read().orElseThrow(() -> new IllegalStateException("snapshot row of " + name + " vanished"));
    }

    /** Every segment row of the generation that was ever claimed, by index. */
    Map<Integer, SegmentRow> segments(SnapshotState state) {
        String prefix = rowPrefix + "segment#" + state.generation() + "#";
        Map<Integer, SegmentRow> rows = new HashMap<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            ScanResponse page = join(dynamo.scan(b -> b.tableName(name).consistentRead(true).exclusiveStartKey(from)
                    .filterExpression("begins_with(#k, :prefix)").expressionAttributeNames(Map.of("#k", KEY))
                    .expressionAttributeValues(Map.of(":prefix", AttributeValue.fromS(prefix)))));
            for (Map<String, AttributeValue> item : page.items()) {
                SegmentRow row = segmentRow(item);
                rows.put(row.index(), row);
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return rows;
    }

    /**
     * Claims a segment that is unclaimed, this worker's own (it was restarted) or whose lease expired; empty when
     * another instance holds it or it is done.
     */
    Optional<SegmentRow> claim(SnapshotState state, int segment, String owner, String claim) {
        long now = clock.millis();
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":me", AttributeValue.fromS(owner));
        values.put(":claim", AttributeValue.fromS(claim));
        values.put(":until", n(now + SEGMENT_LEASE.toMillis()));
        values.put(":now", n(now));
        values.put(":false", AttributeValue.fromBool(false));
        values.put(":zero", n(0));
        values.put(":g", n(state.generation()));
        values.put(":i", n(segment));
        try {
            UpdateItemResponse response = join(dynamo.updateItem(b -> b.tableName(name)
                    .key(key(segmentKey(state, segment)))
                    .conditionExpression("attribute_not_exists(#k) OR (done = :false AND (#owner = :me OR "
                            + "leaseUntil < :now))")
                    .updateExpression("SET #owner = :me, #claim = :claim, leaseUntil = :until, generation = :g, "
                            + "#segment = :i, done = if_not_exists(done, :false), "
                            + "#items = if_not_exists(#items, :zero)")
                    .expressionAttributeNames(Map.of("#k", KEY, "#owner", "owner", "#claim", "claim",
                            "#segment", "segment", "#items", "items"))
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_NEW)));
            return Optional.of(segmentRow(response.attributes()));
        } catch (ConditionalCheckFailedException heldOrDone) {
            return Optional.empty();
        }
    }

    /** Extends this claim's lease; false when the claim was lost (another instance took the segment). */
    boolean renew(SnapshotState state, int segment, String claim) {
        return join(conditionalUpdate(state, segment, claim, "SET leaseUntil = :until",
                Map.of(":until", n(clock.millis() + SEGMENT_LEASE.toMillis()))));
    }

    /**
     * Stores how far the segment is acknowledged, and extends the lease; at {@link ScanCursor#END} the segment is
     * done. False when the claim was lost: the progress belongs to whoever holds the segment now.
     */
    boolean saveProgress(SnapshotState state, int segment, String claim, String cursor, long items) {
        return join(saveProgressAsync(state, segment, claim, cursor, items));
    }

    /**
     * {@link #saveProgress} without waiting, so a reader goes on publishing while its progress is stored: completes
     * with false when the claim was lost, exceptionally when the write failed otherwise.
     */
    CompletableFuture<Boolean> saveProgressAsync(SnapshotState state, int segment, String claim, String cursor,
                                                 long items) {
        boolean done = ScanCursor.END.equals(cursor);
        return conditionalUpdate(state, segment, claim,
                "SET #cursor = :cursor, #items = :items, leaseUntil = :until, done = :done",
                Map.of(":cursor", AttributeValue.fromS(cursor), ":items", n(items),
                        ":until", n(clock.millis() + SEGMENT_LEASE.toMillis()),
                        ":done", AttributeValue.fromBool(done)));
    }

    /** Completes with false when the claim was lost (the condition failed), exceptionally on any other failure. */
    private CompletableFuture<Boolean> conditionalUpdate(SnapshotState state, int segment, String claim,
                                                         String update, Map<String, AttributeValue> values) {
        Map<String, AttributeValue> all = new HashMap<>(values);
        all.put(":claim", AttributeValue.fromS(claim));
        all.put(":false", AttributeValue.fromBool(false));
        return dynamo.updateItem(b -> b.tableName(name).key(key(segmentKey(state, segment)))
                        .conditionExpression("#claim = :claim AND done = :false")
                        .updateExpression(update)
                        .expressionAttributeNames(names(update))
                        .expressionAttributeValues(all))
                .handle((updated, error) -> {
                    Throwable cause = error instanceof CompletionException ? error.getCause() : error;
                    if (cause == null) {
                        return true;
                    }
                    if (cause instanceof ConditionalCheckFailedException) {
                        return false;
                    }
                    throw cause instanceof RuntimeException runtime ? runtime : new CompletionException(cause);
                });
    }

    private static Map<String, String> names(String update) {
        Map<String, String> names = new HashMap<>(Map.of("#claim", "claim"));
        if (update.contains("#cursor")) {
            names.put("#cursor", "cursor");
        }
        if (update.contains("#items")) {
            names.put("#items", "items");
        }
        return names;
    }

    /**
     * Claims the completion of a generation whose segments are all done: one instance resets KCL's leases and
     * marks it complete; if it dies meanwhile, another may claim it once its lease expires.
     */
    boolean claimCompletion(SnapshotState state, String owner) {
        long now = clock.millis();
        try {
            join(dynamo.updateItem(b -> b.tableName(name).key(key(snapshotRow()))
                    .conditionExpression("generation = :g AND #status = :running AND (attribute_not_exists(completer)"
                            + " OR completer = :me OR completerUntil < :now)")
                    .updateExpression("SET completer = :me, completerUntil = :until")
                    .expressionAttributeNames(Map.of("#status", "status"))
                    .expressionAttributeValues(Map.of(":g", n(state.generation()),
                            ":running", AttributeValue.fromS(SnapshotState.Status.RUNNING.name()),
                            ":me", AttributeValue.fromS(owner), ":now", n(now),
                            ":until", n(now + SEGMENT_LEASE.toMillis())))));
            return true;
        } catch (ConditionalCheckFailedException otherCompleter) {
            return false;
        }
    }

    /** Marks the generation complete, as the instance that claimed its completion; false if it no longer holds it. */
    boolean complete(SnapshotState state, String owner, long items) {
        try {
            join(dynamo.updateItem(b -> b.tableName(name).key(key(snapshotRow()))
                    .conditionExpression("generation = :g AND completer = :me")
                    .updateExpression("SET #status = :complete, completedAt = :now, #items = :items")
                    .expressionAttributeNames(Map.of("#status", "status", "#items", "items"))
                    .expressionAttributeValues(Map.of(":g", n(state.generation()), ":me", AttributeValue.fromS(owner),
                            ":complete", AttributeValue.fromS(SnapshotState.Status.COMPLETE.name()),
                            ":now", n(clock.millis()), ":items", n(items)))));
            return true;
        } catch (ConditionalCheckFailedException notTheCompleter) {
            return false;
        }
    }

    private String segmentKey(SnapshotState state, int segment) {
        return rowPrefix + "segment#" + state.generation() + "#" + segment;
    }

    private static SegmentRow segmentRow(Map<String, AttributeValue> item) {
        return new SegmentRow((int) number(item, "segment"), string(item, "owner"), string(item, "claim"),
                number(item, "leaseUntil"), string(item, "cursor"),
                item.containsKey("done") && Boolean.TRUE.equals(item.get("done").bool()), number(item, "items"));
    }

    private static Map<String, AttributeValue> key(String key) {
        return Map.of(KEY, AttributeValue.fromS(key));
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    private static long number(Map<String, AttributeValue> item, String attribute) {
        AttributeValue value = item.get(attribute);
        return value == null || value.n() == null ? 0 : Long.parseLong(value.n());
    }

    private static String string(Map<String, AttributeValue> item, String attribute) {
        AttributeValue value = item.get(attribute);
        return value == null ? null : value.s();
    }

    /** Waits for an AWS call, rethrowing the SDK's exception itself rather than a wrapper. */
    static <T> T join(CompletableFuture<T> call) {
        try {
            return call.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }
}
