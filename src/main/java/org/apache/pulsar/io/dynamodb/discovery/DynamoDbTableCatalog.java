package org.apache.pulsar.io.dynamodb.discovery;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.ListTablesResponse;
import software.amazon.awssdk.services.dynamodb.model.ListTagsOfResourceResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.dynamodb.model.Tag;

/** {@link TableCatalog} on a DynamoDB client. */
public final class DynamoDbTableCatalog implements TableCatalog {

    private final DynamoDbAsyncClient dynamo;

    public DynamoDbTableCatalog(DynamoDbAsyncClient dynamo) {
        this.dynamo = dynamo;
    }

    @Override
    public List<String> tableNames() {
        List<String> names = new ArrayList<>();
        String after = null;
        do {
            String start = after;
            ListTablesResponse page = join(() -> dynamo.listTables(b -> b.exclusiveStartTableName(start)).join());
            names.addAll(page.tableNames());
            after = page.lastEvaluatedTableName();
        } while (after != null);
        return names;
    }

    @Override
    public TableState describe(String table) {
        TableDescription description;
        try {
            description = join(() -> dynamo.describeTable(b -> b.tableName(table)).join().table());
        } catch (ResourceNotFoundException e) {
            return TableState.missing(table);
        }
        if (description.tableStatus() == TableStatus.DELETING) {
            return TableState.missing(table);  // its stream is read to its end, as a deleted table's
        }
        StreamSpecification spec = description.streamSpecification();
        boolean enabled = spec != null && Boolean.TRUE.equals(spec.streamEnabled());
        return new TableState(table, true, description.tableArn(), enabled ? description.latestStreamArn() : null,
                enabled ? spec.streamViewTypeAsString() : null);
    }

    @Override
    public Map<String, String> tags(String tableArn) {
        Map<String, String> tags = new HashMap<>();
        String next = null;
        do {
            String token = next;
            ListTagsOfResourceResponse page = join(() -> dynamo.listTagsOfResource(
                    b -> b.resourceArn(tableArn).nextToken(token)).join());
            for (Tag tag : page.tags()) {
                tags.put(tag.key(), tag.value());
            }
            next = page.nextToken();
        } while (next != null);
        return tags;
    }

    /** Unwraps the async client's CompletionException, so callers catch the SDK's own exceptions. */
    private static <T> T join(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : e;
        }
    }
}
