package org.apache.pulsar.io.dynamodb.snapshot;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.function.BiFunction;
import org.apache.pulsar.functions.api.Record;
import org.apache.pulsar.io.dynamodb.DynamoDBSourceConfig;
import org.apache.pulsar.io.dynamodb.aws.AwsClients;
import org.apache.pulsar.io.dynamodb.config.SnapshotMode;
import org.apache.pulsar.io.dynamodb.config.TablesConfig;
import org.apache.pulsar.io.dynamodb.convert.RecordConverter;
import org.apache.pulsar.io.dynamodb.exactlyonce.Sequencing;
import org.apache.pulsar.io.dynamodb.metrics.SourceMetrics;
import org.apache.pulsar.io.dynamodb.publish.PublishContext;
import org.apache.pulsar.io.dynamodb.publish.TableRecord;
import org.apache.pulsar.io.dynamodb.stream.ChangeStream;
import org.apache.pulsar.io.dynamodb.stream.RetentionGapHandler;
import org.apache.pulsar.io.dynamodb.stream.RetentionGaps;
import org.apache.pulsar.io.dynamodb.stream.StreamStart;
import org.apache.pulsar.io.dynamodb.streamset.TableAdmission;
import org.apache.pulsar.io.dynamodb.streamset.TableGate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The change stream of a source of several tables with snapshotMode INITIAL or WHEN_NEEDED: every table's
 * snapshot, then its stream, while the tables already snapshotted stream on. The tables' streams run on one KCL scheduler from the
 * start; as its {@link TableGate}, this holds back each table whose snapshot is not complete and snapshots such
 * tables one after the other (in the order they were found; the instances share each table's segments as with one
 * table). A table's state rows sit under its name in {@code <applicationName>-Snapshot}. The handoff is the one of
 * {@link SnapshotThenStream}: the table's stream is read only once its generation is COMPLETE, from the oldest
 * record, skipping records created before its T0 minus {@link SnapshotThenStream#HANDOFF_MARGIN}.
 *
 * <p>A table whose streams this application read before without a snapshot (its leases exist, no snapshot row) is
 * not snapshotted: its stream is read on from its checkpoints, and a WARN says so once.
 *
 * With WHEN_NEEDED a retention gap on one table holds that table again for its next generation
 * ({@link TableResnapshots}).
 */
public final class TableSnapshots implements ChangeStream, TableGate, TableResnapshots.Tables {

    private static final Logger log = LoggerFactory.getLogger(TableSnapshots.class);

    private final DynamoDBSourceConfig config;
    private final AwsClients clients;
    private final SnapshotTable state;
    private final Instance instance;
    private final Outputs outputs;
    private final Clock clock;
    private final Map<String, Cover> covered = new ConcurrentHashMap<>();
    private final Set<String> readWithoutSnapshot = ConcurrentHashMap.newKeySet();
    private final Set<String> queued = new LinkedHashSet<>();   // guarded by queued; queued or being snapshotted
    private final Semaphore snapshotPermits;
    private volatile Runnable lookAgain = () -> { };
    private volatile boolean closed;
    private ChangeStream stream;
    private Thread runner;
    private TableResnapshots resnapshots;   // WHEN_NEEDED only

    /** A table read after its snapshot's generation, skipping records created before {@code skip}. */
    private record Cover(long generation, Instant skip) { }

    /** This instance of the source: its KCL worker id, index and the instance count. */
    public record Instance(String workerId, int instanceId, int numInstances) {
    }

    /** Where snapshot reads go and what they share with the stream. */
    public record Outputs(RecordConverter converter, Consumer<Record<byte[]>> sink, RetentionGaps gaps,
                          Consumer<Throwable> fatal, SourceMetrics metrics, Sequencing sequencing) {
    }

    TableSnapshots(DynamoDBSourceConfig config, AwsClients clients, SnapshotTable state, Instance instance,
                   Outputs outputs, Clock clock) {
        this.config = config;
        this.clients = clients;
        this.state = state;
        this.instance = instance;
        this.outputs = outputs;
        this.clock = clock;
        this.snapshotPermits = new Semaphore(config.getReceiveQueueSize());
    }

    /**
     * Creates the snapshot table if missing (fails with one line when DynamoDB refuses it) and builds the tables'
     * stream with {@code streams}, handing it this as its gate, and what answers a retention gap.
     */
    public static TableSnapshots open(DynamoDBSourceConfig config, AwsClients clients, Instance instance,
                                      Outputs outputs, BiFunction<TableGate, RetentionGapHandler, ChangeStream> streams) {
        Clock clock = Clock.systemUTC();
        TableSnapshots snapshots = new TableSnapshots(config, clients, SnapshotSetup.stateTable(config, clients, clock),
                instance, outputs, clock);
        RetentionGapHandler onGap = outputs.gaps();
        if (config.getSnapshot().mode() == SnapshotMode.WHEN_NEEDED) {
            snapshots.resnapshots = new TableResnapshots(snapshots.state, snapshots, outputs.gaps(),
                    config.getSnapshot().segments(), clock);
            onGap = snapshots.resnapshots;
        }
        snapshots.stream = streams.apply(snapshots, onGap);
        return snapshots;
    }

    @Override
    public TableAdmission admit(String table, boolean readBefore) {
        Cover cover = covered.get(table);
        if (cover != null) {
            return TableAdmission.afterSnapshot(cover.skip());
        }
        if (readWithoutSnapshot.contains(table)) {
            return TableAdmission.OPEN;
        }
        Optional<SnapshotState> row;
        try {
            row = state.forTable(table).read();
        } catch (SdkException e) {
            log.warn("Table {}: reading its snapshot state in {} failed ({}); its stream waits for the next look",
                    table, state.name(), e.toString());
            return TableAdmission.HELD;
        }
        if (row.isPresent() && row.get().complete()) {
            return TableAdmission.afterSnapshot(cover(table, row.get()));
        }
        if (row.isEmpty() && readBefore) {
            readWithoutSnapshot.add(table);
            log.warn("Table {}: application {} read its stream before without a snapshot (its KCL leases exist), so "
                    + "snapshotMode {} does not snapshot it: its stream is read on from the checkpoints. To snapshot "
                    + "it, read it with a new applicationName", table, config.getApplicationName(),
                    config.getSnapshot().mode());
            return TableAdmission.OPEN;
        }
        synchronized (queued) {
            if (queued.add(table)) {
                log.info("Table {}: snapshot {} (snapshotMode {}); its stream is read once the snapshot is complete",
                        table, row.isPresent() ? "generation " + row.get().generation() + " to finish" : "to take",
                        config.getSnapshot().mode());
                queued.notifyAll();
            }
        }
        return TableAdmission.HELD;
    }

    @Override
    public Optional<Instant> skipFor(String table) {
        Cover cover = covered.get(table);
        if (cover != null || readWithoutSnapshot.contains(table)) {
            return Optional.ofNullable(cover).map(Cover::skip);
        }
        Optional<SnapshotState> row = state.forTable(table).read();
        if (row.isPresent() && !row.get().complete()) {
            throw new IllegalStateException("Table " + table + ": its snapshot is not complete; its shards wait");
        }
        return row.map(complete -> cover(table, complete));
    }

    @Override
    public void onChange(Runnable lookAgain) {
        this.lookAgain = lookAgain;
    }

    @Override
    public OptionalLong readAfter(String table) {
        Cover cover = covered.get(table);
        return cover != null ? OptionalLong.of(cover.generation())
                : readWithoutSnapshot.contains(table) ? OptionalLong.of(0) : OptionalLong.empty();
    }

    @Override
    public Set<String> reading() {
        Set<String> reading = new TreeSet<>(covered.keySet());
        reading.addAll(readWithoutSnapshot);
        return reading;
    }

    /** The table is held from the next look at the tables on: it is admitted again once its snapshot completes. */
    @Override
    public void hold(String table) {
        covered.remove(table);
        readWithoutSnapshot.remove(table);
        lookAgain.run();
    }

    /** Records that the table's snapshot is complete; returns the time before which its stream records are skipped. */
    private Instant cover(String table, SnapshotState complete) {
        Instant skip = StreamStart.afterSnapshot(complete.t0().minus(SnapshotThenStream.HANDOFF_MARGIN),
                config.getInitialPositionInStream(), config.getStartAtTime()).skipCreatedBefore().orElseThrow();
        if (covered.putIfAbsent(table, new Cover(complete.generation(), skip)) == null) {
            log.info("Table {}: snapshot generation {} completed {} ({} items): reading its stream from the oldest "
                    + "record, skipping changes created before {}", table, complete.generation(),
                    complete.completedAt(), complete.items(), skip);
        }
        return skip;
    }

    @Override
    public void start() {
        stream.start();
        runner = new Thread(this::snapshotTables, "dynamodb-snapshots-" + config.getApplicationName());
        runner.setDaemon(true);
        runner.start();
        if (resnapshots != null) {
            resnapshots.start(config.getApplicationName());
        }
    }

    /** Snapshots the queued tables one after the other until closed. */
    private void snapshotTables() {
        try {
            while (!closed) {
                String table;
                synchronized (queued) {
                    while (queued.isEmpty()) {
                        queued.wait();
                    }
                    table = queued.iterator().next();
                }
                try {
                    snapshot(table);
                } finally {
                    synchronized (queued) {
                        queued.remove(table);  // if not covered now, the next look at the tables queues it again
                    }
                }
            }
        } catch (InterruptedException closing) {
            Thread.currentThread().interrupt();
        }
    }

    private void snapshot(String table) throws InterruptedException {
        Optional<SnapshotPlan> prepared;
        try {
            prepared = SnapshotSetup.prepareTable(config, clients, state.forTable(table), table, instance.workerId(),
                    instance.instanceId(), instance.numInstances(), clock);
        } catch (RuntimeException e) {
            log.warn("Table {}: preparing its snapshot failed ({}); trying again at the next look at the tables", table,
                    e.toString());
            return;
        }
        if (prepared.isEmpty()) {
            log.info("Table {} has no enabled stream now (or is gone): its snapshot waits until it has one", table);
            return;
        }
        SnapshotPlan plan = prepared.get();
        if (!plan.generation().complete()) {
            read(plan);
        }
        Optional<SnapshotState> complete = plan.state().read().filter(SnapshotState::complete);
        if (complete.isPresent() && !closed) {
            cover(table, complete.get());
            lookAgain.run();
        }
    }

    /** Reads the table's snapshot with the instances that share it; returns once its generation is COMPLETE. */
    private void read(SnapshotPlan plan) throws InterruptedException {
        TableResnapshots.awaitNoticed(plan.generation(), clock);
        TablesConfig tables = config.getTables();
        Consumer<Record<byte[]>> sink = TableRecord.sinkFor(plan.table(), tables.namesTableInMessages(),
                tables.topicFor(plan.table()), outputs.sink());
        PublishContext publishing = new PublishContext(outputs.converter(), sink, snapshotPermits, () -> closed,
                outputs.sequencing());
        CompletableFuture<Void> completed = new CompletableFuture<>();
        // a snapshot that outlived the stream's retention: WHEN_NEEDED begins the next generation and fails the
        // source (a restart, rare: a snapshot of more than 24 hours), the others report it and go on
        RetentionGapHandler onGap = resnapshots == null ? outputs.gaps()
                : new ResnapshotOnGap(plan, outputs.gaps(), outputs.fatal(), clock);
        SnapshotChangeStream snapshot = new SnapshotChangeStream(plan, publishing,
                config.getFilters().snapshotFilter(), onGap, () -> completed.complete(null), outputs.fatal(),
                clock, outputs.metrics());
        snapshot.start();
        try {
            completed.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            snapshot.close();
        }
    }

    @Override
    public void close() {
        closed = true;
        if (resnapshots != null) {
            resnapshots.close();
        }
        if (runner != null) {
            runner.interrupt();
            try {
                runner.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (stream != null) {
            stream.close();
        }
    }
}
