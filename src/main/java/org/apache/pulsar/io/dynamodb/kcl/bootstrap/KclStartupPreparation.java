package org.apache.pulsar.io.dynamodb.kcl.bootstrap;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.kinesis.common.StreamConfig;
import software.amazon.kinesis.coordinator.Scheduler;
import software.amazon.kinesis.leases.LeaseManagementConfig;
import software.amazon.kinesis.leases.LeaseRefresher;
import software.amazon.kinesis.leases.exceptions.LeasingException;
import software.amazon.kinesis.lifecycle.TaskResult;
import software.amazon.kinesis.worker.metricstats.WorkerMetricStats;
import software.amazon.kinesis.worker.metricstats.WorkerMetricStatsDAO;

/**
 * Prepares a built, not yet running KCL 3 scheduler's application so that its first record comes in seconds (the
 * package documentation says which waits it avoids and why). Everything it writes is what KCL writes itself, with
 * KCL's own code where KCL has it: the shard sync is the scheduler's own, and its lease creation is conditional.
 */
public final class KclStartupPreparation implements StartupPreparation {

    private static final Logger log = LoggerFactory.getLogger(KclStartupPreparation.class);
    /** How often table status is polled while a table or index is being created (AWS: seconds; DynamoDB Local: none). */
    private static final Duration POLL = Duration.ofMillis(250);
    /** As long as KCL itself waits for its tables. */
    private static final Duration TABLES_TIMEOUT = Duration.ofMinutes(10);

    private final String application;
    private final List<CreateTableRequest> tables;
    private final TableReadiness readiness;
    private final LeaseRefresher leases;
    private final ShardSync shardSync;
    private final WorkerMetricStatsDAO workerMetrics;
    private final String workerId;
    private final WriteGate beforeWrites;

    /** One run of the scheduler's shard sync: lists the stream's shards and creates their missing leases. */
    @FunctionalInterface
    interface ShardSync {
        void run() throws Exception;
    }

    KclStartupPreparation(String application, List<CreateTableRequest> tables, TableReadiness readiness,
                          LeaseRefresher leases, ShardSync shardSync, WorkerMetricStatsDAO workerMetrics,
                          String workerId, WriteGate beforeWrites) {
        this.application = application;
        this.tables = tables;
        this.readiness = readiness;
        this.leases = leases;
        this.shardSync = shardSync;
        this.workerMetrics = workerMetrics;
        this.workerId = workerId;
        this.beforeWrites = beforeWrites;
    }

    /**
     * For this scheduler (built, not yet run), with the DynamoDB client its lease management config holds; reads
     * at once, creates tables and leases only once {@code beforeWrites} returns.
     */
    public static KclStartupPreparation forScheduler(Scheduler scheduler, WriteGate beforeWrites) {
        LeaseManagementConfig config = scheduler.leaseManagementConfig();
        DynamoDbAsyncClient dynamo = config.dynamoDBClient();
        var workerConfig = config.workerUtilizationAwareAssignmentConfig();
        List<CreateTableRequest> tables = List.of(KclTableRequests.leaseTable(config),
                KclTableRequests.coordinatorStateTable(scheduler.coordinatorConfig()),
                KclTableRequests.workerMetricsTable(config));
        List<StreamConfig> streams = scheduler.streamTracker().streamConfigList();
        ShardSync shardSync = () -> {
            // What Scheduler.initialize() runs when the lease table is empty (PeriodicShardSyncManager.syncShardsOnce).
            for (StreamConfig stream : streams) {
                TaskResult result = scheduler.shardSyncTaskManagerProvider().apply(stream).callShardSyncTask();
                if (result.getException() != null) {
                    throw result.getException();
                }
            }
        };
        return new KclStartupPreparation(scheduler.applicationName(), tables,
                new TableReadiness(dynamo, POLL, TABLES_TIMEOUT), scheduler.leaseRefresher(), shardSync,
                new WorkerMetricStatsDAO(dynamo, workerConfig.workerMetricsTableConfig(),
                        workerConfig.workerMetricsReporterFreqInMillis()),
                config.workerIdentifier(), beforeWrites);
    }

    @Override
    public void prepare() throws InterruptedException {
        long started = System.nanoTime();
        List<String> created = readiness.createAndAwaitActive(tables, beforeWrites);
        boolean synced = false;
        try {
            if (leases.isLeaseTableEmpty()) {
                beforeWrites.await();
                shardSync.run();
                synced = true;
            }
        } catch (InterruptedException e) {
            throw e;
        } catch (LeasingException e) {
            throw new IllegalStateException("Reading KCL lease table " + application + " failed: " + e, e);
        } catch (Exception e) {
            throw new IllegalStateException("Creating the leases of KCL application " + application + " failed: "
                    + e, e);
        }
        workerMetrics.updateMetrics(workerMetricsRow(workerId, Instant.now()));
        log.info("KCL application {} prepared in {} ms: {}; {}; worker {} reported", application,
                Duration.ofNanos(System.nanoTime() - started).toMillis(),
                created.isEmpty() ? "its tables existed" : "created tables " + created,
                synced ? "created the stream's leases" : "the lease table held leases", workerId);
    }

    /**
     * The row KCL's WorkerMetricStatsReporter writes for this worker 2 s after start and every 30 s after, with
     * worker metrics disabled: without one, KCL's first lease assignment pass finds no live worker and assigns
     * nothing until its next pass.
     */
    static WorkerMetricStats workerMetricsRow(String workerId, Instant now) {
        return WorkerMetricStats.builder()
                .workerId(workerId)
                .metricStats(Map.of())
                .operatingRange(Map.of())
                .lastUpdateTime(now.getEpochSecond())
                .build();
    }
}
