package org.apache.pulsar.io.dynamodb.kcl.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateGlobalSecondaryIndexAction;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.Tag;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateTableRequest;
import software.amazon.kinesis.coordinator.CoordinatorConfig;
import software.amazon.kinesis.coordinator.CoordinatorStateDAO;
import software.amazon.kinesis.coordinator.Scheduler;
import software.amazon.kinesis.leases.LeaseManagementConfig;
import software.amazon.kinesis.leases.dynamodb.DynamoDBLeaseRefresher;
import software.amazon.kinesis.leases.dynamodb.DynamoDBLeaseSerializer;
import software.amazon.kinesis.metrics.NullMetricsFactory;
import software.amazon.kinesis.worker.metricstats.WorkerMetricStats;
import software.amazon.kinesis.worker.metricstats.WorkerMetricStatsDAO;
import software.amazon.kinesis.worker.metricstats.WorkerMetricStatsManager;
import software.amazon.kinesis.worker.metricstats.WorkerMetricStatsReporter;

/**
 * What the start-up preparation relies on in KCL's internals ({@code @KinesisClientInternalApi}), checked against
 * KCL's own code on the class path: a KCL upgrade that changes any of it fails here (see the package documentation).
 */
class KclInternalsContractTest {

    private static final String APP = "contract-app";
    private static final String WORKER = "public/default/contract/0@host";

    private final RecordingDynamoDb dynamo = new RecordingDynamoDb();

    @Test
    void kclIsTheVersionTheStartUpFactsWereReadFrom() throws IOException {
        Properties pom = new Properties();
        try (InputStream in = Scheduler.class.getResourceAsStream(
                "/META-INF/maven/software.amazon.kinesis/amazon-kinesis-client/pom.properties")) {
            assertThat(in).as("KCL's pom.properties").isNotNull();
            pom.load(in);
        }
        assertThat(pom.getProperty("version"))
                .as("KCL version: re-read the facts in kcl/bootstrap/package-info.java from the new version's sources,"
                        + " then update this test")
                .isEqualTo("3.3.0");
    }

    @Test
    void theStartUpWaitsThePreparationAvoidsAreKclsConstants() throws ReflectiveOperationException {
        assertThat(constant(Scheduler.class, "MIN_WAIT_TIME_FOR_LEASE_TABLE_CHECK_MILLIS")).isEqualTo(1_000L);
        assertThat(constant(Scheduler.class, "MAX_WAIT_TIME_FOR_LEASE_TABLE_CHECK_MILLIS")).isEqualTo(30_000L);
        assertThat(constant(Scheduler.class, "LEASE_TABLE_CHECK_FREQUENCY_MILLIS")).isEqualTo(3_000L);
        assertThat(constant(DynamoDBLeaseRefresher.class, "LEASE_OWNER_TO_LEASE_KEY_INDEX_NAME"))
                .isEqualTo(KclTableRequests.LEASE_OWNER_INDEX);
    }

    @Test
    void theLeaseTableIsKclsTableAndIndexInOneRequest() throws Exception {
        LeaseManagementConfig leases = new LeaseManagementConfig(APP, APP, dynamo, null, WORKER);
        assertThat(KclTableRequests.leaseTable(leases)).isEqualTo(kclsLeaseTable(leases));
    }

    @Test
    void aProvisionedProtectedTaggedLeaseTableIsKclsToo() throws Exception {
        LeaseManagementConfig leases = new LeaseManagementConfig(APP, APP, dynamo, null, WORKER)
                .billingMode(BillingMode.PROVISIONED).initialLeaseTableReadCapacity(7)
                .initialLeaseTableWriteCapacity(3).leaseTableDeletionProtectionEnabled(true)
                .tags(List.of(Tag.builder().key("team").value("data").build()));
        CreateTableRequest ours = KclTableRequests.leaseTable(leases);
        assertThat(ours).isEqualTo(kclsLeaseTable(leases));
        assertThat(ours.globalSecondaryIndexes().get(0).provisionedThroughput().readCapacityUnits()).isEqualTo(7L);
    }

    @ParameterizedTest(name = "provisioned, protected and tagged: {0}")
    @ValueSource(booleans = {false, true})
    void theCoordinatorStateAndWorkerMetricsTablesAreKcls(boolean provisionedProtectedTagged) throws Exception {
        CoordinatorConfig coordinator = new CoordinatorConfig(APP);
        LeaseManagementConfig leases = new LeaseManagementConfig(APP, APP, dynamo, null, WORKER);
        if (provisionedProtectedTagged) {
            for (var table : List.of(coordinator.coordinatorStateTableConfig(),
                    leases.workerUtilizationAwareAssignmentConfig().workerMetricsTableConfig())) {
                table.billingMode(BillingMode.PROVISIONED).readCapacity(5).writeCapacity(2)
                        .deletionProtectionEnabled(true)
                        .tags(List.of(Tag.builder().key("team").value("data").build()));
            }
        }
        new CoordinatorStateDAO(dynamo, coordinator.coordinatorStateTableConfig()).initialize();
        workerMetricsDao(leases).initialize();

        assertThat(KclTableRequests.coordinatorStateTable(coordinator))
                .isEqualTo(dynamo.created(APP + "-CoordinatorState"));
        assertThat(KclTableRequests.workerMetricsTable(leases)).isEqualTo(dynamo.created(APP + "-WorkerMetricStats"));
    }

    @Test
    void theWorkerMetricsRowIsTheOneKclsReporterWritesAndMakesTheWorkerEligibleForLeases() {
        LeaseManagementConfig leases = new LeaseManagementConfig(APP, APP, dynamo, null, WORKER);
        // KCL's reporter with worker metrics disabled, as the connector runs it: an empty metric list.
        new WorkerMetricStatsReporter(new NullMetricsFactory(), WORKER,
                new WorkerMetricStatsManager(10, List.of(), new NullMetricsFactory(), 1_000L),
                workerMetricsDao(leases)).run();
        Instant now = Instant.now();
        WorkerMetricStats ours = KclStartupPreparation.workerMetricsRow(WORKER, now);
        workerMetricsDao(leases).updateMetrics(ours);

        assertThat(dynamo.updateItems).hasSize(2);
        UpdateItemRequest kcls = dynamo.updateItems.get(0);
        UpdateItemRequest written = dynamo.updateItems.get(1);
        assertThat(withoutUpdateTime(written)).isEqualTo(withoutUpdateTime(kcls));
        assertThat(written.expressionAttributeValues()).containsValue(
                AttributeValue.fromN(Long.toString(now.getEpochSecond())));
        // What the lease assignment manager asks of a worker's row before it gives the worker leases.
        assertThat(ours.isValidWorkerMetric()).isTrue();
        assertThat(ours.isAnyWorkerMetricFailing()).isFalse();
    }

    private CreateTableRequest kclsLeaseTable(LeaseManagementConfig leases) throws Exception {
        DynamoDBLeaseRefresher refresher = (DynamoDBLeaseRefresher) leases
                .leaseManagementFactory(new DynamoDBLeaseSerializer(), false).createLeaseRefresher();
        refresher.createLeaseTableIfNotExists();
        refresher.createLeaseOwnerToLeaseKeyIndexIfNotExists();
        CreateTableRequest table = dynamo.created(APP);
        assertThat(dynamo.updateTables).as("KCL adds its index with one UpdateTable").hasSize(1);
        UpdateTableRequest update = dynamo.updateTables.get(0);
        assertThat(update.globalSecondaryIndexUpdates()).hasSize(1);
        CreateGlobalSecondaryIndexAction index = update.globalSecondaryIndexUpdates().get(0).create();
        List<AttributeDefinition> attributes = new ArrayList<>(new LinkedHashSet<>(concat(table.attributeDefinitions(),
                update.attributeDefinitions())));
        return table.toBuilder()
                .attributeDefinitions(attributes)
                .globalSecondaryIndexes(GlobalSecondaryIndex.builder().indexName(index.indexName())
                        .keySchema(index.keySchema()).projection(index.projection())
                        .provisionedThroughput(index.provisionedThroughput()).build())
                .build();
    }

    private WorkerMetricStatsDAO workerMetricsDao(LeaseManagementConfig leases) {
        var config = leases.workerUtilizationAwareAssignmentConfig();
        return new WorkerMetricStatsDAO(dynamo, config.workerMetricsTableConfig(),
                config.workerMetricsReporterFreqInMillis());
    }

    /** The request with the last-update time's value blanked: the two rows are written at different moments. */
    private static UpdateItemRequest withoutUpdateTime(UpdateItemRequest request) {
        Map<String, AttributeValue> values = new java.util.TreeMap<>(request.expressionAttributeValues());
        values.replaceAll((name, value) -> value.n() != null ? AttributeValue.fromN("0") : value);
        return request.toBuilder().expressionAttributeValues(values).build();
    }

    private static <T> List<T> concat(List<T> first, List<T> second) {
        List<T> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    private static Object constant(Class<?> type, String name) throws ReflectiveOperationException {
        Field field = type.getDeclaredField(name);
        field.setAccessible(true);
        return field.get(null);
    }
}
