package org.apache.pulsar.io.dynamodb.snapshot;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.apache.pulsar.functions.api.Record;
import org.apache.pulsar.io.dynamodb.DynamoDBSourceConfig;
import org.apache.pulsar.io.dynamodb.aws.AwsClients;
import org.apache.pulsar.io.dynamodb.config.SnapshotMode;
import org.apache.pulsar.io.dynamodb.convert.RecordConverter;
import org.apache.pulsar.io.dynamodb.exactlyonce.Sequencing;
import org.apache.pulsar.io.dynamodb.filter.RecordFilter;
import org.apache.pulsar.io.dynamodb.metrics.SourceMetrics;
import org.apache.pulsar.io.dynamodb.publish.PublishContext;
import org.apache.pulsar.io.dynamodb.stream.ChangeStream;
import org.apache.pulsar.io.dynamodb.stream.RetentionGapHandler;
import org.apache.pulsar.io.dynamodb.stream.RetentionGaps;
import org.apache.pulsar.io.dynamodb.stream.StreamStart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.StreamDescription;

/**
 * The change stream of a source with snapshotMode INITIAL or WHEN_NEEDED: the table's snapshot, then its stream. The
 * stream starts only once the snapshot's generation is COMPLETE (every item of every instance acknowledged, KCL's
 * leases reset), from the oldest record, skipping records created before T0 minus {@link #HANDOFF_MARGIN}: every
 * change made after the snapshot began is published after every snapshot copy, in stream order, and a change made
 * before is reflected in the copy, read after T0.
 */
public final class SnapshotThenStream implements ChangeStream {

    private static final Logger log = LoggerFactory.getLogger(SnapshotThenStream.class);

    /**
     * Covers ApproximateCreationDateTime's precision (AWS rounds it to the second, DynamoDB Local down to the
     * minute) and clock skew between DynamoDB and this instance: records in the margin are published again, which is
     * harmless, since each item's later changes follow them.
     */
    public static final Duration HANDOFF_MARGIN = Duration.ofMinutes(2);
    /** How often a WHEN_NEEDED instance reading the stream checks whether another began a new snapshot. */
    private static final Duration GENERATION_WATCH = Duration.ofSeconds(10);

    private final SnapshotPlan plan;
    private final ChangeStream stream;
    private final SnapshotChangeStream snapshot;
    private final Consumer<Throwable> fatal;
    private final Object lifecycle = new Object();
    private boolean closed;          // guarded by lifecycle
    private boolean streamStarted;   // guarded by lifecycle
    private ScheduledExecutorService watch;

    private SnapshotThenStream(SnapshotPlan plan, ChangeStream stream, PublishContext publishing, RecordFilter filter,
                               RetentionGapHandler onGap, Consumer<Throwable> fatal, Clock clock,
                               SourceMetrics metrics) {
        this.plan = plan;
        this.stream = stream;
        this.fatal = fatal;
        this.snapshot = plan.generation().complete() ? null
                : new SnapshotChangeStream(plan, publishing, filter, onGap, this::startStream, fatal, clock, metrics);
    }

    /**
     * Prepares the snapshot (see {@link SnapshotSetup}; fails with one line) and builds the stream with
     * {@code streams}, given where it starts and who handles retention gaps.
     */
    public static SnapshotThenStream open(DynamoDBSourceConfig config, AwsClients clients, StreamDescription stream,
                                          String workerId, int instanceId, int numInstances, RecordConverter converter,
                                          Consumer<Record<byte[]>> sink, RetentionGaps gaps, Consumer<Throwable> fatal,
                                          BiFunction<StreamStart, RetentionGapHandler, ChangeStream> streams,
                                          SourceMetrics metrics, Sequencing sequencing) {
        Clock clock = Clock.systemUTC();
        SnapshotPlan plan = SnapshotSetup.prepare(config, clients, stream, workerId, instanceId, numInstances, clock);
        RetentionGapHandler onGap = config.getSnapshot().mode() == SnapshotMode.WHEN_NEEDED
                ? new ResnapshotOnGap(plan, gaps, fatal, clock) : gaps;
        SnapshotState generation = plan.generation();
        ChangeStream changes = streams.apply(StreamStart.afterSnapshot(generation.t0().minus(HANDOFF_MARGIN),
                config.getInitialPositionInStream(), config.getStartAtTime()), onGap);
        // The snapshot's messages hold permits of their own: the stream starts only once they are all acknowledged.
        PublishContext publishing = new PublishContext(converter, sink, new Semaphore(config.getReceiveQueueSize()),
                () -> false, sequencing);
        return new SnapshotThenStream(plan, changes, publishing, config.getFilters().snapshotFilter(), onGap, fatal,
                clock, metrics);
    }

    @Override
    public void start() {
        if (snapshot == null) {
            log.info("Snapshot of table {} (generation {}) completed {}: reading the stream, skipping changes created"
                    + " before {}", plan.table(), plan.generation().generation(), plan.generation().completedAt(),
                    plan.generation().t0().minus(HANDOFF_MARGIN));
            startStream();
        } else {
            snapshot.start();
        }
    }

    private void startStream() {
        synchronized (lifecycle) {
            if (closed || streamStarted) {
                return;
            }
            streamStarted = true;
            stream.start();
            if (plan.settings().mode() == SnapshotMode.WHEN_NEEDED) {
                watch = Executors.newSingleThreadScheduledExecutor(task -> {
                    Thread thread = new Thread(task, "dynamodb-snapshot-watch-" + plan.applicationName());
                    thread.setDaemon(true);
                    return thread;
                });
                watch.scheduleWithFixedDelay(this::checkGeneration, GENERATION_WATCH.toMillis(),
                        GENERATION_WATCH.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Another instance began a new snapshot (it met a retention gap): restart to take part. */
    private void checkGeneration() {
        try {
            long current = plan.state().read().map(SnapshotState::generation).orElse(0L);
            if (current > plan.generation().generation()) {
                String message = "Snapshot generation " + current + " of table " + plan.table() + " was begun by "
                        + "another instance (a retention gap): this instance restarts to read it";
                log.warn(message);
                watch.shutdown();
                fatal.accept(new IllegalStateException(message));
            }
        } catch (SdkException e) {
            log.debug("Reading snapshot table {} failed: {}", plan.state().name(), e.toString());
        }
    }

    @Override
    public void close() {
        synchronized (lifecycle) {
            closed = true;
        }
        if (watch != null) {
            watch.shutdownNow();
        }
        if (snapshot != null) {
            snapshot.close();
        }
        stream.close();
    }
}
