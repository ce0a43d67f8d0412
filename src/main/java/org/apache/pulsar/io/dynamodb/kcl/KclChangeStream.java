package org.apache.pulsar.io.dynamodb.kcl;

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
import software.amazon.kinesis.coordinator.Scheduler;
import software.amazon.kinesis.coordinator.WorkerStateChangeListener;

/**
 * Reads DynamoDB streams with one KCL 3 scheduler through the DynamoDB Streams Kinesis adapter: one stream
 * ({@link SingleStream}), or the streams of tables ({@link TableStreams}).
 */
public final class KclChangeStream implements GatedChangeStream {

    private static final Logger log = LoggerFactory.getLogger(KclChangeStream.class);
    private static final Duration SHUTDOWN_ACK_WAIT = Duration.ofSeconds(5);
    private static final Duration GRACEFUL_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration THREAD_EXIT_TIMEOUT = Duration.ofSeconds(10);

    private final DynamoDBSourceConfig config;
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
        TunedScheduler tuned = new TunedScheduler(config, clients, workerId, this.gaps, new FailureListener());
        this.building = CompletableFuture.supplyAsync(() -> tuned.build(streams), task -> {
            Thread thread = new Thread(() -> {
                task.run();
                TunedScheduler.loadRegionMetadata(config.getSigningRegion());
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

    /** Waits for the source's go-ahead; a failed check ends the wait with IllegalStateException. */
    private static void awaitGo(CompletableFuture<Void> go) throws InterruptedException {
        try {
            go.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("not started: " + e.getCause(), e.getCause());
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
