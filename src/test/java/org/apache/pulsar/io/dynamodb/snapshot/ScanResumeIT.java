package org.apache.pulsar.io.dynamodb.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.pulsar.io.dynamodb.testing.DynamoDbLocal;
import org.apache.pulsar.io.dynamodb.testing.TableLoad;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * A segment's Scan resumed from the cursor stored after any item of a page (SegmentPositions) returns exactly the
 * items after it, in DynamoDB Local: what a reader publishes after a crash is the segment's rest, nothing skipped.
 */
class ScanResumeIT {

    private static final String TABLE = "resume";
    private static final int ITEMS = 3000;
    private static final int SEGMENTS = 4;
    private static DynamoDbLocal dynamo;

    @BeforeAll
    static void start() throws Exception {
        dynamo = DynamoDbLocal.start();
        dynamo.client().createTable(b -> b.tableName(TABLE).billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build(),
                        KeySchemaElement.builder().attributeName("sk").keyType(KeyType.RANGE).build())
                .attributeDefinitions(
                        AttributeDefinition.builder().attributeName("pk").attributeType(ScalarAttributeType.S).build(),
                        AttributeDefinition.builder().attributeName("sk").attributeType(ScalarAttributeType.N)
                                .build()));
        // a few items per partition key, so that pages end inside partitions too
        TableLoad.put(dynamo.client(), TABLE, 0, ITEMS, 2, i -> Map.of("pk", AttributeValue.fromS("p" + i / 3),
                "sk", AttributeValue.fromN(Integer.toString(i % 3)), "v", AttributeValue.fromS("x".repeat(200))));
    }

    @AfterAll
    static void stop() throws Exception {
        if (dynamo != null) {
            dynamo.close();
        }
    }

    private static List<Map<String, AttributeValue>> scan(int segment, Map<String, AttributeValue> start,
                                                          int limit) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> from = start;
        do {
            Map<String, AttributeValue> exclusiveStart = from;
            ScanResponse page = dynamo.client().scan(b -> b.tableName(TABLE).segment(segment)
                    .totalSegments(SEGMENTS).exclusiveStartKey(exclusiveStart).limit(limit));
            items.addAll(page.items());
            from = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (from != null);
        return items;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3})
    void aScanResumedAfterAnyItemOfAPageReturnsExactlyTheItemsAfterIt(int segment) {
        SnapshotReads reads = new SnapshotReads(List.of("pk", "sk"), StreamViewType.NEW_IMAGE, "us-east-1");
        ScanResponse first = dynamo.client().scan(b -> b.tableName(TABLE).segment(segment).totalSegments(SEGMENTS)
                .limit(300));
        List<Map<String, AttributeValue>> whole = scan(segment, null, 1000);
        assertThat(first.items()).hasSizeGreaterThan(100);
        assertThat(whole).hasSizeGreaterThan(first.items().size());

        SegmentPositions positions = new SegmentPositions();
        long page = positions.add(0, first.items().stream().map(reads::keyOf).toList(),
                ScanCursor.after(first.lastEvaluatedKey()));
        for (int through : new int[] {1, 57, first.items().size() - 1, first.items().size()}) {
            SegmentPositions.Resume resume = positions.resume(SegmentPositions.position(page, through));
            assertThat(resume.items()).isEqualTo(through);
            List<Map<String, AttributeValue>> rest = scan(segment, ScanCursor.startKey(resume.cursor()), 250);
            assertThat(rest).as("resumed after item %d", through).isEqualTo(whole.subList(through, whole.size()));
        }
    }
}
