package org.apache.pulsar.io.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pulsar.functions.api.Record;
import org.apache.pulsar.io.dynamodb.testing.DynamoDbLocal;
import org.apache.pulsar.io.dynamodb.testing.SourceHarness;
import org.apache.pulsar.io.dynamodb.testing.TableLoad;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * snapshotMode against DynamoDB Local and the real KCL, the test playing Pulsar (in-process, acknowledging all):
 * a table's items arrive as snapshot reads, then its changes; the last message of each item is its state.
 */
class SnapshotSourceIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DELIVERY = Duration.ofSeconds(180);

    private static DynamoDbLocal dynamo;

    @BeforeAll
    static void startDynamoDbLocal() throws Exception {
        dynamo = DynamoDbLocal.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (dynamo != null) {
            dynamo.close();
        }
    }

    private static Map<String, AttributeValue> item(int i, int version) {
        return Map.of("id", AttributeValue.fromS("item" + i), "v", AttributeValue.fromN(Integer.toString(version)),
                "payload", AttributeValue.fromS("x".repeat(50)));
    }

    private static JsonNode value(Record<byte[]> record) {
        try {
            return JSON.readTree(record.getValue());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void initialSnapshotThenStreamEndsEqualToTheTable() throws Exception {
        String table = "initial";
        String arn = dynamo.createTableWithStream(table);
        TableLoad.put(dynamo.client(), table, 0, 3_000, 2, i -> item(i, 0));
        Map<String, Object> config = dynamo.sourceConfig(arn, "it-initial");
        config.put("awsRegion", "us-east-1");
        config.put("snapshotMode", "INITIAL");
        config.put("snapshotSegments", "4");
        config.put("snapshotReadCapacityPerSecond", "0");
        try (SourceHarness harness = SourceHarness.open(config, "it-initial", record -> true)) {
            await().atMost(DELIVERY).until(() -> harness.received().size() >= 3_000);
            for (int i = 0; i < 10; i++) {
                dynamo.put(table, item(i, 1));
            }
            await().atMost(DELIVERY).until(() -> harness.received().stream()
                    .filter(r -> "MODIFY".equals(r.getProperties().get("EVENT_NAME"))).count() >= 10);
            Map<String, String> last = new HashMap<>();
            for (Record<byte[]> record : harness.received()) {
                JsonNode v = value(record);
                last.put(v.at("/dynamodb/Keys/id/S").asText(), v.at("/dynamodb/NewImage/v/N").asText());
            }
            List<Map<String, AttributeValue>> scan = TableLoad.scan(dynamo.client(), table);
            assertThat(last).hasSize(scan.size());
            for (Map<String, AttributeValue> row : scan) {
                assertThat(last.get(row.get("id").s())).as(row.get("id").s()).isEqualTo(row.get("v").n());
            }
            System.out.println("received " + harness.received().size());
        }
    }
}
