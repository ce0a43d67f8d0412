package org.apache.pulsar.io.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.Level;
import org.apache.pulsar.functions.api.Record;
import org.apache.pulsar.io.dynamodb.e2e.StreamAudit;
import org.apache.pulsar.io.dynamodb.testing.DynamoDbLocal;
import org.apache.pulsar.io.dynamodb.testing.LogCapture;
import org.apache.pulsar.io.dynamodb.testing.SourceHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Tables instead of ARNs, in process: the source against DynamoDB Local and the real KCL, the test playing Pulsar
 * (it sees each record's destination topic and properties). Ground truth is each stream read with the Streams API.
 */
class TablesSourceIT {

    private static final Duration DELIVERY = Duration.ofSeconds(90);
    private static final String TOPICS = "persistent://public/default/it-{table}";

    private static final String PASS_LOGGER = "org.apache.pulsar.io.dynamodb.kcl.TableStreams";

    private static DynamoDbLocal dynamo;

    private static int passes(LogCapture logs) {
        return (int) logs.events().stream().filter(e -> e.message().startsWith("Looked at the tables")).count();
    }

    @BeforeAll
    static void start() throws Exception {
        dynamo = DynamoDbLocal.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (dynamo != null) {
            dynamo.close();
        }
    }

    private static Map<String, Object> config(String applicationName, Object... keysAndValues) {
        Map<String, Object> config = dynamo.sourceConfig(null, applicationName);
        config.remove("awsDynamodbStreamArn");
        config.put("awsRegion", "ddblocal");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            config.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return config;
    }

    private static Map<String, AttributeValue> item(String id, int version) {
        return Map.of("id", AttributeValue.fromS(id), "version", AttributeValue.fromN(Integer.toString(version)));
    }

    private static void createTableWithoutStream(String table) {
        dynamo.client().createTable(b -> b.tableName(table)
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("id")
                        .attributeType(ScalarAttributeType.S).build())
                .billingMode(BillingMode.PAY_PER_REQUEST));
    }



    private static List<Record<byte[]>> of(SourceHarness harness, String table) {
        return harness.received().stream()
                .filter(r -> table.equals(r.getProperties().get("TABLE_NAME"))).toList();
    }

    /**
     * Every change of the table's streams (oldest stream first, each read with the Streams API from its first
     * record) arrived, in the table's topic, and each item's changes were first seen in that order.
     */
    private static void assertEveryChange(SourceHarness harness, String table, List<String> streamArns) {
        assertEveryChange(of(harness, table), table, streamArns, BigInteger.ZERO);
        assertThat(of(harness, table)).allSatisfy(record ->
                assertThat(record.getDestinationTopic()).contains(TOPICS.replace("{table}", table)));
    }

    /**
     * The records hold every change of the streams (the first from sequence number {@code firstFrom} on, the others
     * from their first record), and each item's changes were first seen in that order: the streams' one after the
     * other.
     */
    private static void assertEveryChange(List<Record<byte[]>> records, String table, List<String> streamArns,
                                          BigInteger firstFrom) {
        Map<BigInteger, String> sequenceToItem = new HashMap<>();
        Map<String, List<BigInteger>> expected = new LinkedHashMap<>();
        for (String arn : streamArns) {
            for (StreamAudit.Change change : StreamAudit.readStream(dynamo, arn)) {
                if (arn.equals(streamArns.get(0)) && change.sequenceNumber().compareTo(firstFrom) < 0) {
                    continue;
                }
                sequenceToItem.put(change.sequenceNumber(), change.itemId());
                expected.computeIfAbsent(change.itemId(), k -> new ArrayList<>()).add(change.sequenceNumber());
            }
        }
        Map<String, List<BigInteger>> firstSeen = new LinkedHashMap<>();
        for (Record<byte[]> record : records) {
            BigInteger sequence = new BigInteger(record.getProperties().get("SEQUENCE_NUMBER"));
            assertThat(sequenceToItem).as("%s: a message not in the table's streams", table).containsKey(sequence);
            List<BigInteger> seen = firstSeen.computeIfAbsent(sequenceToItem.get(sequence), k -> new ArrayList<>());
            if (!seen.contains(sequence)) {
                seen.add(sequence);
            }
        }
        assertThat(firstSeen).as("%s: each item's changes, in stream order", table).isEqualTo(expected);
    }

    @Test
    void tableNameFindsTheTablesStreamItself() throws Exception {
        dynamo.createTableWithStream("named");
        try (SourceHarness harness = SourceHarness.open(config("it-named", "tableName", "named"), "it-named",
                record -> true)) {
            for (int i = 0; i < 5; i++) {
                dynamo.put("named", item("n" + i, 1));
            }
            await().atMost(DELIVERY).until(() -> harness.received().size() >= 5);
            assertThat(harness.received()).allSatisfy(r -> {
                assertThat(r.getProperties()).doesNotContainKey("TABLE_NAME");
                assertThat(r.getDestinationTopic()).isEmpty();
            });
            assertThat(harness.received()).hasSize(StreamAudit.readStream(dynamo, dynamo.latestStream("named")).size());
        }
    }

    /**
     * tableName and a writer running, two instances of the source sharing the lease table: the table's stream
     * disabled and enabled again, twice. Each instance (started at LATEST) finishes each stream and goes on with the
     * next from its first record, without a restart: every change of each stream arrives, in order per item (the
     * two instances' records in the order they were read), and each instance says once per switch that changes made
     * while the stream was off are in no stream.
     */
    @Test
    void tableNameFollowsItsStreamDisabledAndEnabledAgainTwiceUnderLoadWithoutARestart() throws Exception {
        List<String> streams = new ArrayList<>(List.of(dynamo.createTableWithStream("follow")));
        Map<String, Object> config = config("it-follow", "tableName", "follow", "initialPositionInStream", "LATEST");
        // both instances' records in the order Pulsar read them
        List<Record<byte[]>> read = java.util.Collections.synchronizedList(new ArrayList<>());
        try (LogCapture logs = LogCapture.start();
             SourceHarness one = SourceHarness.open(config, "it-follow", 0, record -> read.add(record));
             SourceHarness two = SourceHarness.open(config, "it-follow", 1, record -> read.add(record))) {
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicInteger version = new AtomicInteger();
            Thread writer = new Thread(() -> {
                while (writing.get()) {
                    int v = version.incrementAndGet();
                    dynamo.put("follow", item("f-" + (v % 7), v));
                }
            }, "it-follow-writer");
            writer.start();
            await().atMost(DELIVERY).until(() -> !read.isEmpty());
            BigInteger firstRead = new BigInteger(read.get(0).getProperties().get("SEQUENCE_NUMBER"));

            for (int round = 1; round <= 2; round++) {
                reEnable("follow", streams, version);
                int switches = 2 * round;  // each instance
                await().atMost(Duration.ofSeconds(150)).untilAsserted(() -> assertThat(logs.events())
                        .filteredOn(e -> e.message().contains("continuing on the table's new stream")).hasSize(switches));
            }
            writing.set(false);
            writer.join();

            await().atMost(DELIVERY).untilAsserted(() -> assertEveryChange(List.copyOf(read), "follow", streams,
                    firstRead));
            assertThat(streams).doesNotHaveDuplicates().hasSize(3);
            for (int i = 1; i < streams.size(); i++) {
                assertThat(StreamAudit.readStream(dynamo, streams.get(i))).as("stream %d got changes", i).isNotEmpty();
                String before = streams.get(i - 1);
                String after = streams.get(i);
                assertThat(logs.events()).filteredOn(e -> e.message().contains("Table follow: stream " + before
                        + " was read to its end; continuing on the table's new stream " + after)).hasSize(2);
            }
            assertThat(logs.eventsAtLeast(Level.WARN)).filteredOn(e -> e.message().contains("were recorded by no stream"))
                    .as("once per re-enabled stream and instance").hasSize(4);
            assertThat(one.readFailure()).as("the same instances went on: they never failed").isNull();
            assertThat(two.readFailure()).isNull();
            assertThat(logs.eventsAtLeast(Level.ERROR)).as("no ERROR from the connector")
                    .noneMatch(e -> e.logger().startsWith("org.apache.pulsar.io.dynamodb"));
            // KCL's own ERROR when it handed an instance still on the old stream a lease of the new one: refused
            long refused = logs.eventsAtLeast(Level.ERROR).stream()
                    .filter(e -> e.allText().contains("is not a shard of disabled stream")).count();
            // the finished streams' leases are gone: the lease table holds the current stream's only
            assertThat(StreamAudit.shardIds(dynamo, streams.get(2))).as("the lease table holds only the last stream's")
                    .containsAll(dynamo.checkpoints("it-follow").keySet());
            assertThat(dynamo.checkpoints("it-follow")).isNotEmpty();
            System.out.printf("follow: %d records read by two instances; the streams hold %s changes (the first read "
                    + "from the first record after the start at LATEST); %d leases of the next stream refused on an "
                    + "old one%n", read.size(),
                    streams.stream().map(arn -> StreamAudit.readStream(dynamo, arn).size()).toList(), refused);
        }
    }

    /**
     * tableName restarted across re-enables, a writer running throughout. An instance closed, the stream getting more
     * changes and re-enabled while none runs: the next instance reads the earlier
     * stream to its end first, then the new one from its first record. The stream disabled and not enabled again: the
     * source waits, saying so once. Restarted after the stream is enabled again: the new stream from its first record
     * (initialPositionInStream is LATEST), the finished stream's leases deleted. Every change of every stream arrives.
     */
    @Test
    void tableNameRestartedAcrossReEnablesReadsEveryStreamToItsEndAndTheNextFromItsFirstRecord() throws Exception {
        List<String> streams = new ArrayList<>(List.of(dynamo.createTableWithStream("refollow")));
        Map<String, Object> config = config("it-refollow", "tableName", "refollow", "initialPositionInStream",
                "LATEST");
        List<Record<byte[]>> received = new ArrayList<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger version = new AtomicInteger();
        Thread writer = new Thread(() -> {
            while (writing.get()) {
                int v = version.incrementAndGet();
                dynamo.put("refollow", item("r-" + (v % 7), v));
            }
        }, "it-refollow-writer");
        try (LogCapture logs = LogCapture.start()) {
            BigInteger firstRead;
            SourceHarness first = SourceHarness.open(config, "it-refollow", record -> true);
            try (first) {
                writer.start();
                await().atMost(DELIVERY).until(() -> dynamo.checkpoints("it-refollow").values().stream()
                        .anyMatch(checkpoint -> checkpoint.matches("[0-9]+")));
                firstRead = new BigInteger(first.received().get(0).getProperties().get("SEQUENCE_NUMBER"));
            }
            // what it read until it closed: records acknowledged while closing are checkpointed too
            received.addAll(first.received());
            // no instance runs while the stream gets more changes, is disabled and enabled again
            int closed = version.get();
            await().atMost(DELIVERY).until(() -> version.get() > closed + 30);
            reEnable("refollow", streams, version);
            SourceHarness second = SourceHarness.open(config, "it-refollow", record -> true);
            try (second) {
                await().atMost(Duration.ofSeconds(150)).untilAsserted(() -> assertThat(logs.events()).anySatisfy(e ->
                        assertThat(e.message()).contains("Table refollow: stream " + streams.get(0)
                                + " was read to its end; continuing on the table's new stream " + streams.get(1))));
                dynamo.setStream("refollow", false);
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(logs.eventsAtLeast(Level.WARN))
                        .anySatisfy(e -> assertThat(e.message()).contains(streams.get(1))
                                .contains("the table has no enabled stream")));
                int waiting = version.get();
                await().atMost(DELIVERY).until(() -> version.get() > waiting + 20);
                assertThat(second.readFailure()).isNull();
            }
            received.addAll(second.received());
            dynamo.setStream("refollow", true);
            streams.add(dynamo.latestStream("refollow"));
            int enabled = version.get();
            await().atMost(DELIVERY).until(() -> version.get() > enabled + 50);
            try (SourceHarness third = SourceHarness.open(config, "it-refollow", record -> true)) {
                int opened = version.get();
                await().atMost(DELIVERY).until(() -> version.get() > opened + 50);
                writing.set(false);
                writer.join();
                await().atMost(DELIVERY).untilAsserted(() -> {
                    List<Record<byte[]>> all = new ArrayList<>(received);
                    all.addAll(third.received());
                    assertEveryChange(all, "refollow", streams, firstRead);
                });
                assertThat(third.readFailure()).isNull();
            }
            assertThat(streams).doesNotHaveDuplicates().hasSize(3);
            assertThat(logs.events()).filteredOn(e -> e.message().contains("holds unfinished leases of earlier stream "
                    + streams.get(0))).hasSize(1);
            assertThat(logs.events()).filteredOn(e -> e.message().contains("held only the 1 finished leases"))
                    .hasSize(1);
            assertThat(logs.events()).filteredOn(e -> e.message().contains("Table refollow: stream " + streams.get(1)
                    + " was read to its end; continuing on the table's new stream " + streams.get(2))).hasSize(1);
            assertThat(logs.eventsAtLeast(Level.WARN)).filteredOn(e -> e.message().contains("the table has no enabled "
                    + "stream")).as("said once, not on every look").hasSize(1);
            assertThat(logs.eventsAtLeast(Level.WARN)).filteredOn(e -> e.message().contains("were recorded by no stream"))
                    .as("once per re-enabled stream").hasSize(2);
        } finally {
            writing.set(false);
            writer.join();
        }
    }

    /** Disables the table's stream, writes 20 changes that no stream records, enables it and writes 50 more. */
    private static void reEnable(String table, List<String> streams, AtomicInteger version) {
        dynamo.setStream(table, false);
        int whileDisabled = version.get();
        await().atMost(DELIVERY).until(() -> version.get() > whileDisabled + 20);
        dynamo.setStream(table, true);
        streams.add(dynamo.latestStream(table));
        int afterEnable = version.get();
        await().atMost(DELIVERY).until(() -> version.get() > afterEnable + 50);
    }

    @Test
    void threeTablesOneSourceEachToItsTopicThroughAReEnabledStreamAndADeletedTable() throws Exception {
        Map<String, List<String>> streams = new HashMap<>();
        for (String table : List.of("t-a", "t-b", "t-c")) {
            streams.put(table, new ArrayList<>(List.of(dynamo.createTableWithStream(table))));
        }
        try (LogCapture logs = LogCapture.start();
             SourceHarness harness = SourceHarness.open(config("it-tables", "tables", List.of("t-a", "t-b", "t-c"),
                     "topicPattern", TOPICS, "discoveryInterval", "2000"), "it-tables", record -> true)) {
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicInteger version = new AtomicInteger();
            AtomicBoolean tcGone = new AtomicBoolean();
            Thread writer = new Thread(() -> {
                while (writing.get()) {
                    int v = version.incrementAndGet();
                    for (String table : List.of("t-a", "t-b", "t-c")) {
                        if (table.equals("t-c") && tcGone.get()) {
                            continue;
                        }
                        try {
                            dynamo.put(table, item(table + "-" + (v % 7), v));
                        } catch (RuntimeException e) {
                            // tb's stream off, tc deleted: the write simply happens without a stream or not at all
                        }
                    }
                }
            }, "it-writer");
            writer.start();
            await().atMost(DELIVERY).until(() -> !of(harness, "t-a").isEmpty() && !of(harness, "t-b").isEmpty()
                    && !of(harness, "t-c").isEmpty());

            dynamo.setStream("t-b", false);
            int whileDisabled = version.get();
            await().atMost(DELIVERY).until(() -> version.get() > whileDisabled + 20);
            dynamo.setStream("t-b", true);
            streams.get("t-b").add(dynamo.latestStream("t-b"));

            tcGone.set(true);
            dynamo.client().deleteTable(b -> b.tableName("t-c"));
            int afterDelete = version.get();
            await().atMost(DELIVERY).until(() -> version.get() > afterDelete + 50);
            writing.set(false);
            writer.join();

            await().atMost(DELIVERY).untilAsserted(() -> {
                // ta's and tb's include the 50 rounds written after tc was deleted
                for (String table : List.of("t-a", "t-b", "t-c")) {
                    assertEveryChange(harness, table, streams.get(table));
                }
            });
            await().atMost(DELIVERY).untilAsserted(() -> assertThat(logs.events()).anySatisfy(e ->
                    assertThat(e.message()).contains("Table t-b: stream").contains("continuing on the table's new stream")));
            assertThat(logs.eventsAtLeast(Level.WARN)).filteredOn(e -> e.message().contains("were recorded by no stream"))
                    .hasSize(1);
            await().atMost(DELIVERY).untilAsserted(() -> assertThat(logs.events()).anySatisfy(e ->
                    assertThat(e.message()).contains("Table t-c: stream").contains("the table was deleted")));
            assertThat(harness.readFailure()).isNull();
        }
    }

    @Test
    void tablesFoundByPrefixArePickedUpWhileRunningAndATableWithoutStreamIsReportedOnce() throws Exception {
        dynamo.createTableWithStream("disc-one");
        createTableWithoutStream("disc-nostream");
        try (LogCapture logs = LogCapture.start(Map.of(PASS_LOGGER, Level.DEBUG));
             SourceHarness harness = SourceHarness.open(config("it-disc", "tableNamePrefix", "disc-",
                     "discoveryInterval", "2000"), "it-disc", record -> true)) {
            dynamo.put("disc-one", item("a", 1));
            await().atMost(DELIVERY).until(() -> of(harness, "disc-one").size() == 1);

            dynamo.createTableWithStream("disc-two");
            dynamo.put("disc-two", item("b", 1));
            // the discovery interval (2 s), the lease assignment (2 s) and the first poll, with room for a busy host
            await().atMost(Duration.ofSeconds(30)).until(() -> of(harness, "disc-two").size() == 1);

            int passesSoFar = passes(logs);
            await().atMost(Duration.ofSeconds(30)).until(() -> passes(logs) >= passesSoFar + 3);
            assertThat(logs.events()).filteredOn(e -> e.message().contains("Table disc-nostream has no enabled stream"))
                    .hasSize(1);
            long passes = logs.events().stream().filter(e -> e.message().contains("reading stream")).count();
            assertThat(passes).isEqualTo(2);
            assertThat(harness.received()).allSatisfy(r -> assertThat(r.getDestinationTopic()).isEmpty());
        }
    }
    @Test
    void aTableWhoseStreamCannotGiveDocumentsIsSkippedWithOneErrorWhileTheOthersAreRead() throws Exception {
        dynamo.createTableWithStream("view-new");
        dynamo.client().createTable(b -> b.tableName("view-keys")
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("id")
                        .attributeType(ScalarAttributeType.S).build())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .streamSpecification(spec -> spec.streamEnabled(true).streamViewType(StreamViewType.KEYS_ONLY)));
        try (LogCapture logs = LogCapture.start(Map.of(PASS_LOGGER, Level.DEBUG));
             SourceHarness harness = SourceHarness.open(config("it-view", "tableNamePrefix", "view-",
                     "outputFormat", "DOCUMENT", "discoveryInterval", "2000"), "it-view", record -> true)) {
            dynamo.put("view-keys", item("k", 1));
            dynamo.put("view-new", item("n", 1));
            await().atMost(DELIVERY).until(() -> of(harness, "view-new").size() == 1);

            int passesSoFar = passes(logs);
            await().atMost(Duration.ofSeconds(30)).until(() -> passes(logs) >= passesSoFar + 3);
            assertThat(logs.events()).filteredOn(e -> e.level() == Level.ERROR)
                    .singleElement().satisfies(e -> assertThat(e.message())
                            .contains("Table view-keys is not read", "outputFormat DOCUMENT", "KEYS_ONLY"));
            assertThat(of(harness, "view-keys")).isEmpty();
            assertThat(harness.readFailure()).isNull();
            assertThat(new String(of(harness, "view-new").get(0).getValue(), java.nio.charset.StandardCharsets.UTF_8))
                    .contains("\"id\":\"n\"");
        }
    }
}
