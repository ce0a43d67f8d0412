package org.apache.pulsar.io.dynamodb.kcl;

import com.amazonaws.services.dynamodbv2.streamsadapter.StreamsSchedulerFactory;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.pulsar.io.dynamodb.DynamoDBSourceConfig;
import org.apache.pulsar.io.dynamodb.aws.AwsClients;
import org.apache.pulsar.io.dynamodb.discovery.DynamoDbTableCatalog;
import org.apache.pulsar.io.dynamodb.stream.StreamStart;
import software.amazon.kinesis.common.InitialPositionInStreamExtended;
import software.amazon.kinesis.coordinator.Scheduler;
import software.amazon.kinesis.lifecycle.TaskResult;
import software.amazon.kinesis.processor.ShardRecordProcessorFactory;
import software.amazon.kinesis.processor.StreamTracker;

/**
 * One stream, by ARN, in KCL's single-stream mode (lease keys are shard ids): awsDynamodbStreamArn's, and the source
 * fails once the stream is disabled and read to its end; or tableName's current stream, and at its end the source
 * follows the table's next stream ({@link Follow}).
 */
final class SingleStream implements KclStreams {

    // How often the stream is described to notice that it was disabled or deleted: one cheap call.
    static final Duration WATCH_INTERVAL = Duration.ofSeconds(10);

    private final DynamoDBSourceConfig config;
    private final AwsClients clients;
    private final ProcessorContext context;
    private final StreamStart start;
    private final Follow follow;
    private final StreamShards shards;
    private volatile StreamWatch watch;

    /**
     * tableName's stream.
     *
     * @param table          the table
     * @param onFinished     told the table's next stream's ARN once this one is read to its end
     * @param createLeases   whether to create the stream's missing leases before the scheduler runs (the stream is
     *                       followed into, and the lease table may still hold the previous stream's leases)
     */
    record Follow(String table, Consumer<String> onFinished, boolean createLeases) {
    }

    /** @param follow null for awsDynamodbStreamArn's stream */
    SingleStream(DynamoDBSourceConfig config, AwsClients clients, ProcessorContext context, StreamStart start,
                 Follow follow) {
        this.config = config;
        this.clients = clients;
        this.context = context;
        this.start = start;
        this.follow = follow;
        this.shards = follow == null ? null : new StreamShards(clients.streams(), config.getAwsDynamodbStreamArn());
    }

    @Override
    public StreamTracker tracker() {
        return StreamsSchedulerFactory.createSingleStreamTracker(
                clients.kclStreamArn(config.getAwsDynamodbStreamArn()),
                InitialPositionInStreamExtended.newInitialPosition(start.initialPosition()));
    }

    @Override
    public ShardRecordProcessorFactory processors() {
        if (follow == null) {
            return () -> new ShardChangeProcessor(context);
        }
        return () -> new StreamShardGuard(new ShardChangeProcessor(context), shards, () -> {
            StreamWatch running = watch;
            if (running != null) {
                running.checkSoon();
            }
        });
    }

    @Override
    public void beforeRun(Scheduler scheduler) {
        // KclStartupPreparation created the stream's leases if the lease table was empty
        if (follow != null && follow.createLeases()) {
            // the scheduler's own shard sync (conditional creates): read now, not after KCL's next periodic sync
            TaskResult result = scheduler.shardSyncTaskManagerProvider()
                    .apply(scheduler.streamTracker().streamConfigList().get(0)).callShardSyncTask();
            if (result.getException() != null) {
                throw new IllegalStateException(result.getException());
            }
        }
    }

    @Override
    public AutoCloseable watch(Scheduler scheduler) {
        StreamWatch started = new StreamWatch(clients.streams(), clients.dynamo(), config.getAwsDynamodbStreamArn(),
                config.getApplicationName(), context.fatal(), follow == null ? null : new StreamWatch.Following(
                        follow.table(), new DynamoDbTableCatalog(clients.dynamo()), shards, follow.onFinished()));
        started.start(WATCH_INTERVAL);
        watch = started;
        return started;
    }

    @Override
    public String describe() {
        return "stream " + config.getAwsDynamodbStreamArn() + (follow == null ? "" : " of table " + follow.table());
    }
}
