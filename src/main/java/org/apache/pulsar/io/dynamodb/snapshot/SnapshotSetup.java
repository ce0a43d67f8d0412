package org.apache.pulsar.io.dynamodb.snapshot;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.pulsar.io.dynamodb.DynamoDBSourceConfig;
import org.apache.pulsar.io.dynamodb.aws.AwsClients;
import org.apache.pulsar.io.dynamodb.aws.StreamCheck;
import org.apache.pulsar.io.dynamodb.convert.RecordOrigin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.StreamDescription;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * What the source does at open when snapshotMode is not NONE, before any item is read: checks that the stream can
 * continue after the snapshot, reads the table's key schema, creates the snapshot table, and begins the first
 * generation (recording T0) or joins the current one. Fails with one line on what is wrong.
 */
final class SnapshotSetup {

    private static final Logger log = LoggerFactory.getLogger(SnapshotSetup.class);
    private static final Duration TABLE_TIMEOUT = Duration.ofMinutes(10);

    private SnapshotSetup() {
    }

    static SnapshotPlan prepare(DynamoDBSourceConfig config, AwsClients clients, StreamDescription stream,
                                String workerId, int instanceId, int numInstances, Clock clock) {
        String mode = "snapshotMode " + config.getSnapshot().mode();
        if (StreamCheck.isDisabled(stream)) {
            throw new IllegalStateException(mode + " needs a stream to continue from after the snapshot, but stream "
                    + config.getAwsDynamodbStreamArn() + " of table " + stream.tableName() + " is "
                    + stream.streamStatusAsString() + ": enable the table's stream and set awsDynamodbStreamArn to it");
        }
        String table = config.getStreamTableName();
        TableDescription description = describe(clients, table, mode, config.getDynamoEndpoint());
        return plan(config, clients, description, config.getAwsDynamodbStreamArn(), stream.streamViewType(),
                stateTable(config, clients, clock), workerId, instanceId, numInstances, clock, false);
    }

    /** The application's snapshot table, created if missing; fails with one line when DynamoDB refuses it. */
    static SnapshotTable stateTable(DynamoDBSourceConfig config, AwsClients clients, Clock clock) {
        SnapshotTable state = new SnapshotTable(clients.dynamo(), SnapshotTable.nameFor(config.getApplicationName()),
                clock);
        try {
            state.createIfMissing(TABLE_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while preparing snapshot table " + state.name(), e);
        } catch (SdkException e) {
            throw refused(state, e);
        }
        return state;
    }

    /**
     * For one table of a source of several, once its turn comes: checks that the table has an enabled stream, then
     * begins its first generation (recording T0) or joins the current one, in {@code state} (the table's rows).
     * Empty when the table has no enabled stream now or is gone: it is looked at again when it has one.
     */
    static Optional<SnapshotPlan> prepareTable(DynamoDBSourceConfig config, AwsClients clients, SnapshotTable state,
                                               String table, String workerId, int instanceId, int numInstances,
                                               Clock clock) {
        TableDescription description;
        try {
            description = SnapshotTable.join(clients.dynamo().describeTable(b -> b.tableName(table))).table();
        } catch (ResourceNotFoundException gone) {
            return Optional.empty();
        }
        StreamSpecification spec = description.streamSpecification();
        if (spec == null || !Boolean.TRUE.equals(spec.streamEnabled()) || description.latestStreamArn() == null) {
            return Optional.empty();
        }
        return Optional.of(plan(config, clients, description, description.latestStreamArn(), spec.streamViewType(),
                state, workerId, instanceId, numInstances, clock, true));
    }

    private static SnapshotPlan plan(DynamoDBSourceConfig config, AwsClients clients, TableDescription description,
                                     String streamArn, StreamViewType viewType, SnapshotTable state, String workerId,
                                     int instanceId, int numInstances, Clock clock, boolean oneOfSeveral) {
        String table = description.tableName();
        List<String> keys = description.keySchema().stream()
                .sorted((a, b) -> a.keyType() == KeyType.HASH ? -1 : b.keyType() == KeyType.HASH ? 1 : 0)
                .map(KeySchemaElement::attributeName).toList();
        long itemCount = description.itemCount() == null ? 0 : description.itemCount();
        SnapshotState generation;
        try {
            Optional<SnapshotState> current = state.read();
            // T0 is recorded now, after the stream was found enabled and before any item is read.
            generation = current.isPresent() ? current.get()
                    : state.begin(Optional.empty(), clock.instant(), config.getSnapshot().segments(), itemCount);
        } catch (SdkException e) {
            throw refused(state, e);
        }
        int instances = Math.max(numInstances, instanceId + 1);
        if (generation.segments() != config.getSnapshot().segments() && !generation.complete()) {
            log.warn("Snapshot generation {} of table {} runs with {} segments; snapshotSegments {} applies to the "
                    + "next generation", generation.generation(), table, generation.segments(),
                    config.getSnapshot().segments());
        }
        RecordOrigin origin = new RecordOrigin(table, config.getStreamArnRegion(), streamArn, null);
        return new SnapshotPlan(clients.dynamo(), clients::newSyncDynamo, config.getApplicationName(), table, keys, itemCount, viewType,
                origin, config.getSnapshot(), state, generation, workerId, instanceId, instances,
                config.getReceiveQueueSize(), oneOfSeveral);
    }

    private static IllegalStateException refused(SnapshotTable state, SdkException e) {
        return new IllegalStateException("DynamoDB refused the snapshot table " + state.name() + ": " + e
                + "; the source needs CreateTable, DescribeTable, GetItem, PutItem, UpdateItem and Scan on it", e);
    }

    private static TableDescription describe(AwsClients clients, String table, String mode, String endpoint) {
        try {
            return SnapshotTable.join(clients.dynamo().describeTable(b -> b.tableName(table))).table();
        } catch (ResourceNotFoundException e) {
            throw new IllegalStateException(mode + " reads table " + table + ", which does not exist"
                    + (endpoint.isBlank() ? "" : " at " + endpoint), e);
        } catch (AwsServiceException e) {
            throw new IllegalStateException(mode + " reads table " + table + ", but DynamoDB refused DescribeTable: "
                    + (e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorCode())
                    + "; the source needs DescribeTable and Scan on it", e);
        }
    }
}
