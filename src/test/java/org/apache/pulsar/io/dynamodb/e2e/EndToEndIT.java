package org.apache.pulsar.io.dynamodb.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.SubscriptionType;
import org.apache.pulsar.io.dynamodb.testing.DynamoDbLocal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The built NAR end to end, as a Pulsar user runs it: a standalone broker and {@code pulsar-admin sources
 * localrun}'s LocalRunner in child JVMs whose class path has none of the connector's classes (so the NAR's own
 * bundled dependencies are what runs), DynamoDB Local in this JVM, and assertions on what Pulsar consumers see.
 * One source runs through the ordered tests.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class EndToEndIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration FIRST_DELIVERY = Duration.ofSeconds(240);
    private static final Duration DELIVERY = Duration.ofSeconds(120);
    private static final String TABLE = "users";
    private static final String SOURCE_NAME = "dynamodb-users";
    private static final String TOPIC = "persistent://public/default/users-changes";
    private static final String APPLICATION = "e2e-users";

    /** Every key Pulsar's builtin dynamodb source (4.0.x) knows. */
    private static final Set<String> BUILTIN_KEYS = Set.of("awsEndpoint", "awsRegion", "awsDynamodbStreamArn",
            "awsCredentialPluginName", "awsCredentialPluginParam", "initialPositionInStream", "startAtTime",
            "applicationName", "checkpointInterval", "backoffTime", "numRetries", "receiveQueueSize",
            "dynamoEndpoint", "cloudwatchEndpoint");

    private static PulsarRuntime runtime;
    private static String sourceConfig;
    private static Path dir;
    private static DynamoDbLocal dynamo;
    private static PulsarStandalone pulsar;
    private static PulsarClient client;
    private static String streamArn;
    private static LocalRunnerSource source;
    private static int sourceRuns;
    private static TopicConsumer all;
    private static TopicConsumer perItem1;
    private static TopicConsumer perItem2;

    @BeforeAll
    static void start() throws Exception {
        runtime = PulsarRuntime.fromSystemProperties();
        dir = runtime.workDir().resolve("EndToEndIT");
        pulsar = SharedPulsar.get(runtime);
        dynamo = DynamoDbLocal.start();
        streamArn = dynamo.createTableWithStream(TABLE);
        pulsar.awaitReady(Duration.ofSeconds(180));
        client = PulsarClient.builder().serviceUrl(pulsar.brokerServiceUrl()).build();
        all = TopicConsumer.subscribe(client, TOPIC, "all", SubscriptionType.Exclusive, "all");
        perItem1 = TopicConsumer.subscribe(client, TOPIC, "per-item", SubscriptionType.Key_Shared, "per-item-1");
        perItem2 = TopicConsumer.subscribe(client, TOPIC, "per-item", SubscriptionType.Key_Shared, "per-item-2");
        source = startSource();
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {source, perItem1, perItem2, all, client, dynamo}) {
            if (closeable != null) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    System.err.println("closing " + closeable + " failed: " + e);
                }
            }
        }
    }

    /**
     * The config map a user of the builtin connector passes ({@code --source-config}), with only the builtin's
     * keys, numbers both as strings and as numbers as in its documentation; KEY_BASED batches for Key_Shared.
     */
    private static LocalRunnerSource startSource() {
        String config = """
                {
                  "awsEndpoint": "%1$s",
                  "awsRegion": "us-east-1",
                  "awsDynamodbStreamArn": "%2$s",
                  "awsCredentialPluginName": "",
                  "awsCredentialPluginParam": "{\\"accessKey\\":\\"%3$s\\",\\"secretKey\\":\\"%4$s\\"}",
                  "applicationName": "%5$s",
                  "initialPositionInStream": "TRIM_HORIZON",
                  "checkpointInterval": "30000",
                  "backoffTime": "4000",
                  "numRetries": "3",
                  "receiveQueueSize": 2000,
                  "dynamoEndpoint": "%1$s",
                  "cloudwatchEndpoint": "%1$s"
                }
                """.formatted(dynamo.endpoint(), streamArn, DynamoDbLocal.ACCESS_KEY, DynamoDbLocal.SECRET_KEY,
                APPLICATION);
        sourceConfig = config;
        sourceRuns++;
        return LocalRunnerSource.start(runtime, pulsar,
                new LocalRunnerSource.Options(SOURCE_NAME, TOPIC, config).batchBuilder("KEY_BASED"),
                dir.resolve("localrunner-" + sourceRuns + ".log"));
    }

    private static Map<String, AttributeValue> user(int i, int age) {
        return Map.of(
                "id", AttributeValue.fromS("user" + i),
                "name", AttributeValue.fromS("user" + i),
                "age", AttributeValue.fromN(Integer.toString(age)),
                "email", AttributeValue.fromS("user" + i + "@example.com"));
    }

    private static Map<String, AttributeValue> versioned(String id, int version) {
        return Map.of("id", AttributeValue.fromS(id), "version", AttributeValue.fromN(Integer.toString(version)));
    }

    private static Predicate<ReceivedMessage> idStartsWith(String prefix) {
        return m -> m.itemId().startsWith(prefix);
    }

    private static List<ReceivedMessage> received(TopicConsumer consumer, Predicate<ReceivedMessage> filter) {
        return consumer.received().stream().filter(filter).toList();
    }

    /** Waits for messages, failing early with the LocalRunner's errors if it died. */
    private static void awaitMessages(Duration timeout, String what, java.util.concurrent.Callable<Boolean> done) {
        await(what).atMost(timeout).pollInterval(Duration.ofMillis(250))
                .failFast("the LocalRunner exited; its errors:\n" + source.errors(), () -> !source.jvm().isAlive())
                .until(done);
    }

    private static int version(ReceivedMessage m) {
        JsonNode image = m.json().get("dynamodb").has("NewImage")
                ? m.json().at("/dynamodb/NewImage") : m.json().at("/dynamodb/OldImage");
        return image.at("/version/N").asInt();
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    @Order(1)
    void thePulsarSideHasNoneOfTheConnectorsClassesOnItsClassPath() {
        assertThat(runtime.classPathEntries())
                .as("the LocalRunner's class path: the connector may come only from its NAR")
                .noneMatch(entry -> entry.contains("pulsar-io-dynamodb") || entry.contains("target/classes")
                        || entry.contains("/software/amazon/") || entry.contains("/com/amazonaws/"))
                .anyMatch(entry -> entry.contains("pulsar-functions-local-runner-original"));
        assertThat(runtime.nar().getFileName().toString()).endsWith(".nar");
    }

    @Test
    @Order(2)
    void theSourceRunsWithAConfigThatOnlyUsesTheBuiltinConnectorsKeys() throws Exception {
        Map<String, Object> config = JSON.readValue(sourceConfig,
                new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { });
        assertThat(BUILTIN_KEYS).containsAll(config.keySet());
        assertThat(config.values()).as("numbers as the builtin's docs write them: strings and numbers")
                .anyMatch(String.class::isInstance).anyMatch(Integer.class::isInstance);
    }

    @Test
    @Order(3)
    void everyInsertModifyAndRemoveArrivesWithTheBuiltinJsonKeyPropertiesAndEventTime() {
        for (int i = 0; i < 10; i++) {
            dynamo.put(TABLE, user(i, 20 + i));
        }
        dynamo.put(TABLE, user(3, 42));
        dynamo.delete(TABLE, "user7");
        dynamo.put(TABLE, Map.of("id", AttributeValue.fromS("user-utf8"),
                "name", AttributeValue.fromS("Zoë Ångström \u2603 \uD83D\uDE80")));

        Predicate<ReceivedMessage> users = idStartsWith("user");
        awaitMessages(FIRST_DELIVERY, "13 changes on the topic", () -> received(all, users).size() >= 13);
        List<ReceivedMessage> inTopicOrder = received(all, users);
        assertThat(inTopicOrder).hasSize(13);
        assertThat(inTopicOrder).extracting(ReceivedMessage::sequenceNumber).doesNotHaveDuplicates();
        // KEY_BASED batches keep each item's order but not the order across items: compare in stream order.
        List<ReceivedMessage> messages = inTopicOrder.stream()
                .sorted(java.util.Comparator.comparing(ReceivedMessage::sequenceNumber)).toList();
        inTopicOrder.stream().collect(Collectors.groupingBy(ReceivedMessage::itemId)).forEach((id, changes) ->
                assertThat(changes).extracting(ReceivedMessage::sequenceNumber).as("changes of %s", id).isSorted());
        assertThat(messages).extracting(ReceivedMessage::eventName)
                .containsExactly("INSERT", "INSERT", "INSERT", "INSERT", "INSERT", "INSERT", "INSERT", "INSERT",
                        "INSERT", "INSERT", "MODIFY", "REMOVE", "INSERT");

        for (ReceivedMessage m : messages) {
            JsonNode value = m.json();
            JsonNode dynamodb = value.get("dynamodb");
            String eventName = value.get("eventName").asText();
            assertThat(fieldNames(value)).as("top-level fields of %s", m.content())
                    .containsExactly("eventID", "eventName", "eventVersion", "eventSource", "awsRegion", "dynamodb");
            List<String> expectedDynamodbFields = new ArrayList<>(List.of("ApproximateCreationDateTime", "Keys",
                    "NewImage", "OldImage", "SequenceNumber", "SizeBytes", "StreamViewType"));
            if (eventName.equals("INSERT")) {
                expectedDynamodbFields.remove("OldImage");
            } else if (eventName.equals("REMOVE")) {
                expectedDynamodbFields.remove("NewImage");
            }
            assertThat(fieldNames(dynamodb)).as("dynamodb fields of %s", m.content())
                    .containsExactlyElementsOf(expectedDynamodbFields);
            assertThat(value.get("eventSource").asText()).isEqualTo("aws:dynamodb");
            assertThat(value.get("eventVersion").asText()).isNotEmpty();
            assertThat(value.get("eventID").asText()).isNotEmpty();
            assertThat(dynamodb.get("ApproximateCreationDateTime").isIntegralNumber()).isTrue();
            assertThat(dynamodb.get("SequenceNumber").isTextual()).isTrue();
            assertThat(dynamodb.get("SizeBytes").isIntegralNumber()).isTrue();
            assertThat(dynamodb.get("StreamViewType").asText()).isEqualTo("NEW_AND_OLD_IMAGES");

            assertThat(m.key()).as("the item's primary key, compact JSON")
                    .isEqualTo("{\"id\":{\"S\":\"" + m.itemId() + "\"}}");
            assertThat(m.properties()).containsOnlyKeys("EVENT_NAME", "SEQUENCE_NUMBER")
                    .containsEntry("EVENT_NAME", eventName)
                    .containsEntry("SEQUENCE_NUMBER", dynamodb.get("SequenceNumber").asText());
            assertThat(m.eventTime()).as("event time").isPositive()
                    .isEqualTo(dynamodb.get("ApproximateCreationDateTime").asLong());
        }

        JsonNode insert = messages.get(3).json().get("dynamodb");
        assertThat(insert.get("Keys")).isEqualTo(JSON.createObjectNode()
                .set("id", JSON.createObjectNode().put("S", "user3")));
        assertThat(insert.get("NewImage")).isEqualTo(JSON.valueToTree(Map.of(
                "id", Map.of("S", "user3"), "name", Map.of("S", "user3"), "age", Map.of("N", "23"),
                "email", Map.of("S", "user3@example.com"))));
        JsonNode modify = messages.get(10).json().get("dynamodb");
        assertThat(modify.at("/OldImage/age/N").asText()).isEqualTo("23");
        assertThat(modify.at("/NewImage/age/N").asText()).isEqualTo("42");
        JsonNode remove = messages.get(11).json().get("dynamodb");
        assertThat(remove.at("/Keys/id/S").asText()).isEqualTo("user7");
        assertThat(remove.at("/OldImage/email/S").asText()).isEqualTo("user7@example.com");
        assertThat(messages.get(12).json().at("/dynamodb/NewImage/name/S").asText())
                .as("non-ASCII text stays UTF-8 from DynamoDB to the consumer")
                .isEqualTo("Zoë Ångström \u2603 \uD83D\uDE80");
    }

    @Test
    @Order(4)
    void aKeySharedSubscriptionWithTwoConsumersGetsEachItemsChangesInOrder() {
        int items = 20;
        int versions = 5;
        for (int v = 1; v <= versions; v++) {
            for (int i = 0; i < items; i++) {
                dynamo.put(TABLE, versioned("ks" + i, v));
            }
        }
        Predicate<ReceivedMessage> keyShared = idStartsWith("ks");
        awaitMessages(DELIVERY, "all changes at the Key_Shared consumers",
                () -> received(perItem1, keyShared).size() + received(perItem2, keyShared).size()
                        >= items * versions);

        List<ReceivedMessage> first = received(perItem1, keyShared);
        List<ReceivedMessage> second = received(perItem2, keyShared);
        assertThat(first.size() + second.size()).isEqualTo(items * versions);
        assertThat(first).as("both consumers get a share").isNotEmpty();
        assertThat(second).as("both consumers get a share").isNotEmpty();
        Set<String> firstKeys = first.stream().map(ReceivedMessage::key).collect(Collectors.toSet());
        Set<String> secondKeys = second.stream().map(ReceivedMessage::key).collect(Collectors.toSet());
        assertThat(firstKeys).as("each item goes to one consumer").doesNotContainAnyElementsOf(secondKeys);
        for (List<ReceivedMessage> consumerMessages : List.of(first, second)) {
            Map<String, List<Integer>> versionsPerItem = consumerMessages.stream().collect(Collectors.groupingBy(
                    ReceivedMessage::itemId, LinkedHashMap::new,
                    Collectors.mapping(EndToEndIT::version, Collectors.toList())));
            versionsPerItem.forEach((id, seen) ->
                    assertThat(seen).as("versions of %s in the order received", id)
                            .containsExactly(1, 2, 3, 4, 5));
        }
    }

    @Test
    @Order(5)
    void aSourceStoppedAndStartedAgainMidStreamResumesWithNothingMissing() throws Exception {
        int items = 10;
        int changes = 300;
        AtomicInteger written = new AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<RuntimeException> writeFailure =
                new java.util.concurrent.atomic.AtomicReference<>();
        ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
        try {
            // 50 changes a second for 6 s: the source is stopped while they flow, and restarted after.
            writer.scheduleAtFixedRate(() -> {
                int n = written.get();
                if (n < changes && writeFailure.get() == null) {
                    try {
                        dynamo.put(TABLE, versioned("restart" + (n % items), n / items + 1));
                        written.incrementAndGet();
                    } catch (RuntimeException e) {
                        writeFailure.set(e);
                    }
                }
            }, 0, 20, TimeUnit.MILLISECONDS);

            Predicate<ReceivedMessage> restart = idStartsWith("restart");
            awaitMessages(DELIVERY, "the first restart changes", () -> received(all, restart).size() >= 30);
            int beforeStop = received(all, restart).size();
            assertThat(written.get()).as("stopped mid-stream").isLessThan(changes);
            assertThat(source.stop()).as("LocalRunner exit on SIGTERM, within the grace period").isNotEqualTo(-1);
            int atStop = received(all, restart).size();

            await("the writer").atMost(Duration.ofSeconds(60))
                    .failFast("a write failed", () -> writeFailure.get() != null)
                    .until(() -> written.get() >= changes);
            source = startSource();
            awaitMessages(DELIVERY, "every change after the restart",
                    () -> distinctChanges(received(all, restart)).size() >= changes);

            List<ReceivedMessage> messages = received(all, restart);
            Map<String, List<Integer>> versionsPerItem = new LinkedHashMap<>();
            for (BigInteger sequence : distinctChanges(messages).keySet()) {
                ReceivedMessage m = distinctChanges(messages).get(sequence);
                versionsPerItem.computeIfAbsent(m.itemId(), k -> new ArrayList<>()).add(version(m));
            }
            assertThat(versionsPerItem).hasSize(items);
            versionsPerItem.forEach((id, seen) -> assertThat(seen).as("versions of %s", id)
                    .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, changes / items)
                            .boxed().toList()));
            System.out.printf("restart: %d messages before the stop, %d at exit, %d in all for %d changes"
                    + " (%d delivered twice)%n", beforeStop, atStop, messages.size(), changes,
                    messages.size() - changes);
        } finally {
            writer.shutdownNow();
        }
    }

    /** The first message of each sequence number, in order of first arrival. */
    private static Map<BigInteger, ReceivedMessage> distinctChanges(List<ReceivedMessage> messages) {
        Map<BigInteger, ReceivedMessage> distinct = new LinkedHashMap<>();
        for (ReceivedMessage m : messages) {
            distinct.putIfAbsent(m.sequenceNumber(), m);
        }
        return distinct;
    }
}
