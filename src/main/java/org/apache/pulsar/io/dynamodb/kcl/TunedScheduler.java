package org.apache.pulsar.io.dynamodb.kcl;

import com.amazonaws.services.dynamodbv2.streamsadapter.AmazonDynamoDBStreamsAdapterClient;
import com.amazonaws.services.dynamodbv2.streamsadapter.DynamoDBStreamsSleepTimeController;
import com.amazonaws.services.dynamodbv2.streamsadapter.StreamsSchedulerFactory;
import com.amazonaws.services.dynamodbv2.streamsadapter.polling.DynamoDBStreamsPollingConfig;
import java.time.Duration;
import org.apache.pulsar.io.dynamodb.DynamoDBSourceConfig;
import org.apache.pulsar.io.dynamodb.aws.AwsClients;
import org.apache.pulsar.io.dynamodb.stream.RetentionGapHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.RegionMetadata;
import software.amazon.kinesis.common.ConfigsBuilder;
import software.amazon.kinesis.coordinator.CoordinatorConfig;
import software.amazon.kinesis.coordinator.Scheduler;
import software.amazon.kinesis.coordinator.WorkerStateChangeListener;
import software.amazon.kinesis.leases.LeaseManagementConfig;
import software.amazon.kinesis.lifecycle.LifecycleConfig;
import software.amazon.kinesis.metrics.MetricsConfig;
import software.amazon.kinesis.metrics.MetricsLevel;
import software.amazon.kinesis.metrics.NullMetricsFactory;
import software.amazon.kinesis.processor.ProcessorConfig;
import software.amazon.kinesis.retrieval.RetrievalConfig;

/** Builds the KCL scheduler of a source, tuned to start in seconds (see kcl.bootstrap); sends no request. */
final class TunedScheduler {

    private static final Logger log = LoggerFactory.getLogger(TunedScheduler.class);
    // DynamoDB Streams returns at most 1000 records per GetRecords call.
    private static final int MAX_RECORDS_PER_POLL = 1000;
    // A worker finds a lease assigned to it every half of this (lease discovery), and the leader reassigns expired
    // leases every one of it: a new application's first lease and a dead worker's take up to that long more.
    static final Duration LEASE_ASSIGNMENT_INTERVAL = Duration.ofSeconds(2);
    // A shard consumer moves one state per pass of the scheduler's loop (KCL's default sleeps 1 s between passes):
    // three passes from an assigned lease to the first GetRecords. A pass sends no request.
    static final Duration DISPATCH_POLL_INTERVAL = Duration.ofMillis(100);
    private static final Duration LEADER_LOCK_LEASE = Duration.ofSeconds(30);
    private static final Duration LEADER_LOCK_HEARTBEAT = Duration.ofSeconds(10);

    private final DynamoDBSourceConfig config;
    private final AwsClients clients;
    private final String workerId;
    private final RetentionGapHandler gaps;
    private final WorkerStateChangeListener listener;

    TunedScheduler(DynamoDBSourceConfig config, AwsClients clients, String workerId, RetentionGapHandler gaps,
                   WorkerStateChangeListener listener) {
        this.config = config;
        this.clients = clients;
        this.workerId = workerId;
        this.gaps = gaps;
        this.listener = listener;
    }

    /** A scheduler reading {@code streams}' streams with their processors. */
    Scheduler build(KclStreams streams) {
        AmazonDynamoDBStreamsAdapterClient adapterClient = new DirectRecordsAdapterClient(clients.streams(),
                config.getSigningRegion(), clients::realStreamArn, gaps);
        ConfigsBuilder configs = new ConfigsBuilder(streams.tracker(), config.getApplicationName(), adapterClient,
                clients.dynamo(), clients.cloudWatch(), workerId, streams.processors());

        // leaseManagementConfig() builds a new object on every call: tune and pass this one reference.
        // The adapter forces these three anyway (and warns); set here they take effect from the start.
        LeaseManagementConfig leases = configs.leaseManagementConfig()
                .shardSyncIntervalMillis(0)
                .leasesRecoveryAuditorInconsistencyConfidenceThreshold(0)
                // KCL's default (twice the 10 s failover time) lets a new worker wait 20 s for a second
                // assignment pass, since the first one runs before the worker has reported its metrics.
                .leaseAssignmentIntervalMillis(LEASE_ASSIGNMENT_INTERVAL.toMillis())
                // Only the leader reassigns a dead worker's leases; when the dead worker was the leader, the
                // others wait for its lock to expire first (120 s by default).
                .dynamoDbLockBasedLeaderLeaseDurationInMillis(LEADER_LOCK_LEASE.toMillis())
                .dynamoDbLockBasedLeaderHeartbeatPeriodInMillis(LEADER_LOCK_HEARTBEAT.toMillis());
        // Host CPU says little about a Pulsar instance's load, and selecting it probes EC2 instance metadata in the
        // Scheduler's constructor (up to 10 s off EC2): leases are balanced by throughput instead.
        leases.workerUtilizationAwareAssignmentConfig().disableWorkerMetrics(true);
        // No idle wait after a full batch: a backlog drains at the stream's pace, not one batch per pollInterval.
        DynamoDBStreamsPollingConfig polling = new BacklogAwarePollingConfig(adapterClient)
                .idleTimeBetweenReadsInMillis(config.getPollInterval());
        polling.maxRecords(MAX_RECORDS_PER_POLL);
        polling.sleepTimeController(new DynamoDBStreamsSleepTimeController());
        RetrievalConfig retrieval = configs.retrievalConfig().retrievalSpecificConfig(polling);
        CoordinatorConfig coordinator = configs.coordinatorConfig()
                .skipShardSyncAtWorkerInitializationIfLeasesExist(true)
                .shardConsumerDispatchPollIntervalMillis(DISPATCH_POLL_INTERVAL.toMillis())
                .workerStateChangeListener(listener);
        LifecycleConfig lifecycle = configs.lifecycleConfig()
                .taskBackoffTimeMillis(config.getBackoffTime());
        MetricsConfig metrics = configs.metricsConfig().metricsLevel(config.getMetricsLevel());
        if (config.getMetricsLevel() == MetricsLevel.NONE) {
            metrics.metricsFactory(new NullMetricsFactory());
        }
        // Called on every poll, even empty ones, so idle shards still checkpoint and republish failures.
        ProcessorConfig processor = configs.processorConfig().callProcessRecordsEvenForEmptyRecordList(true);

        return StreamsSchedulerFactory.createScheduler(configs.checkpointConfig(), coordinator, leases, lifecycle,
                metrics, processor, retrieval, adapterClient);
    }

    /**
     * The adapter reads the stream region's partition (KinesisMapperUtil) when it makes a shard's consumer and when it
     * syncs shards, and the SDK's first metadata lookup loads the metadata of every region and service: about 360
     * classes, which took 0.6 to 2.3 s on a busy 2-core machine, on a restart between its lease and its first record.
     * Loaded ahead, off that path, it is one map lookup then.
     */
    static void loadRegionMetadata(Region region) {
        try {
            RegionMetadata.of(region);
        } catch (RuntimeException e) {
            log.debug("Loading the SDK's region metadata ahead failed; it loads when first needed", e);
        }
    }
}
