package org.apache.pulsar.io.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.pulsar.functions.api.Record;
import org.apache.pulsar.io.dynamodb.testing.DynamoDbLocal;
import org.apache.pulsar.io.dynamodb.testing.SourceHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The source against DynamoDB Local and the real KCL, with the test playing Pulsar: reading, and acknowledging
 * only what it chooses. The ordered tests share one KCL application and build on each other's state.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DynamoDBSourceIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DELIVERY = Duration.ofSeconds(120);
    private static final String TABLE = "changes";
    private static final String TIMED_TABLE = "timed";
    private static final String APP = "it-changes";

    private static DynamoDbLocal dynamo;
    private static String streamArn;
    private static String timedStreamArn;
    private static Instant timedStart;
    private static SourceHarness harness;
    private static SourceHarness timedHarness;
    private static final Set<String> heldIds = ConcurrentHashMap.newKeySet();

    @BeforeAll
    static void startDynamoDbLocal() throws Exception {
        dynamo = DynamoDbLocal.start();
        streamArn = dynamo.createTableWithStream(TABLE);
        timedStreamArn = dynamo.createTableWithStream(TIMED_TABLE);
        // DynamoDB Local rounds creation times down to the minute: start AT_TIMESTAMP at the next minute.
        for (int i = 0; i < 3; i++) {
            dynamo.put(TIMED_TABLE, item("before" + i, 1));
        }
        timedStart = Instant.now().truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
        // Opened now so that its first lease is taken while the other tests run.
        Map<String, Object> timedConfig = config(timedStreamArn, "it-timed");
        timedConfig.put("initialPositionInStream", "AT_TIMESTAMP");
        timedConfig.put("startAtTime", timedStart.toString());
        timedHarness = SourceHarness.open(timedConfig, "it-timed", record -> true);
    }

    @AfterAll
    static void stop() throws Exception {
        for (SourceHarness open : new SourceHarness[] {harness, timedHarness}) {
            if (open != null) {
                open.close();
            }
        }
        if (dynamo != null) {
            dynamo.close();
        }
    }

    private static Map<String, Object> config(String arn, String applicationName) {
        Map<String, Object> config = dynamo.sourceConfig(arn, applicationName);
        config.put("awsRegion", "us-east-1");
        return config;
    }

    private static Map<String, AttributeValue> item(String id, int age) {
        return Map.of(
                "id", AttributeValue.fromS(id),
                "name", AttributeValue.fromS("name of " + id),
                "age", AttributeValue.fromN(Integer.toString(age)));
    }

    private static SourceHarness openMain() throws Exception {
        return SourceHarness.open(config(streamArn, APP), "it-source",
                record -> heldIds.stream().noneMatch(id -> id.equals(itemId(record))));
    }

    private static JsonNode value(Record<byte[]> record) {
        try {
            return JSON.readTree(record.getValue());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String itemId(Record<byte[]> record) {
        return value(record).path("dynamodb").path("Keys").path("id").path("S").asText();
    }

    private static BigInteger sequence(Record<byte[]> record) {
        return new BigInteger(record.getProperties().get("SEQUENCE_NUMBER"));
    }

    private static List<Record<byte[]>> receivedFor(SourceHarness from, Set<String> ids) {
        return from.received().stream().filter(r -> ids.contains(itemId(r))).collect(Collectors.toList());
    }

    private static Set<String> ids(String prefix, int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> prefix + i).collect(Collectors.toSet());
    }

    private static BigInteger checkpoint(String applicationName) {
        return dynamo.checkpoints(applicationName).values().stream()
                .filter(c -> c != null && c.chars().allMatch(Character::isDigit))
                .map(BigInteger::new).findFirst().orElse(BigInteger.ZERO);
    }

    @Test
    @Order(1)
    void everyChangeArrivesInPerItemOrderWithValueKeyAndProperties() throws Exception {
        harness = openMain();
        for (int i = 0; i < 10; i++) {
            dynamo.put(TABLE, item("user" + i, 20 + i));
        }
        for (int i = 0; i < 5; i++) {
            dynamo.put(TABLE, item("user" + i, 40 + i));
        }
        for (int i = 7; i < 10; i++) {
            dynamo.delete(TABLE, "user" + i);
        }
        Set<String> users = ids("user", 0, 10);
        await().atMost(DELIVERY).until(() -> receivedFor(harness, users).size() >= 18);

        List<Record<byte[]>> records = receivedFor(harness, users);
        assertThat(records).hasSize(18);
        assertThat(records).extracting(DynamoDBSourceIT::sequence).isSorted().doesNotHaveDuplicates();
        Map<String, List<String>> eventsPerItem = records.stream().collect(Collectors.groupingBy(
                DynamoDBSourceIT::itemId, Collectors.mapping(r -> value(r).get("eventName").asText(),
                        Collectors.toList())));
        assertThat(eventsPerItem.get("user0")).containsExactly("INSERT", "MODIFY");
        assertThat(eventsPerItem.get("user5")).containsExactly("INSERT");
        assertThat(eventsPerItem.get("user8")).containsExactly("INSERT", "REMOVE");

        for (Record<byte[]> record : records) {
            JsonNode value = value(record);
            String id = itemId(record);
            String eventName = value.get("eventName").asText();
            assertThat(record.getKey()).contains("{\"id\":{\"S\":\"" + id + "\"}}");
            assertThat(record.getProperties()).containsOnlyKeys("EVENT_NAME", "SEQUENCE_NUMBER")
                    .containsEntry("EVENT_NAME", eventName)
                    .containsEntry("SEQUENCE_NUMBER", value.at("/dynamodb/SequenceNumber").asText());
            assertThat(record.getEventTime()).contains(value.at("/dynamodb/ApproximateCreationDateTime").asLong());
            assertThat(value.get("eventSource").asText()).isEqualTo("aws:dynamodb");
            assertThat(value.at("/dynamodb/StreamViewType").asText()).isEqualTo("NEW_AND_OLD_IMAGES");
            switch (eventName) {
                case "INSERT" -> {
                    assertThat(value.at("/dynamodb/NewImage/name/S").asText()).isEqualTo("name of " + id);
                    assertThat(value.get("dynamodb").has("OldImage")).isFalse();
                }
                case "MODIFY" -> {
                    assertThat(value.at("/dynamodb/OldImage/age/N").asInt())
                            .isEqualTo(value.at("/dynamodb/NewImage/age/N").asInt() - 20);
                }
                case "REMOVE" -> {
                    assertThat(value.get("dynamodb").has("NewImage")).isFalse();
                    assertThat(value.at("/dynamodb/OldImage/id/S").asText()).isEqualTo(id);
                }
                default -> throw new AssertionError("unexpected event " + eventName);
            }
        }
    }

    @Test
    @Order(2)
    void checkpointNeverPassesAnUnacknowledgedRecord() {
        heldIds.add("held2");
        for (int i = 0; i < 5; i++) {
            dynamo.put(TABLE, item("held" + i, i));
        }
        Set<String> held = ids("held", 0, 5);
        await().atMost(DELIVERY).until(() -> receivedFor(harness, held).size() >= 5);
        List<Record<byte[]>> records = receivedFor(harness, held);
        BigInteger beforeHeld = sequence(records.get(1));
        Record<byte[]> heldRecord = records.get(2);
        assertThat(itemId(heldRecord)).isEqualTo("held2");

        await().atMost(Duration.ofSeconds(30)).until(() -> checkpoint(APP).equals(beforeHeld));
        // Several checkpoint intervals pass with held2 unacknowledged: the checkpoint must stay before it.
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6))
                .until(() -> checkpoint(APP).compareTo(sequence(heldRecord)) < 0);

        heldRecord.ack();
        BigInteger last = sequence(records.get(4));
        await().atMost(Duration.ofSeconds(30)).until(() -> checkpoint(APP).equals(last));
    }

    @Test
    @Order(3)
    void closedAndReopenedSourceResumesFromItsCheckpointWithNothingMissing() throws Exception {
        Set<String> unacked = ids("resume", 0, 3);
        heldIds.addAll(unacked);
        for (String id : List.of("resume0", "resume1", "resume2")) {
            dynamo.put(TABLE, item(id, 1));
        }
        await().atMost(DELIVERY).until(() -> receivedFor(harness, unacked).size() >= 3);
        BigInteger firstUnacked = sequence(receivedFor(harness, unacked).get(0));
        harness.close();
        harness = null;
        BigInteger checkpointAtClose = checkpoint(APP);
        assertThat(checkpointAtClose).isLessThan(firstUnacked);

        Set<String> whileClosed = ids("closed", 0, 3);
        for (String id : whileClosed) {
            dynamo.put(TABLE, item(id, 2));
        }
        heldIds.clear();
        harness = openMain();
        Set<String> expected = new java.util.HashSet<>(unacked);
        expected.addAll(whileClosed);
        await().atMost(DELIVERY).until(() -> receivedFor(harness, expected).size() >= 6);

        assertThat(receivedFor(harness, expected)).extracting(DynamoDBSourceIT::itemId)
                .containsExactlyInAnyOrderElementsOf(expected);
        assertThat(harness.received()).extracting(DynamoDBSourceIT::sequence)
                .allSatisfy(seq -> assertThat(seq).isGreaterThan(checkpointAtClose));
    }

    @Test
    @Order(4)
    void atTimestampPublishesOnlyChangesFromItsStartTime() {
        await().atMost(Duration.ofSeconds(75)).until(() -> !Instant.now().isBefore(timedStart));
        List<String> after = List.of("after0", "after1", "after2");
        for (String id : after) {
            dynamo.put(TIMED_TABLE, item(id, 3));
        }
        await().atMost(DELIVERY).until(() -> timedHarness.received().size() >= 3);
        assertThat(timedHarness.received()).extracting(DynamoDBSourceIT::itemId).containsExactlyElementsOf(after);
        BigInteger lastAfter = sequence(timedHarness.received().get(2));
        await().atMost(Duration.ofSeconds(30)).until(() -> checkpoint("it-timed").equals(lastAfter));
    }

    @Test
    @Order(5)
    void aStreamThatDoesNotExistFailsOpenWithAClearMessage() {
        String missing = "arn:aws:dynamodb:ddblocal:000000000000:table/missing/stream/2026-01-01T00:00:00.000";
        assertThatThrownBy(() -> SourceHarness.open(config(missing, "it-missing"), "it-missing", r -> true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not found")
                .hasMessageContaining(missing);
        // KCL reads its tables while the stream is checked, but creates them only after the check has passed
        assertThat(dynamo.client().listTables().tableNames()).noneMatch(table -> table.startsWith("it-missing"));
    }

    @Test
    @Order(6)
    void anUnreachableLeaseTableEndpointFailsOpenWithAClearMessage() throws Exception {
        Map<String, Object> config = config(streamArn, "it-unreachable");
        String nowhere = "http://127.0.0.1:" + DynamoDbLocal.freePort();
        config.put("dynamoEndpoint", nowhere);
        config.put("backoffTime", "100");
        assertThatThrownBy(() -> SourceHarness.open(config, "it-unreachable", r -> true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Cannot reach DynamoDB at " + nowhere)
                .hasMessageContaining("it-unreachable");
    }

    @Test
    @Order(7)
    void badConfigFailsOpenBeforeAnyAwsCall() {
        Map<String, Object> config = config(streamArn, "it-bad");
        config.put("checkpointInterval", "-1");
        assertThatThrownBy(() -> SourceHarness.open(config, "it-bad", r -> true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("checkpointInterval");
    }
}
