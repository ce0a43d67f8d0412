package org.apache.pulsar.io.dynamodb.kcl;

import com.amazonaws.services.dynamodbv2.streamsadapter.AmazonDynamoDBStreamsAdapterClient;
import com.amazonaws.services.dynamodbv2.streamsadapter.DynamoDBStreamsSleepTimeController;
import com.amazonaws.services.dynamodbv2.streamsadapter.StreamsSchedulerFactory;
import com.amazonaws.services.dynamodbv2.streamsadapter.polling.DynamoDBStreamsPollingConfig;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pulsar.functions.api.Record;
import org.apache.pulsar.io.dynamodb.DynamoDBSourceConfig;
import org.apache.pulsar.io.dynamodb.aws.AwsClients;
import org.apache.pulsar.io.dynamodb.convert.RecordConverter;
import org.apache.pulsar.io.dynamodb.convert.RecordOrigin;
import org.apache.pulsar.io.dynamodb.exactlyonce.Sequencing;
import org.apache.pulsar.io.dynamodb.filter.RecordFilter;
import org.apache.pulsar.io.dynamodb.kcl.bootstrap.KclStartupPreparation;
import org.apache.pulsar.io.dynamodb.kcl.bootstrap.StartupPreparation;
import org.apache.pulsar.io.dynamodb.metrics.SourceMetrics;
import org.apache.pulsar.io.dynamodb.stream.RetentionGapHandler;
import org.apache.pulsar.io.dynamodb.stream.StreamStart;
import org.apache.pulsar.io.dynamodb.streamset.TableGate;
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

/**
 * Reads DynamoDB streams with one KCL 3 scheduler through the DynamoDB Streams Kinesis adapter: one stream
 * ({@link SingleStream}), or the streams of tables ({@link TableStreams}).
 */
public final class KclChangeStream implements GatedChangeStream {

    private static final Logger log = LoggerFactory.getLogger(KclChangeStream.class);
    // DynamoDB Streams returns at most 1000 records per GetRecords call.
    private static final int MAX_RECORDS_PER_POLL = 1000;
    private static final Duration SHUTDOWN_ACK_WAIT = Duration.ofSeconds(5);
    // A worker finds a lease assigned to it every half of this (lease discovery), and the leader reassigns expired
    // leases every one of it: a new application's first lease and a dead worker's take up to that long more.
    private static final Duration LEASE_ASSIGNMENT_INTERVAL = Duration.ofSeconds(2);
    // A shard consumer moves one state per pass of the scheduler's loop (KCL's default sleeps 1 s between passes):
    // three passes from an assigned lease to the first GetRecords. A pass sends no request.
    private static final Duration DISPATCH_POLL_INTERVAL = Duration.ofMillis(200);
    private static final Duration LEADER_LOCK_LEASE = Duration.ofSeconds(30);
    private static final Duration LEADER_LOCK_HEARTBEAT = Duration.ofSeconds(10);
    private static final Duration GRACEFUL_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration THREAD_EXIT_TIMEOUT = Duration.ofSeconds(10);

    private final DynamoDBSourceConfig config;
    private final AwsClients clients;
    private final String workerId;
    private final Consumer<Throwable> fatal;
    private final KclStreams streams;
    private final RetentionGapHandler gaps;
    private final AtomicBoolean stopping = new AtomicBoolean();
    // A shard stopped at a retention gap never initialises, and KCL's graceful shutdown would wait for it in vain.
    private final AtomicBoolean stoppedAtGap = new AtomicBoolean();
    private final AtomicReference<Throwable> initializationFailure = new AtomicReference<>();
    private final Object lifecycle = new Object();
    private final CompletableFuture<Scheduler> building;
    private Scheduler scheduler;
    private StartupPreparation preparation;
    private Thread schedulerThread;
    private boolean schedulerRunning; // guarded by lifecycle
    private AutoCloseable watch;

    /** Reads the stream awsDynamodbStreamArn names (or tableName's, found at open). */
    public KclChangeStream(DynamoDBSourceConfig config, AwsClients clients, String workerId,
                           RecordFilter filter, RecordConverter converter, Consumer<Record<byte[]>> sink,
                           Consumer<Throwable> fatal, StreamStart start, RetentionGapHandler gaps,
                           SourceMetrics metrics) {
        this(config, clients, workerId, filter, converter, sink, fatal, start, gaps, metrics, Sequencing.AT_LEAST_ONCE);
    }

    /** @param sequencing how shards number their messages (effectively-once) */
    public KclChangeStream(DynamoDBSourceConfig config, AwsClients clients, String workerId,
                           RecordFilter filter, RecordConverter converter, Consumer<Record<byte[]>> sink,
                           Consumer<Throwable> fatal, StreamStart start, RetentionGapHandler gaps,
                           SourceMetrics metrics, Sequencing sequencing) {
        this(config, clients, workerId, filter, converter, sink, fatal, start, gaps, metrics, sequencing,
                context -> new SingleStream(config, clients, context, start, null));
    }

    /**
     * Reads tableName's stream (the configuration's ARN, one of the table's streams) and, once it is read to its end,
     * tells {@code follow} the table's next stream instead of failing.
     */
    static KclChangeStream following(DynamoDBSourceConfig config, AwsClients clients, String workerId,
                                     RecordFilter filter, RecordConverter converter, Consumer<Record<byte[]>> sink,
                                     Consumer<Throwable> fatal, StreamStart start, RetentionGapHandler gaps,
                                     SourceMetrics metrics, Sequencing sequencing, SingleStream.Follow follow) {
        return new KclChangeStream(config, clients, workerId, filter, converter, sink, fatal, start, gaps, metrics,
                sequencing, context -> new SingleStream(config, clients, context, start, follow));
    }

    /**
     * Reads the streams of the tables the configuration names or discovers, on one scheduler in KCL's
     * multi-stream mode. Looks at the tables once before returning: fails with one line when they cannot be read.
     *
     * @param gate whether each table's stream may be read yet ({@link TableGate#OPEN} without snapshots)
     */
    public static KclChangeStream forTables(DynamoDBSourceConfig config, AwsClients clients, String workerId,
                                            RecordFilter filter, RecordConverter converter,
                                            Consumer<Record<byte[]>> sink, Consumer<Throwable> fatal,
                                            StreamStart start, RetentionGapHandler gaps,
                                            SourceMetrics metrics, Sequencing sequencing, TableGate gate) {
        return new KclChangeStream(config, clients, workerId, filter, converter, sink, fatal, start, gaps, metrics,
                sequencing, context -> TableStreams.open(config, clients, context, start, gate));
    }

    private KclChangeStream(DynamoDBSourceConfig config, AwsClients clients, String workerId,
                            RecordFilter filter, RecordConverter converter, Consumer<Record<byte[]>> sink,
                            Consumer<Throwable> fatal, StreamStart start, RetentionGapHandler gaps,
                            SourceMetrics metrics, Sequencing sequencing,
                            Function<ProcessorContext, KclStreams> streamsFor) {
        this.config = config;
        this.clients = clients;
        this.workerId = workerId;
        this.fatal = fatal;
        this.gaps = gap -> {
            try {
                gaps.onGap(gap);
            } catch (RuntimeException stop) {
                stoppedAtGap.set(gaps.stopsSource());
                throw stop;
            }
        };
        ProcessorSettings settings = new ProcessorSettings(
                Duration.ofMillis(config.getCheckpointInterval()),
                config.getNumRetries(),
                Duration.ofMillis(config.getBackoffTime()),
                start.skipCreatedBefore(),
                SHUTDOWN_ACK_WAIT);
        RecordOrigin origin = config.getAwsDynamodbStreamArn().isEmpty() ? null : new RecordOrigin(
                config.getStreamTableName(), config.getStreamArnRegion(), config.getAwsDynamodbStreamArn(), null);
        this.streams = streamsFor.apply(new ProcessorContext(filter, converter, origin, sink,
                new Semaphore(config.getReceiveQueueSize()), settings, stopping::get, fatal, metrics, sequencing));
        // KCL's classes take most of a second to load in a fresh JVM: the scheduler (no request) is built while
        // the source checks the stream, and started by start(). The same thread then loads the SDK's region
        // metadata, which the scheduler would otherwise load on its own critical path.
        this.building = CompletableFuture.supplyAsync(this::buildScheduler, task -> {
            Thread thread = new Thread(() -> {
                task.run();
                loadRegionMetadata(config.getSigningRegion());
            }, "dynamodb-kcl-build-" + config.getApplicationName());
            thread.setDaemon(true);
            thread.start();
        });
    }

    /** The scheduler built since construction, once it is built. */
    Scheduler builtScheduler() {
        try {
            return building.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }

    @Override
    public void start() {
        startWhen(CompletableFuture.completedFuture(null));
    }

    @Override
    public void startWhen(CompletableFuture<Void> go) {
        scheduler = builtScheduler();
        preparation = KclStartupPreparation.forScheduler(scheduler, () -> awaitGo(go));
        schedulerThread = new Thread(() -> runScheduler(go), "dynamodb-kcl-" + config.getApplicationName());
        schedulerThread.setDaemon(true);
        schedulerThread.start();
        watch = streams.watch(scheduler);
        log.info("KCL scheduler started: application {}, worker {}, {}", config.getApplicationName(),
                workerId, streams.describe());
    }

    private void runScheduler(CompletableFuture<Void> go) {
        try {
            preparation.prepare();
        } catch (InterruptedException e) {
            return; // closed while preparing: the scheduler never ran
        } catch (RuntimeException e) {
            if (go.isCompletedExceptionally()) {
                return; // the source's check failed: open() reports it
            }
            if (!stopping.get()) {
                log.warn("Preparing KCL application {} failed ({}); KCL prepares it itself, which takes longer",
                        config.getApplicationName(), rootMessage(e));
            }
        }
        try {
            awaitGo(go);
        } catch (InterruptedException | IllegalStateException e) {
            return; // closed, or the source's check failed: the scheduler never ran
        }
        try {
            streams.beforeRun(scheduler);
        } catch (RuntimeException e) {
            if (!stopping.get()) {
                log.warn("Creating the leases of new streams of KCL application {} failed ({}); KCL creates them "
                        + "itself, which takes longer", config.getApplicationName(), rootMessage(e));
            }
        }
        synchronized (lifecycle) {
            if (stopping.get()) {
                return;
            }
            schedulerRunning = true;
        }
        try {
            scheduler.run();
        } catch (RuntimeException | Error e) {
            initializationFailure.compareAndSet(null, e);
        }
        if (!stopping.get()) {
            Throwable cause = initializationFailure.get();
            String message = "KCL scheduler for " + streams.describe() + " stopped unexpectedly"
                    + (cause == null ? "" : ": " + rootMessage(cause));
            log.error(message, cause);
            fatal.accept(new IllegalStateException(message, cause));
        }
    }

    /** Builds the scheduler, tuned for start-up; sends no request. */
    private Scheduler buildScheduler() {
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
                .workerStateChangeListener(new FailureListener());
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

    /** Waits for the source's go-ahead; a failed check ends the wait with IllegalStateException. */
    private static void awaitGo(CompletableFuture<Void> go) throws InterruptedException {
        try {
            go.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("not started: " + e.getCause(), e.getCause());
        }
    }

    /**
     * The adapter reads the stream region's partition (KinesisMapperUtil) when it makes a shard's consumer and when it
     * syncs shards, and the SDK's first metadata lookup loads the metadata of every region and service: about 360
     * classes, which took 0.6 to 2.3 s on a busy 2-core machine, on a restart between its lease and its first record.
     * Loaded here, ahead, it is one map lookup then.
     */
    private static void loadRegionMetadata(Region region) {
        try {
            RegionMetadata.of(region);
        } catch (RuntimeException e) {
            log.debug("Loading the SDK's region metadata ahead failed; it loads when first needed", e);
        }
    }

    @Override
    public void close() {
        stopping.set(true);
        if (watch != null) {
            try {
                watch.close();
            } catch (Exception e) {
                log.warn("Stopping the stream watch failed: {}", e.toString());
            }
        }
        if (scheduler == null) {
            // Never started: release what building the scheduler made.
            building.thenAccept(Scheduler::shutdown);
            return;
        }
        boolean running;
        synchronized (lifecycle) {
            running = schedulerRunning;
        }
        if (!running) {
            // Still preparing (or never started): stop that, and release what the scheduler's constructor made.
            schedulerThread.interrupt();
            joinSchedulerThread();
            scheduler.shutdown();
            return;
        }
        if (stoppedAtGap.get()) {
            scheduler.shutdown();
            joinSchedulerThread();
            return;
        }
        try {
            Boolean done = scheduler.startGracefulShutdown()
                    .get(GRACEFUL_SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            log.info("KCL scheduler shut down gracefully: {}", done);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            scheduler.shutdown();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("KCL graceful shutdown did not complete ({}); forcing it", e.toString());
            scheduler.shutdown();
        }
        joinSchedulerThread();
    }

    private void joinSchedulerThread() {
        try {
            schedulerThread.join(THREAD_EXIT_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String rootMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    /** Keeps the cause KCL gives when it stops retrying initialisation, so the source can report it. */
    private final class FailureListener implements WorkerStateChangeListener {
        @Override
        public void onWorkerStateChange(WorkerState newState) {
            log.debug("KCL worker state: {}", newState);
        }

        @Override
        public void onAllInitializationAttemptsFailed(Throwable e) {
            initializationFailure.set(e);
        }
    }
}
