package org.apache.pulsar.io.dynamodb.kcl.bootstrap;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.BillingModeSummary;
import software.amazon.awssdk.services.dynamodb.model.CreateGlobalSecondaryIndexAction;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.CreateTableResponse;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableResponse;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.IndexStatus;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughput;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputDescription;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateTableResponse;

/**
 * A DynamoDB that keeps table descriptions in memory (every table and index ACTIVE at once) and records the
 * CreateTable, UpdateTable and UpdateItem requests it gets: what KCL's own code sends, to compare with ours.
 */
final class RecordingDynamoDb implements DynamoDbAsyncClient {

    private final Map<String, TableDescription> tables = new ConcurrentHashMap<>();
    final List<CreateTableRequest> createTables = new CopyOnWriteArrayList<>();
    final List<UpdateTableRequest> updateTables = new CopyOnWriteArrayList<>();
    final List<UpdateItemRequest> updateItems = new CopyOnWriteArrayList<>();

    @Override
    public String serviceName() {
        return "dynamodb";
    }

    @Override
    public void close() {
    }

    @Override
    public CompletableFuture<DescribeTableResponse> describeTable(DescribeTableRequest request) {
        TableDescription table = tables.get(request.tableName());
        if (table == null) {
            return CompletableFuture.failedFuture(ResourceNotFoundException.builder()
                    .message("Requested resource not found: Table: " + request.tableName() + " not found").build());
        }
        return CompletableFuture.completedFuture(DescribeTableResponse.builder().table(table).build());
    }

    @Override
    public CompletableFuture<CreateTableResponse> createTable(CreateTableRequest request) {
        createTables.add(request);
        List<GlobalSecondaryIndexDescription> indexes = new ArrayList<>();
        request.globalSecondaryIndexes().forEach(index -> indexes.add(GlobalSecondaryIndexDescription.builder()
                .indexName(index.indexName()).keySchema(index.keySchema()).projection(index.projection())
                .indexStatus(IndexStatus.ACTIVE).build()));
        TableDescription table = TableDescription.builder()
                .tableName(request.tableName())
                .keySchema(request.keySchema())
                .attributeDefinitions(request.attributeDefinitions())
                .billingModeSummary(BillingModeSummary.builder().billingMode(request.billingMode()).build())
                .provisionedThroughput(describe(request.provisionedThroughput()))
                .globalSecondaryIndexes(indexes)
                .tableStatus(TableStatus.ACTIVE)
                .build();
        tables.put(request.tableName(), table);
        return CompletableFuture.completedFuture(CreateTableResponse.builder().tableDescription(table).build());
    }

    @Override
    public CompletableFuture<UpdateTableResponse> updateTable(UpdateTableRequest request) {
        updateTables.add(request);
        TableDescription table = tables.get(request.tableName());
        List<GlobalSecondaryIndexDescription> indexes = new ArrayList<>(table.globalSecondaryIndexes());
        request.globalSecondaryIndexUpdates().forEach(update -> {
            CreateGlobalSecondaryIndexAction create = update.create();
            indexes.add(GlobalSecondaryIndexDescription.builder().indexName(create.indexName())
                    .keySchema(create.keySchema()).projection(create.projection())
                    .indexStatus(IndexStatus.ACTIVE).build());
        });
        TableDescription updated = table.toBuilder().globalSecondaryIndexes(indexes).build();
        tables.put(request.tableName(), updated);
        return CompletableFuture.completedFuture(UpdateTableResponse.builder().tableDescription(updated).build());
    }

    @Override
    public CompletableFuture<UpdateItemResponse> updateItem(UpdateItemRequest request) {
        updateItems.add(request);
        return CompletableFuture.completedFuture(UpdateItemResponse.builder().attributes(request.key()).build());
    }

    CreateTableRequest created(String table) {
        return createTables.stream().filter(r -> r.tableName().equals(table)).reduce((a, b) -> b).orElseThrow();
    }

    private static ProvisionedThroughputDescription describe(ProvisionedThroughput throughput) {
        return throughput == null ? ProvisionedThroughputDescription.builder().readCapacityUnits(0L)
                .writeCapacityUnits(0L).build()
                : ProvisionedThroughputDescription.builder().readCapacityUnits(throughput.readCapacityUnits())
                .writeCapacityUnits(throughput.writeCapacityUnits()).build();
    }
}
