package org.apache.pulsar.io.dynamodb;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import org.apache.pulsar.functions.api.Record;
import org.apache.pulsar.io.core.PushSource;
import org.apache.pulsar.io.core.SourceContext;
import org.apache.pulsar.io.core.annotations.Connector;
import org.apache.pulsar.io.core.annotations.IOType;
import org.apache.pulsar.io.dynamodb.aws.AwsClients;
import org.apache.pulsar.io.dynamodb.aws.CredentialsFactory;
import org.apache.pulsar.io.dynamodb.aws.CredentialsHandle;
import org.apache.pulsar.io.dynamodb.aws.StreamCheck;
import org.apache.pulsar.io.dynamodb.convert.ChangeRecordConverter;
import org.apache.pulsar.io.dynamodb.convert.RecordConverter;
import org.apache.pulsar.io.dynamodb.discovery.CurrentStream;
import org.apache.pulsar.io.dynamodb.discovery.DynamoDbTableCatalog;
import org.apache.pulsar.io.dynamodb.exactlyonce.EffectivelyOnce;
import org.apache.pulsar.io.dynamodb.exactlyonce.Sequencing;
import org.apache.pulsar.io.dynamodb.kcl.FollowingStream;
import org.apache.pulsar.io.dynamodb.kcl.GatedChangeStream;
import org.apache.pulsar.io.dynamodb.kcl.KclChangeStream;
import org.apache.pulsar.io.dynamodb.kcl.TableStreamStart;
import org.apache.pulsar.io.dynamodb.kcl.WorkerIds;
import org.apache.pulsar.io.dynamodb.metrics.MetricsReporter;
import org.apache.pulsar.io.dynamodb.metrics.SourceMetrics;
import org.apache.pulsar.io.dynamodb.publish.OrderedPublisher;
import org.apache.pulsar.io.dynamodb.snapshot.SnapshotThenStream;
import org.apache.pulsar.io.dynamodb.snapshot.TableSnapshots;
import org.apache.pulsar.io.dynamodb.stream.ChangeStream;
import org.apache.pulsar.io.dynamodb.stream.RetentionGapHandler;
import org.apache.pulsar.io.dynamodb.stream.RetentionGaps;
import org.apache.pulsar.io.dynamodb.stream.StreamStart;
import org.apache.pulsar.io.dynamodb.streamset.TableGate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.model.StreamDescription;
import software.amazon.kinesis.common.InitialPositionInStream;

/**
 * Pulsar source that publishes every change of a DynamoDB table's stream in order per shard: at least once, or exactly
 * once with Pulsar's EFFECTIVELY_ONCE guarantee on a namespace with deduplication.
 */
@Connector(
        name = "dynamodb",
        type = IOType.SOURCE,
        help = "A source connector that streams DynamoDB table changes into Pulsar through KCL 3",
        configClass = DynamoDBSourceConfig.class)
public class DynamoDBSource extends PushSource<byte[]> {

    private static final Logger log = LoggerFactory.getLogger(DynamoDBSource.class);

    private CredentialsHandle credentials;
    private AwsClients clients;
    private ChangeStream changes;
    private final RetentionGaps retentionGaps = new RetentionGaps();
    private MetricsReporter metricsReporter;
    // tableName: the lease table held only an earlier stream's finished leases, so the stream starts at its first record
    private boolean fromFirstRecord;

    @Override
    public void open(Map<String, Object> rawConfig, SourceContext context) {
        DynamoDBSourceConfig loaded = DynamoDBSourceConfig.load(rawConfig, context);
        log.info("Opening DynamoDB source with {}", loaded);
        loaded.getFilters().filterWarnings().forEach(warning -> log.warn("{}", warning));
        try {
            credentials = CredentialsFactory.create(loaded);
            CredentialsFactory.warnIfDebugLoggingPrintsCredentials();
            clients = AwsClients.create(loaded, credentials);
            DynamoDBSourceConfig config = withTablesStream(loaded);
            String workerId = WorkerIds.of(context);
            RecordConverter converter = ChangeRecordConverter.of(config.getOutput());
            SourceMetrics metrics = new SourceMetrics(retentionGaps::count);
            // Pulsar's processing guarantee: EFFECTIVELY_ONCE numbers every message for the broker's deduplication
            Sequencing sequencing = EffectivelyOnce.forGuarantee(context, config.getApplicationName(),
                    config.getTables(), this::failSource);
            // tableName: the table's streams one after another; awsDynamodbStreamArn: that one stream
            BiFunction<StreamStart, RetentionGapHandler, GatedChangeStream> streams = (start, gaps) ->
                    config.getTables().tableName().isPresent()
                            ? new FollowingStream(config, clients, workerId, config.getFilters().recordFilter(),
                                    converter, this::consume, this::failSource, start, gaps, metrics, sequencing)
                            : new KclChangeStream(config, clients, workerId, config.getFilters().recordFilter(),
                                    converter, this::consume, this::failSource, start, gaps, metrics, sequencing);
            if (config.getTables().multiTable()) {
                // several tables on one multi-stream scheduler; with snapshotMode, each table's snapshot first
                BiFunction<TableGate, RetentionGapHandler, ChangeStream> tableStreams = (gate, gaps) ->
                        KclChangeStream.forTables(config, clients, workerId, config.getFilters().recordFilter(),
                                converter, this::consume, this::failSource,
                                StreamStart.of(config.getInitialPositionInStream(), config.getStartAtTime()), gaps,
                                metrics, sequencing, gate);
                changes = !config.getSnapshot().enabled() ? tableStreams.apply(TableGate.OPEN, retentionGaps)
                        : TableSnapshots.open(config, clients, new TableSnapshots.Instance(workerId,
                                context == null ? 0 : context.getInstanceId(),
                                context == null ? 1 : context.getNumInstances()),
                        new TableSnapshots.Outputs(converter, this::consume, retentionGaps, this::failSource, metrics,
                                sequencing), tableStreams);
                changes.start();
            } else {
                changes = oneTable(config, context, workerId, converter, streams, metrics, sequencing);
            }
            metricsReporter = MetricsReporter.start(metrics, context, config.getMetricsReport().interval(),
                    config.getApplicationName());
        } catch (RuntimeException e) {
            closeQuietly();
            throw e;
        }
    }

    /** One stream, started: KCL's, or the table's snapshot and then KCL's when snapshotMode asks for one. */
    private ChangeStream oneTable(DynamoDBSourceConfig config, SourceContext context, String workerId,
                                  RecordConverter converter,
                                  BiFunction<StreamStart, RetentionGapHandler, GatedChangeStream> streams,
                                  SourceMetrics metrics, Sequencing sequencing) {
        CompletableFuture<Void> checked = new CompletableFuture<>();
        if (!config.getSnapshot().enabled()) {
            // KCL's scheduler is built (no request) and reads its tables while the stream is checked
            GatedChangeStream stream = streams.apply(fromFirstRecord ? StreamStart.of(InitialPositionInStream
                    .TRIM_HORIZON, Optional.empty()) : StreamStart.of(config.getInitialPositionInStream(),
                    config.getStartAtTime()), retentionGaps);
            changes = stream; // closed by close() should the check below fail
            stream.startWhen(checked);
        }
        StreamDescription described;
        try {
            described = StreamCheck.beforeStart(config, clients);
            log.info("Stream {} of table {} is {}, view type {}", described.streamArn(), described.tableName(),
                    described.streamStatusAsString(), described.streamViewTypeAsString());
            config.getOutput().checkStreamViewType(described.streamViewType(), config.getAwsDynamodbStreamArn());
        } catch (RuntimeException e) {
            checked.completeExceptionally(e);
            throw e;
        }
        checked.complete(null);
        if (!config.getSnapshot().enabled()) {
            return changes;
        }
        // the table's snapshot, then its stream from where the snapshot began
        ChangeStream stream = SnapshotThenStream.open(config, clients, described, workerId,
                context == null ? 0 : context.getInstanceId(), context == null ? 1 : context.getNumInstances(),
                converter, this::consume, retentionGaps, this::failSource, streams::apply, metrics, sequencing);
        stream.start();
        return stream;
    }

    /**
     * With tableName: the configuration reading the table's current stream, found with DescribeTable, or an earlier
     * stream of the table the lease table still has unfinished leases of (see {@link TableStreamStart}).
     */
    private DynamoDBSourceConfig withTablesStream(DynamoDBSourceConfig config) {
        if (config.getTables().tableName().isEmpty()) {
            return config;
        }
        String table = config.getTables().tableName().get();
        String streamArn = CurrentStream.of(new DynamoDbTableCatalog(clients.dynamo()), table,
                config.getStreamArnRegion());
        log.info("Table {} writes its changes to stream {}", table, streamArn);
        TableStreamStart.Start start = TableStreamStart.resolve(table, streamArn, clients,
                config.getApplicationName());
        fromFirstRecord = start.fromFirstRecord();
        return config.withStreamArn(start.streamArn());
    }

    /** Records trimmed from the stream before they were published, met since open: for metrics. */
    public RetentionGaps retentionGaps() {
        return retentionGaps;
    }

    /**
     * The next record for Pulsar to send. Under effectively-once, a record queued behind a message that failed to
     * publish fails the source here rather than being sent (see {@link OrderedPublisher#beforeSend}).
     */
    @Override
    public Record<byte[]> read() throws Exception {
        Record<byte[]> next = super.read();
        OrderedPublisher.beforeSend(next);
        return next;
    }

    /** The records the connector holds are bounded by receiveQueueSize permits, not by this queue. */
    @Override
    public int getQueueLength() {
        return Integer.MAX_VALUE;
    }

    /**
     * Queues the error for Pulsar's next read(). It may be called on Pulsar's instance thread just interrupted (a
     * publish that failed because a stop interrupted it): the queue's put would then throw and lose the error, so the
     * interrupt is set aside for the put and kept for what the thread does next.
     */
    void failSource(Throwable error) {
        boolean interrupted = Thread.interrupted();
        try {
            notifyError(error instanceof Exception exception ? exception : new IllegalStateException(error));
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        closeQuietly();
        log.info("DynamoDB source closed");
    }

    private void closeQuietly() {
        if (metricsReporter != null) {
            metricsReporter.close();
            metricsReporter = null;
        }
        if (changes != null) {
            changes.close();
            changes = null;
        }
        if (clients != null) {
            clients.close();
            clients = null;
        }
        if (credentials != null) {
            try {
                credentials.close();
            } catch (IOException | RuntimeException e) {
                log.warn("Closing the credential plugin failed: {}", e.toString());
            }
            credentials = null;
        }
    }
}
