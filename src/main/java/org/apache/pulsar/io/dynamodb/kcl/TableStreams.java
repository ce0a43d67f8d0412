package org.apache.pulsar.io.dynamodb.kcl;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.io.dynamodb.DynamoDBSourceConfig;
import org.apache.pulsar.io.dynamodb.aws.AwsClients;
import org.apache.pulsar.io.dynamodb.config.TablesConfig;
import org.apache.pulsar.io.dynamodb.convert.RecordOrigin;
import org.apache.pulsar.io.dynamodb.discovery.DynamoDbTableCatalog;
import org.apache.pulsar.io.dynamodb.discovery.TableCatalog;
import org.apache.pulsar.io.dynamodb.discovery.TableDiscovery;
import org.apache.pulsar.io.dynamodb.discovery.TableState;
import org.apache.pulsar.io.dynamodb.publish.TableRecord;
import org.apache.pulsar.io.dynamodb.stream.StreamStart;
import org.apache.pulsar.io.dynamodb.streamset.ActiveStream;
import org.apache.pulsar.io.dynamodb.streamset.StreamLeases;
import org.apache.pulsar.io.dynamodb.streamset.StreamName;
import org.apache.pulsar.io.dynamodb.streamset.StreamPlanner;
import org.apache.pulsar.io.dynamodb.streamset.TableAdmission;
import org.apache.pulsar.io.dynamodb.streamset.TableGate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.kinesis.common.StreamIdentifier;
import software.amazon.kinesis.coordinator.Scheduler;
import software.amazon.kinesis.lifecycle.TaskResult;
import software.amazon.kinesis.processor.ShardRecordProcessor;
import software.amazon.kinesis.processor.ShardRecordProcessorFactory;
import software.amazon.kinesis.processor.StreamTracker;

/**
 * The streams of several tables on one scheduler (KCL's multi-stream mode): looks at the tables every
 * discoveryInterval, follows each table from stream to stream, and builds each shard's processor for its stream's
 * table and topic. What to read is {@link StreamPlanner}'s decision; this carries it out and reports it.
 */
final class TableStreams implements KclStreams {

    private static final Logger log = LoggerFactory.getLogger(TableStreams.class);
    // A finished stream leaves KCL's list on the leader's next stream check (every 60 s); its leases are deleted
    // only after two of those, so that no periodic shard sync still holding it re-creates them.
    static final Duration LEASE_DELETION_DELAY = Duration.ofSeconds(150);

    private final DynamoDBSourceConfig config;
    private final AwsClients clients;
    private final ProcessorContext base;
    private final TableCatalog catalog;
    private final TableDiscovery discovery;
    private final StreamPlanner planner;
    private final LeaseRows leaseRows;
    private final LiveStreamTracker tracker = new LiveStreamTracker();
    private final TableEvents events;
    private final TableGate gate;
    private final Map<String, ProcessorContext> contexts = new ConcurrentHashMap<>();
    private final Map<StreamName, Long> finishedAt = new HashMap<>();
    private final LeaseDeletions dropped;
    private final LeaseDeletions held;
    private List<ActiveStream> active = List.of();
    private volatile Scheduler scheduler;
    private volatile ScheduledExecutorService timer;

    TableStreams(DynamoDBSourceConfig config, AwsClients clients, ProcessorContext base, StreamStart start,
                 TableCatalog catalog, TableGate gate) {
        this.config = config;
        this.clients = clients;
        this.base = base;
        this.catalog = catalog;
        this.discovery = TableDiscovery.of(config.getTables(), catalog);
        this.planner = new StreamPlanner(start.initialPosition(), clients::kclStreamArn, viewType -> viewType == null
                || config.getOutput().canUse(StreamViewType.fromValue(viewType)));
        this.leaseRows = new LeaseRows(clients.dynamo(), config.getApplicationName());
        this.events = new TableEvents(config.getTables().discoveryIntervalMillis(),
                config.getOutput().outputFormat().name(), selection(config.getTables()));
        this.gate = gate;
        this.dropped = new LeaseDeletions(leaseRows, LEASE_DELETION_DELAY, (stream, deleted) -> log.info("Table {}: "
                + "deleted the {} leases of stream {}, which is no longer read (the table no longer matches {})",
                stream.table(), deleted, clients.realStreamArn(stream.kclArn()), selection(config.getTables())));
        this.held = new LeaseDeletions(leaseRows, LEASE_DELETION_DELAY, (stream, deleted) -> log.info("Table {}: "
                + "deleted the {} leases of stream {} while the table is held for its snapshot, which reads once no "
                + "worker holds one", stream.table(), deleted, clients.realStreamArn(stream.kclArn())));
        gate.onChange(this::lookAgainNow);
    }

    /** What selects the tables, for the log: "tableNamePrefix 'p-'", "tableTag cdc=on", or both. */
    static String selection(TablesConfig tables) {
        List<String> parts = new ArrayList<>();
        if (!tables.tableNamePrefix().isEmpty()) {
            parts.add("tableNamePrefix '" + tables.tableNamePrefix() + "'");
        }
        tables.tagKey().ifPresent(key -> parts.add("tableTag " + key + "=" + tables.tagValue().orElse("")));
        return parts.isEmpty() ? "the listed tables" : String.join(" and ", parts);
    }

    /** Looks at the tables once: fails with one line when the lease table or the tables cannot be read. */
    static TableStreams open(DynamoDBSourceConfig config, AwsClients clients, ProcessorContext base,
                             StreamStart start, TableGate gate) {
        TableStreams streams = new TableStreams(config, clients, base, start,
                new DynamoDbTableCatalog(clients.dynamo()), gate);
        try {
            streams.pass();
        } catch (SdkException e) {
            throw new IllegalStateException("Reading the tables to read (ListTables, DescribeTable) or lease table "
                    + config.getApplicationName() + " failed: " + e.getMessage() + "; check the credentials, "
                    + "dynamoEndpoint and the IAM policy", e);
        }
        return streams;
    }

    @Override
    public StreamTracker tracker() {
        return tracker;
    }

    @Override
    public ShardRecordProcessorFactory processors() {
        return new ShardRecordProcessorFactory() {
            /** The adapter calls this once, to check the processor's type. */
            @Override
            public ShardRecordProcessor shardRecordProcessor() {
                return new ShardChangeProcessor(base);
            }

            @Override
            public ShardRecordProcessor shardRecordProcessor(StreamIdentifier stream) {
                try {
                    return new ShardChangeProcessor(contexts.computeIfAbsent(stream.serialize(),
                            TableStreams.this::context));
                } catch (RuntimeException notNow) {
                    // the table's snapshot runs (or its state cannot be read): a lease left over is not read
                    return new HeldShard(StreamName.ofIdentifier(stream.serialize()).table(), notNow.getMessage());
                }
            }
        };
    }

    private ProcessorContext context(String identifier) {
        StreamName name = StreamName.ofIdentifier(identifier);
        TablesConfig tables = config.getTables();
        RecordOrigin origin = new RecordOrigin(name.table(), config.getStreamArnRegion(),
                clients.realStreamArn(name.kclArn()), null);
        return base.forStream(origin, TableRecord.sinkFor(name.table(), tables.namesTableInMessages(),
                tables.topicFor(name.table()), base.sink()), gate.skipFor(name.table()));
    }

    @Override
    public void beforeRun(Scheduler built) {
        this.scheduler = built;
        createMissingLeases(activeStreams(), leaseRows.byStream());
    }

    @Override
    public AutoCloseable watch(Scheduler running) {
        this.scheduler = running;
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "dynamodb-tables-" + config.getApplicationName());
            thread.setDaemon(true);
            return thread;
        });
        long interval = config.getTables().discoveryIntervalMillis();
        timer.scheduleWithFixedDelay(this::passQuietly, interval, interval, TimeUnit.MILLISECONDS);
        this.timer = timer;
        return timer::shutdownNow;
    }

    /** A table's snapshot completed: its stream is read from the next look, made now rather than in an interval. */
    private void lookAgainNow() {
        ScheduledExecutorService running = timer;
        if (running != null && !running.isShutdown()) {
            running.execute(this::passQuietly);
        }
    }

    @Override
    public String describe() {
        return "tables " + activeStreams().stream().map(s -> s.name().table()).distinct().toList();
    }

    private void passQuietly() {
        try {
            pass();
        } catch (RuntimeException e) {
            log.warn("Looking at the tables failed ({}); trying again in {} ms", e.toString(),
                    config.getTables().discoveryIntervalMillis());
        }
    }

    /** One look at the tables: what to read from now on. */
    synchronized void pass() {
        SortedSet<String> discovered = discovery.tables();
        Set<String> described = new TreeSet<>(discovered);
        active.forEach(stream -> described.add(stream.name().table()));
        Map<String, StreamLeases> leases = leaseRows.byStream();
        leases.keySet().forEach(id -> described.add(StreamName.ofIdentifier(id).table()));
        Map<String, TableState> states = new HashMap<>();
        for (String table : described) {
            try {
                states.put(table, catalog.describe(table));
            } catch (SdkException e) {
                log.warn("DescribeTable of table {} failed ({}); trying again in {} ms", table, e.getMessage(),
                        config.getTables().discoveryIntervalMillis());
            }
        }
        Map<String, TableAdmission> admissions = admissions(discovered, states, leases);
        // a held table's next shards ask the gate again (a new snapshot generation, a new skip time)
        contexts.keySet().removeIf(id -> admissions.getOrDefault(StreamName.ofIdentifier(id).table(),
                TableAdmission.OPEN).held());
        StreamPlanner.Plan plan = planner.plan(discovered, states, leases, active, admissions);
        active = plan.streams();
        tracker.set(active);
        events.report(plan.events(), states, now -> finishedAt.putIfAbsent(now.stream(), System.nanoTime()));
        for (StreamName ended : plan.ended()) {
            if (finishedAt.putIfAbsent(ended, System.nanoTime()) == null) {
                log.info("Table {}: stream {} was read to its end before this instance started; its leases are "
                        + "deleted once no longer needed", ended.table(), clients.realStreamArn(ended.kclArn()));
            }
        }
        dropped.toDelete(plan.dropped());  // forgotten when selected again, or its leases are gone
        held.toDelete(plan.held());
        log.debug("Looked at the tables: {} selected, {} streams read", discovered.size(), active.size());
        if (scheduler != null) {
            createMissingLeases(active, leases);
            deleteFinishedLeases(states, leases);
            dropped.deleteDue();
            held.deleteDue();
        }
    }

    /** The gate's answer for each selected table with a stream. */
    private Map<String, TableAdmission> admissions(Set<String> discovered, Map<String, TableState> states,
                                                   Map<String, StreamLeases> leases) {
        Set<String> read = new HashSet<>();
        leases.keySet().forEach(id -> read.add(StreamName.ofIdentifier(id).table()));
        Map<String, TableAdmission> admissions = new HashMap<>();
        for (String table : discovered) {
            TableState state = states.get(table);
            if (state != null && state.stream().isPresent()) {
                admissions.put(table, gate.admit(table, read.contains(table)));
            }
        }
        return admissions;
    }

    private synchronized List<ActiveStream> activeStreams() {
        return active;
    }

    /**
     * Creates the leases of streams that have none with the scheduler's own shard sync (conditional writes, safe
     * from every instance): read within seconds, not after the leader's next 60 s look at the list.
     */
    private void createMissingLeases(List<ActiveStream> streams, Map<String, StreamLeases> leases) {
        for (ActiveStream stream : streams) {
            if (leases.containsKey(stream.name().identifier())) {
                continue;
            }
            TaskResult result = scheduler.shardSyncTaskManagerProvider().apply(LiveStreamTracker.config(stream))
                    .callShardSyncTask();
            if (result.getException() != null) {
                log.warn("Creating the leases of stream {} of table {} failed ({}); KCL creates them within a "
                        + "minute", stream.name().kclArn(), stream.name().table(), result.getException().toString());
            }
        }
    }

    /**
     * Deletes a finished stream's leases once KCL can no longer re-create them, and once they are no longer the
     * source's memory that it has been reading the table (the table is gone, or a newer stream has leases).
     */
    private void deleteFinishedLeases(Map<String, TableState> states, Map<String, StreamLeases> leases) {
        List<StreamName> done = new ArrayList<>();
        Set<String> tablesWithNewer = new HashSet<>();
        for (ActiveStream stream : active) {
            if (leases.containsKey(stream.name().identifier())) {
                tablesWithNewer.add(stream.name().table());
            }
        }
        finishedAt.forEach((stream, at) -> {
            TableState state = states.get(stream.table());
            boolean tableGone = state != null && !state.exists();
            if (System.nanoTime() - at >= LEASE_DELETION_DELAY.toNanos()
                    && (tableGone || tablesWithNewer.contains(stream.table()))) {
                int deleted = leaseRows.deleteEnded(stream.identifier());
                log.info("Table {}: deleted the {} leases of finished stream {}", stream.table(), deleted,
                        clients.realStreamArn(stream.kclArn()));
                done.add(stream);
            }
        });
        done.forEach(finishedAt::remove);
    }
}
