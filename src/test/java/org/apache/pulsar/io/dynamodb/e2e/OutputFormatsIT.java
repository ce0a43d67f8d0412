package org.apache.pulsar.io.dynamodb.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pulsar.client.api.CompressionType;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.SubscriptionType;
import org.apache.pulsar.io.dynamodb.e2e.StreamAudit.ShardRecord;
import org.apache.pulsar.io.dynamodb.testing.DynamoDbLocal;
import org.apache.pulsar.io.dynamodb.testing.RandomItems;
import org.apache.pulsar.io.dynamodb.testing.SourceHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * The output formats and the filters (eventNames, filterCriteria) end to end, from the NAR in Pulsar's LocalRunner
 * (child JVMs, as in {@link EndToEndIT}): one table, one workload (inserts, updates, deletes, every attribute type,
 * seeded random items), four sources on its stream at once, each with its own topic and KCL application:
 * DYNAMODB_JSON, DOCUMENT, ENVELOPE (tombstones) and ENVELOPE with {@code eventNames} and {@code filterCriteria}. A
 * consumer written from README's format descriptions ({@link DocumentedFormats}) decodes every message against the
 * stream's own records; the DOCUMENT and ENVELOPE topics, compacted, read back as exactly the table a final Scan
 * shows. The sources share one DynamoDB Local and the broker of the end-to-end test classes ({@link SharedPulsar}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class OutputFormatsIT {

    private static final Duration FIRST_DELIVERY = Duration.ofSeconds(300);
    private static final Duration DELIVERY = Duration.ofSeconds(120);
    private static final String TABLE = "formats";
    private static final long SEED = Long.getLong("formats.seed", System.nanoTime());

    /** One source of the four: its format's config keys, topic, subscription and LocalRunner. */
    private static final class Source {
        final String name;
        final String topic;
        final Map<String, Object> keys;
        int runs;
        LocalRunnerSource runner;
        TopicConsumer consumer;

        Source(String name, Map<String, Object> keys) {
            this.name = name;
            this.topic = "persistent://public/default/" + name;
            this.keys = keys;
        }

        String application() {
            return "it-" + name;
        }
    }

    private static final Source JSON_SOURCE = new Source("formats-dynamodb-json", Map.of());
    private static final Source DOCUMENT = new Source("formats-document", Map.of("outputFormat", "DOCUMENT"));
    private static final Source ENVELOPE = new Source("formats-envelope", Map.of("outputFormat", "envelope"));
    // eventNames as a list, the form a YAML config file gives; REMOVEs filtered, so no tombstone either. Then Lambda
    // filter patterns, as YAML gives them: a nested attribute, or eventName together with a key prefix.
    private static final Source FILTERED = new Source("formats-filtered",
            Map.of("outputFormat", "ENVELOPE", "eventNames", List.of("insert", "Modify"),
                    "filterCriteria", List.of(
                            Map.of("dynamodb", Map.of("NewImage", Map.of("address", Map.of("M",
                                    Map.of("country", Map.of("S", List.of("SE"))))))),
                            Map.of("eventName", List.of("INSERT"),
                                    "dynamodb", Map.of("Keys", Map.of("id", Map.of("S",
                                            List.of(Map.of("prefix", "item-1")))))))));
    private static final List<Source> SOURCES = List.of(JSON_SOURCE, DOCUMENT, ENVELOPE, FILTERED);

    private static PulsarRuntime runtime;
    private static Path dir;
    private static DynamoDbLocal dynamo;
    private static PulsarStandalone pulsar;
    private static PulsarClient client;
    private static String streamArn;
    private static RandomItems random;
    private static long startedMillis;

    @BeforeAll
    static void start() throws Exception {
        System.out.println("OutputFormatsIT seed: " + SEED + " (replay with -Dformats.seed=" + SEED + ")");
        startedMillis = System.currentTimeMillis();
        runtime = PulsarRuntime.fromSystemProperties();
        dir = runtime.workDir().resolve("OutputFormatsIT");
        pulsar = SharedPulsar.get(runtime);
        dynamo = DynamoDbLocal.start();
        streamArn = dynamo.createTableWithStream(TABLE);
        random = new RandomItems(SEED);
        // written before the sources start: they read from TRIM_HORIZON
        writeFirstWorkload();
        pulsar.awaitReady(Duration.ofSeconds(180));
        client = PulsarClient.builder().serviceUrl(pulsar.brokerServiceUrl()).build();
        for (Source source : SOURCES) {
            source.consumer = TopicConsumer.subscribe(client, source.topic, "test", SubscriptionType.Exclusive,
                    source.name);
            startSource(source);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        List<AutoCloseable> closeables = new ArrayList<>();
        for (Source source : SOURCES) {
            closeables.add(source.runner);
            closeables.add(source.consumer);
        }
        closeables.addAll(java.util.Arrays.asList(client, dynamo));
        for (AutoCloseable closeable : closeables) {
            if (closeable != null) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    System.err.println("closing " + closeable + " failed: " + e);
                }
            }
        }
    }

    private static void startSource(Source source) throws Exception {
        Map<String, Object> config = dynamo.sourceConfig(streamArn, source.application());
        config.putAll(source.keys);
        source.runs++;
        // Uncompressed, as README's table mirror says: Pulsar 4.0's compaction fails for good on an LZ4 batch that
        // re-batches larger than its compressed size (apache/pulsar#26290), and JSON compresses well.
        source.runner = LocalRunnerSource.start(runtime, pulsar,
                new LocalRunnerSource.Options(source.name, source.topic,
                        DocumentedFormats.JSON.writeValueAsString(config)).compressionType(CompressionType.NONE),
                dir.resolve(source.name + "-" + source.runs + ".log"));
    }

    // ---- the workload ----------------------------------------------------------------------------------------

    private static String id(int i) {
        return "item-" + i;
    }

    /** An item with every attribute type, numbers at DynamoDB's limits included. */
    private static Map<String, AttributeValue> everyType(String id, int version) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put("id", AttributeValue.fromS(id));
        item.put("s", AttributeValue.fromS("Zoë \"quoted\" \\ \n 😀 v" + version));
        item.put("empty", AttributeValue.fromS(""));
        item.put("n38", AttributeValue.fromN("1234567890123456789012345678901234567" + version));
        item.put("nBig", AttributeValue.fromN("1E+125"));
        item.put("nSmall", AttributeValue.fromN("-1E-130"));
        item.put("nFraction", AttributeValue.fromN("-0.000123450"));
        item.put("b", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[] {0, 1, (byte) 0xfe, (byte) version})));
        item.put("ss", AttributeValue.fromSs(List.of("a", "b", "ü" + version)));
        item.put("ns", AttributeValue.fromNs(List.of("1", "2.5", "-3E+10", "99999999999999999999999999999999999999")));
        item.put("bs", AttributeValue.fromBs(List.of(SdkBytes.fromByteArray(new byte[] {1}),
                SdkBytes.fromByteArray(new byte[] {2, (byte) version}))));
        item.put("m", AttributeValue.fromM(Map.of("nested", AttributeValue.fromM(Map.of(
                "flag", AttributeValue.fromBool(true), "n", AttributeValue.fromN("7"))))));
        item.put("l", AttributeValue.fromL(List.of(AttributeValue.fromS("x"), AttributeValue.fromN("1.50"),
                AttributeValue.fromNul(true), AttributeValue.fromL(List.of()))));
        item.put("nothing", AttributeValue.fromNul(true));
        item.put("yes", AttributeValue.fromBool(version % 2 == 0));
        return item;
    }

    private static Map<String, AttributeValue> user(String id, int age) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put("id", AttributeValue.fromS(id));
        item.put("name", AttributeValue.fromS("Zoë " + id));
        item.put("age", AttributeValue.fromN(Integer.toString(age)));
        item.put("email", AttributeValue.fromS(id + "@example.com"));
        item.put("tags", AttributeValue.fromSs(List.of("new", "vip")));
        return item;
    }

    /** An item with a nested attribute for the filter patterns: address.country. */
    private static Map<String, AttributeValue> addressed(String id, String country) {
        Map<String, AttributeValue> item = user(id, 40);
        item.put("address", AttributeValue.fromM(Map.of("country", AttributeValue.fromS(country),
                "city", AttributeValue.fromS("Visby"))));
        return item;
    }

    /** What the filtered source publishes, decided from the record independently of the connector's matcher. */
    private static boolean passesFilters(Record record) {
        String event = record.eventNameAsString();
        if (event.equals("REMOVE")) {
            return false;
        }
        Map<String, AttributeValue> image = record.dynamodb().newImage();
        AttributeValue address = image.get("address");
        boolean swedish = address != null && address.hasM() && address.m().get("country") != null
                && "SE".equals(address.m().get("country").s());
        boolean newItem1 = event.equals("INSERT") && record.dynamodb().keys().get("id").s().startsWith("item-1");
        return swedish || newItem1;
    }

    private static void put(Map<String, AttributeValue> item) {
        dynamo.put(TABLE, item);
    }

    /**
     * Inserts, updates, deletes, re-inserts after a delete, and deletes last: the filtered source's checkpoint
     * then rests on records it never published.
     */
    private static void writeFirstWorkload() {
        // plain user items first: README's example messages come from them
        put(user("user0", 20));
        put(user("user9", 29));
        put(user("user0", 21));
        dynamo.delete(TABLE, "user9");
        put(everyType("every-type", 1));
        put(addressed("addr-1", "SE"));
        put(addressed("addr-2", "NO"));
        put(addressed("addr-2", "SE"));
        put(addressed("addr-1", "NO"));
        put(addressed("addr-3", "se"));
        dynamo.delete(TABLE, "addr-2");
        for (int i = 0; i < 30; i++) {
            put(random.item(id(i)));
        }
        put(everyType("every-type", 2));
        for (int i = 0; i < 30; i += 2) {
            put(random.item(id(i)));
        }
        for (int i = 0; i < 24; i += 3) {
            dynamo.delete(TABLE, id(i));
        }
        put(random.item(id(3)));
        put(random.item(id(6)));
        for (int i = 25; i < 28; i++) {
            dynamo.delete(TABLE, id(i));
        }
    }

    private static void writeSecondWorkload() {
        for (int i = 30; i < 40; i++) {
            put(random.item(id(i)));
        }
        put(random.item(id(1)));
        put(everyType("every-type", 3));
        put(addressed("addr-3", "SE"));
        put(addressed("addr-4", "NO"));
        put(addressed("addr-4", "SE"));
        dynamo.delete(TABLE, id(30));
        dynamo.delete(TABLE, id(1));
        put(random.item(id(30)));
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static void awaitDelivery(Duration timeout, String what, java.util.concurrent.Callable<Boolean> done) {
        await(what).atMost(timeout).pollInterval(Duration.ofMillis(500))
                .failFast("a LocalRunner exited; its errors:\n" + errors(), () -> SOURCES.stream()
                        .anyMatch(s -> s.runner != null && !s.runner.jvm().isAlive()))
                .until(done);
    }

    private static String errors() {
        return SOURCES.stream().filter(s -> s.runner != null)
                .map(s -> s.name + ":\n" + s.runner.errors()).collect(Collectors.joining("\n"));
    }

    /** The stream's records by sequence number, read with the DynamoDB Streams API. */
    private static Map<BigInteger, ShardRecord> stream() {
        Map<BigInteger, ShardRecord> bySequence = new LinkedHashMap<>();
        StreamAudit.readRecords(dynamo, streamArn).forEach(r -> bySequence.put(r.sequenceNumber(), r));
        return bySequence;
    }

    private static Set<BigInteger> distinctSequenceNumbers(List<ReceivedMessage> messages) {
        return messages.stream().map(ReceivedMessage::sequenceNumber).collect(Collectors.toSet());
    }

    /** Waits until the source's topic holds every stream record the predicate selects; returns the records. */
    private static Map<BigInteger, ShardRecord> awaitAll(Source source, Duration timeout,
                                                         java.util.function.Predicate<Record> published) {
        Map<BigInteger, ShardRecord> expected = new LinkedHashMap<>();
        stream().forEach((seq, r) -> {
            if (published.test(r.record())) {
                expected.put(seq, r);
            }
        });
        awaitDelivery(timeout, source.name + ": " + expected.size() + " changes",
                () -> distinctSequenceNumbers(source.consumer.received()).containsAll(expected.keySet()));
        return expected;
    }

    /** The key PRIMARY_KEY mode gives an item of this table, written independently of the connector. */
    private static String messageKey(String id) throws Exception {
        return DocumentedFormats.JSON.writeValueAsString(Map.of("id", Map.of("S", id)));
    }

    private static String idOfKey(String key) throws Exception {
        return TopicCompaction.itemId(key);
    }

    private static void assertKeyPropertiesAndEventTime(ReceivedMessage m, Record record) throws Exception {
        assertThat(m.key()).isEqualTo(messageKey(record.dynamodb().keys().get("id").s()));
        assertThat(m.properties()).isEqualTo(Map.of("EVENT_NAME", record.eventNameAsString(),
                "SEQUENCE_NUMBER", record.dynamodb().sequenceNumber()));
        assertThat(m.eventTime()).isEqualTo(record.dynamodb().approximateCreationDateTime().toEpochMilli());
    }

    /** An envelope's before or after: the image in plain JSON, or null when the record has none. */
    private static void assertImage(String field, Map<String, AttributeValue> image, JsonNode envelope) {
        if (image == null) {
            assertThat(envelope.get(field).isNull()).as(field).isTrue();
        } else {
            assertThat(DocumentedFormats.plainItemDifference(field, image, envelope.get(field))).isNull();
        }
    }

    private static void printExample(String what, List<ReceivedMessage> messages,
                                     java.util.function.Predicate<ReceivedMessage> which) {
        messages.stream().filter(which).findFirst().ifPresent(m ->
                System.out.println("OutputFormatsIT example, " + what + ":\n" + m.toConsoleString()));
    }

    // ---- tests -----------------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void documentOnAStreamWithoutNewImagesFailsOpenWithOneLine() {
        String table = "keys-only";
        String keysOnlyArn = dynamo.client().createTable(b -> b.tableName(table)
                        .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                        .attributeDefinitions(AttributeDefinition.builder().attributeName("id")
                                .attributeType(ScalarAttributeType.S).build())
                        .billingMode(BillingMode.PAY_PER_REQUEST)
                        .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.KEYS_ONLY)))
                .tableDescription().latestStreamArn();
        Map<String, Object> config = dynamo.sourceConfig(keysOnlyArn, "it-keys-only");
        config.put("outputFormat", "DOCUMENT");

        IllegalArgumentException error = catchThrowableOfType(
                () -> SourceHarness.open(config, "keys-only", r -> true).close(), IllegalArgumentException.class);

        assertThat(error).isNotNull();
        assertThat(error.getMessage()).isEqualTo("Invalid config 'outputFormat': DOCUMENT needs a stream view type "
                + "with new images (NEW_IMAGE or NEW_AND_OLD_IMAGES), but stream " + keysOnlyArn + " has KEYS_ONLY");
        assertThat(dynamo.client().listTables().tableNames()).as("KCL never started").doesNotContain("it-keys-only");
    }

    @Test
    @Order(2)
    void filtersPublishOnlyTheMatchingChangesAndARestartNeitherRepeatsNorLosesAny() throws Exception {
        Map<BigInteger, ShardRecord> firstPart = awaitAll(FILTERED, FIRST_DELIVERY, OutputFormatsIT::passesFilters);
        BigInteger lastOfFirstPart = stream().keySet().stream().max(BigInteger::compareTo).orElseThrow();
        assertThat(stream().get(lastOfFirstPart).record().eventNameAsString()).isEqualTo("REMOVE");

        assertThat(FILTERED.runner.stop()).as("LocalRunner exit on SIGTERM").isNotEqualTo(-1);
        int atStop = FILTERED.consumer.received().size();
        assertThat(new BigInteger(dynamo.checkpoints(FILTERED.application()).values().iterator().next()))
                .as("the checkpoint passed the filtered REMOVEs at the end").isEqualTo(lastOfFirstPart);
        writeSecondWorkload();
        startSource(FILTERED);
        Map<BigInteger, ShardRecord> expected = awaitAll(FILTERED, DELIVERY, OutputFormatsIT::passesFilters);
        assertThat(expected.size()).isGreaterThan(firstPart.size());
        assertThat(expected.values()).as("the workload has matching changes of every kind the patterns accept")
                .anySatisfy(r -> assertThat(r.record().eventNameAsString()).isEqualTo("MODIFY"))
                .anySatisfy(r -> assertThat(r.record().dynamodb().keys().get("id").s()).startsWith("item-1"))
                .anySatisfy(r -> assertThat(r.record().dynamodb().keys().get("id").s()).startsWith("addr-"));

        List<ReceivedMessage> messages = FILTERED.consumer.received();
        assertThat(messages).extracting(ReceivedMessage::eventName).as("no REMOVE, so no tombstone either")
                .containsOnly("INSERT", "MODIFY");
        assertThat(messages).allSatisfy(m -> assertThat(m.value()).isNotEmpty());
        assertThat(distinctSequenceNumbers(messages)).as("every matching INSERT and MODIFY, counted")
                .isEqualTo(expected.keySet());
        assertThat(messages).as("a graceful restart from the checkpoint publishes nothing twice")
                .hasSize(expected.size());
        assertThat(messages.subList(atStop, messages.size())).extracting(ReceivedMessage::sequenceNumber)
                .allSatisfy(seq -> assertThat(seq).isGreaterThan(lastOfFirstPart));
        long removes = stream().values().stream().filter(r -> isRemove(r.record())).count();
        System.out.printf("filters: %d matching INSERT/MODIFY published of %d changes (%d REMOVEs), %d before "
                + "the restart%n", messages.size(), stream().size(), removes, atStop);
    }

    private static boolean isRemove(Record record) {
        return record.eventNameAsString().equals("REMOVE");
    }

    @Test
    @Order(3)
    void dynamodbJsonCarriesEveryChangeTypedAsTheBuiltinDoes() throws Exception {
        Map<BigInteger, ShardRecord> expected = awaitAll(JSON_SOURCE, FIRST_DELIVERY, r -> true);
        List<ReceivedMessage> messages = JSON_SOURCE.consumer.received();
        assertThat(messages).hasSize(expected.size());

        for (ReceivedMessage m : messages) {
            Record record = expected.get(m.sequenceNumber()).record();
            assertKeyPropertiesAndEventTime(m, record);
            JsonNode dynamodb = DocumentedFormats.parse(m.value()).get("dynamodb");
            assertThat(DocumentedFormats.typedItemDifference("Keys", record.dynamodb().keys(), dynamodb.get("Keys")))
                    .isNull();
            if (record.dynamodb().hasNewImage()) {
                assertThat(DocumentedFormats.typedItemDifference("NewImage", record.dynamodb().newImage(),
                        dynamodb.get("NewImage"))).isNull();
            }
            if (record.dynamodb().hasOldImage()) {
                assertThat(DocumentedFormats.typedItemDifference("OldImage", record.dynamodb().oldImage(),
                        dynamodb.get("OldImage"))).isNull();
            }
        }
        printExample("DYNAMODB_JSON", messages, m -> m.key().contains("user0") && m.eventName().equals("MODIFY"));
    }

    @Test
    @Order(4)
    void documentCarriesEachItemAsPlainJsonAndEachRemoveAsATombstone() throws Exception {
        Map<BigInteger, ShardRecord> expected = awaitAll(DOCUMENT, FIRST_DELIVERY, r -> true);
        List<ReceivedMessage> messages = DOCUMENT.consumer.received();
        assertThat(messages).hasSize(expected.size());

        for (ReceivedMessage m : messages) {
            Record record = expected.get(m.sequenceNumber()).record();
            assertKeyPropertiesAndEventTime(m, record);
            if (isRemove(record)) {
                assertThat(m.value()).as("a REMOVE is a tombstone").isEmpty();
            } else {
                assertThat(DocumentedFormats.plainItemDifference("value", record.dynamodb().newImage(),
                        DocumentedFormats.parse(m.value()))).isNull();
            }
        }
        printExample("DOCUMENT", messages, m -> m.key().contains("user0") && m.eventName().equals("MODIFY"));
        printExample("DOCUMENT tombstone", messages, m -> m.key().contains("user9") && m.value().length == 0);
    }

    @Test
    @Order(5)
    void envelopeCarriesEveryChangeAndFollowsEachDeleteWithATombstone() throws Exception {
        Map<BigInteger, ShardRecord> expected = awaitAll(ENVELOPE, FIRST_DELIVERY, r -> true);
        long removes = expected.values().stream().filter(r -> isRemove(r.record())).count();
        awaitDelivery(DELIVERY, "every tombstone", () -> ENVELOPE.consumer.received().size()
                >= expected.size() + removes);
        List<ReceivedMessage> messages = ENVELOPE.consumer.received();
        assertThat(messages).hasSize((int) (expected.size() + removes));

        Map<String, List<ReceivedMessage>> perKey = new LinkedHashMap<>();
        long now = System.currentTimeMillis();
        for (ReceivedMessage m : messages) {
            ShardRecord shardRecord = expected.get(m.sequenceNumber());
            Record record = shardRecord.record();
            assertKeyPropertiesAndEventTime(m, record);
            perKey.computeIfAbsent(m.key(), k -> new ArrayList<>()).add(m);
            if (m.value().length == 0) {
                assertThat(record.eventNameAsString()).as("only a delete has a tombstone").isEqualTo("REMOVE");
                continue;
            }
            JsonNode envelope = DocumentedFormats.parse(m.value());
            String op = Map.of("INSERT", "c", "MODIFY", "u", "REMOVE", "d").get(record.eventNameAsString());
            assertThat(envelope.get("op").textValue()).isEqualTo(op);
            assertThat(DocumentedFormats.plainItemDifference("keys", record.dynamodb().keys(), envelope.get("keys")))
                    .isNull();
            assertImage("before", record.dynamodb().hasOldImage() ? record.dynamodb().oldImage() : null, envelope);
            assertImage("after", record.dynamodb().hasNewImage() ? record.dynamodb().newImage() : null, envelope);
            JsonNode source = envelope.get("source");
            assertThat(source.get("table").textValue()).isEqualTo(TABLE);
            assertThat(source.get("region").textValue()).isEqualTo("ddblocal");
            assertThat(source.get("stream_arn").textValue()).isEqualTo(streamArn);
            assertThat(source.get("shard_id").textValue()).isEqualTo(shardRecord.shardId());
            assertThat(source.get("sequence_number").textValue()).isEqualTo(record.dynamodb().sequenceNumber());
            assertThat(source.get("ts_ms").longValue())
                    .isEqualTo(record.dynamodb().approximateCreationDateTime().toEpochMilli());
            assertThat(envelope.get("ts_ms").longValue()).as("read by the connector during this test")
                    .isBetween(startedMillis, now).isGreaterThanOrEqualTo(source.get("ts_ms").longValue());
        }
        for (List<ReceivedMessage> changes : perKey.values()) {
            for (int i = 0; i < changes.size(); i++) {
                if (changes.get(i).eventName().equals("REMOVE") && changes.get(i).value().length > 0) {
                    assertThat(i + 1).as("a message after the delete of %s", changes.get(i).key())
                            .isLessThan(changes.size());
                    ReceivedMessage next = changes.get(i + 1);
                    assertThat(next.value()).as("the delete's tombstone, next for its key").isEmpty();
                    assertThat(next.sequenceNumber()).isEqualTo(changes.get(i).sequenceNumber());
                }
            }
        }
        printExample("ENVELOPE", messages, m -> m.key().contains("user0") && m.eventName().equals("MODIFY"));
        printExample("ENVELOPE delete", messages, m -> m.key().contains("user9") && m.value().length > 0
                && m.eventName().equals("REMOVE"));
        printExample("ENVELOPE tombstone", messages, m -> m.key().contains("user9") && m.value().length == 0);
    }

    @Test
    @Order(6)
    void aCompactedDocumentTopicIsTheTable() throws Exception {
        awaitAll(DOCUMENT, DELIVERY, r -> true);
        Map<String, JsonNode> compacted = compactAndRead(DOCUMENT);

        assertThat(compacted).hasSize(scan().size());
        for (Map.Entry<String, Map<String, AttributeValue>> item : scan().entrySet()) {
            assertThat(DocumentedFormats.plainItemDifference(item.getKey(), item.getValue(),
                    compacted.get(item.getKey()))).isNull();
        }
    }

    @Test
    @Order(7)
    void aCompactedEnvelopeTopicWithTombstonesIsTheTable() throws Exception {
        Map<BigInteger, ShardRecord> expected = awaitAll(ENVELOPE, DELIVERY, r -> true);
        long removes = expected.values().stream().filter(r -> isRemove(r.record())).count();
        awaitDelivery(DELIVERY, "every tombstone", () -> ENVELOPE.consumer.received().size()
                >= expected.size() + removes);
        Map<String, JsonNode> compacted = compactAndRead(ENVELOPE);

        assertThat(compacted).hasSize(scan().size());
        for (Map.Entry<String, Map<String, AttributeValue>> item : scan().entrySet()) {
            JsonNode envelope = compacted.get(item.getKey());
            assertThat(envelope).as(item.getKey()).isNotNull();
            assertThat(envelope.get("op").textValue()).isIn("c", "u");
            assertThat(DocumentedFormats.plainItemDifference(item.getKey(), item.getValue(), envelope.get("after")))
                    .isNull();
        }
    }

    /** The table as a final Scan shows it, by item id. */
    private static Map<String, Map<String, AttributeValue>> scan() {
        Map<String, Map<String, AttributeValue>> items = new TreeMap<>();
        dynamo.client().scanPaginator(b -> b.tableName(TABLE)).items()
                .forEach(item -> items.put(item.get("id").s(), item));
        assertThat(items).as("the workload leaves items").hasSizeGreaterThan(20);
        return items;
    }

    /** The source's topic, compacted and read back: item id to its one value. */
    private static Map<String, JsonNode> compactAndRead(Source source) throws Exception {
        Map<String, JsonNode> items = TopicCompaction.compactAndRead(pulsar, client, source.name, DELIVERY);
        System.out.printf("%s: %d messages in the topic, %d after compaction%n", source.name,
                source.consumer.received().size(), items.size());
        return items;
    }
}
