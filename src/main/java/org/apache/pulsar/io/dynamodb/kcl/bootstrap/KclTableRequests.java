package org.apache.pulsar.io.dynamodb.kcl.bootstrap;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughput;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.Tag;
import software.amazon.kinesis.common.DdbTableConfig;
import software.amazon.kinesis.coordinator.CoordinatorConfig;
import software.amazon.kinesis.coordinator.CoordinatorState;
import software.amazon.kinesis.leases.LeaseManagementConfig;
import software.amazon.kinesis.leases.LeaseSerializer;
import software.amazon.kinesis.leases.dynamodb.DynamoDBLeaseSerializer;
import software.amazon.kinesis.worker.metricstats.WorkerMetricStats;

/**
 * The CreateTable requests KCL 3 sends for an application's three tables, built from the same configs and the same
 * KCL key schemas. One difference, on purpose: the lease table is created with its {@code LeaseOwnerToLeaseKeyIndex}
 * in the same request, where KCL creates the table and then adds the index with UpdateTable (on AWS an index added
 * to an existing table takes longer to become ACTIVE). {@code KclInternalsContractTest} checks them against the
 * requests KCL itself sends.
 */
final class KclTableRequests {

    /** KCL's name for the lease table's index by owner (DynamoDBLeaseRefresher.LEASE_OWNER_TO_LEASE_KEY_INDEX_NAME). */
    static final String LEASE_OWNER_INDEX = "LeaseOwnerToLeaseKeyIndex";

    private KclTableRequests() {
    }

    /** The lease table {@code <applicationName>} with its index, as DynamoDBLeaseRefresher creates it and its GSI. */
    static CreateTableRequest leaseTable(LeaseManagementConfig leases) {
        LeaseSerializer serializer = new DynamoDBLeaseSerializer();
        Collection<AttributeDefinition> attributes = new LinkedHashSet<>(serializer.getAttributeDefinitions());
        attributes.addAll(serializer.getWorkerIdToLeaseKeyIndexAttributeDefinitions());
        boolean provisioned = leases.billingMode() == BillingMode.PROVISIONED;
        ProvisionedThroughput throughput = provisioned ? ProvisionedThroughput.builder()
                .readCapacityUnits((long) leases.initialLeaseTableReadCapacity())
                .writeCapacityUnits((long) leases.initialLeaseTableWriteCapacity()).build() : null;
        CreateTableRequest.Builder request = CreateTableRequest.builder()
                .tableName(leases.tableName())
                .keySchema(serializer.getKeySchema())
                .attributeDefinitions(attributes)
                .globalSecondaryIndexes(GlobalSecondaryIndex.builder()
                        .indexName(LEASE_OWNER_INDEX)
                        .keySchema(serializer.getWorkerIdToLeaseKeyIndexKeySchema())
                        .projection(p -> p.projectionType(ProjectionType.KEYS_ONLY))
                        // KCL gives the index the table's capacity; none in on-demand mode.
                        .provisionedThroughput(throughput)
                        .build())
                .deletionProtectionEnabled(leases.leaseTableDeletionProtectionEnabled())
                .tags(leases.tags())
                .billingMode(provisioned ? BillingMode.PROVISIONED : BillingMode.PAY_PER_REQUEST);
        if (provisioned) {
            request.provisionedThroughput(throughput);
        }
        return request.build();
    }

    /** {@code <applicationName>-CoordinatorState} (leader lock, migration state), as CoordinatorStateDAO creates it. */
    static CreateTableRequest coordinatorStateTable(CoordinatorConfig coordinator) {
        return table(coordinator.coordinatorStateTableConfig(),
                List.of(hashKey(CoordinatorState.COORDINATOR_STATE_TABLE_HASH_KEY_ATTRIBUTE_NAME)),
                List.of(stringAttribute(CoordinatorState.COORDINATOR_STATE_TABLE_HASH_KEY_ATTRIBUTE_NAME)));
    }

    /** {@code <applicationName>-WorkerMetricStats}, as WorkerMetricStatsDAO creates it. */
    static CreateTableRequest workerMetricsTable(LeaseManagementConfig leases) {
        return table(leases.workerUtilizationAwareAssignmentConfig().workerMetricsTableConfig(),
                WorkerMetricStats.getKeySchema(), WorkerMetricStats.getAttributeDefinitions());
    }

    /** Both of KCL's builders for these tables (CoordinatorStateDAO and DdbUtil.tableCreator) do this. */
    private static CreateTableRequest table(DdbTableConfig config, List<KeySchemaElement> keySchema,
                                            List<AttributeDefinition> attributes) {
        CreateTableRequest.Builder request = CreateTableRequest.builder()
                .tableName(config.tableName())
                .keySchema(keySchema)
                .attributeDefinitions(attributes)
                .deletionProtectionEnabled(config.deletionProtectionEnabled());
        if (config.tags() != null && !config.tags().isEmpty()) {
            request.tags(new ArrayList<Tag>(config.tags()));
        }
        if (config.billingMode() == BillingMode.PROVISIONED) {
            request.billingMode(BillingMode.PROVISIONED).provisionedThroughput(ProvisionedThroughput.builder()
                    .readCapacityUnits(config.readCapacity()).writeCapacityUnits(config.writeCapacity()).build());
        } else {
            request.billingMode(BillingMode.PAY_PER_REQUEST);
        }
        return request.build();
    }

    private static KeySchemaElement hashKey(String attribute) {
        return KeySchemaElement.builder().attributeName(attribute).keyType(KeyType.HASH).build();
    }

    private static AttributeDefinition stringAttribute(String attribute) {
        return AttributeDefinition.builder().attributeName(attribute).attributeType(ScalarAttributeType.S).build();
    }
}
