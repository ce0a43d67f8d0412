package org.apache.pulsar.io.dynamodb.kcl;

import com.amazonaws.services.dynamodbv2.streamsadapter.StreamsSchedulerFactory;
import java.time.Duration;
import org.apache.pulsar.io.dynamodb.DynamoDBSourceConfig;
import org.apache.pulsar.io.dynamodb.aws.AwsClients;
import org.apache.pulsar.io.dynamodb.stream.StreamStart;
import software.amazon.kinesis.common.InitialPositionInStreamExtended;
import software.amazon.kinesis.coordinator.Scheduler;
import software.amazon.kinesis.processor.ShardRecordProcessorFactory;
import software.amazon.kinesis.processor.StreamTracker;

/**
 * One stream, by ARN (awsDynamodbStreamArn, or tableName's stream found at open): KCL's single-stream mode and lease
 * keys, and the source fails once the stream is disabled and read to its end.
 */
final class SingleStream implements KclStreams {

    // How often the stream is described to notice that it was disabled or deleted: one cheap call.
    private static final Duration WATCH_INTERVAL = Duration.ofSeconds(10);

    private final DynamoDBSourceConfig config;
    private final AwsClients clients;
    private final ProcessorContext context;
    private final StreamStart start;

    SingleStream(DynamoDBSourceConfig config, AwsClients clients, ProcessorContext context, StreamStart start) {
        this.config = config;
        this.clients = clients;
        this.context = context;
        this.start = start;
    }

    @Override
    public StreamTracker tracker() {
        return StreamsSchedulerFactory.createSingleStreamTracker(
                clients.kclStreamArn(config.getAwsDynamodbStreamArn()),
                InitialPositionInStreamExtended.newInitialPosition(start.initialPosition()));
    }

    @Override
    public ShardRecordProcessorFactory processors() {
        return () -> new ShardChangeProcessor(context);
    }

    @Override
    public void beforeRun(Scheduler scheduler) {
        // KclStartupPreparation created the stream's leases if the lease table was empty
    }

    @Override
    public AutoCloseable watch(Scheduler scheduler) {
        StreamWatch watch = new StreamWatch(clients.streams(), clients.dynamo(), config.getAwsDynamodbStreamArn(),
                config.getApplicationName(), context.fatal());
        watch.start(WATCH_INTERVAL);
        return watch;
    }

    @Override
    public String describe() {
        return "stream " + config.getAwsDynamodbStreamArn();
    }
}
