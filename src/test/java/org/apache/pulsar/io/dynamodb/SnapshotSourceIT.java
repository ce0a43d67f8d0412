package org.apache.pulsar.io.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.logging.log4j.Level;
import org.apache.pulsar.functions.api.Record;
import org.apache.pulsar.io.dynamodb.e2e.StreamAudit;
import org.apache.pulsar.io.dynamodb.testing.DynamoDbLocal;
import org.apache.pulsar.io.dynamodb.testing.LogCapture;
import org.apache.pulsar.io.dynamodb.testing.SourceHarness;
import org.apache.pulsar.io.dynamodb.testing.TableLoad;
import org.apache.pulsar.io.dynamodb.testing.TrimmedCheckpoints;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * snapshotMode with the real KCL and DynamoDB Local, the test playing Pulsar in-process (acknowledging everything,
 * restarting a failed source as Pulsar would): the items arrive as snapshot reads, then the changes, and the last
 * message of each item is its state in the table. A checkpoint past the stream's retention is simulated with
 * {@link TrimmedCheckpoints}, which answers as AWS does for trimmed records.
 */
class SnapshotSourceIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DELIVERY = Duration.ofSeconds(120);

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
                "tier", AttributeValue.fromS(i % 3 == 0 ? "gold" : "basic"),
                "payload", AttributeValue.fromS("x".repeat(50)));
    }

    private static Map<String, Object> config(String arn, String app, String mode) {
        Map<String, Object> config = dynamo.sourceConfig(arn, app);
        config.put("awsRegion", "us-east-1");
        config.put("snapshotMode", mode);
        config.put("snapshotSegments", "3");
        config.put("snapshotReadCapacityPerSecond", "0");
        config.put("metricsReportInterval", "200");
        return config;
    }

    private static JsonNode value(Record<byte[]> record) {
        try {
            return JSON.readTree(record.getValue());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String eventName(Record<byte[]> record) {
        return record.getProperties().get("EVENT_NAME");
    }

    private static long count(List<Record<byte[]>> records, Predicate<Record<byte[]>> which) {
        return records.stream().filter(which).count();
    }

    /** Item id to its value of v as the last message of each item says: absent after a REMOVE. */
    private static Map<String, String> lastState(List<Record<byte[]>> topic) {
        Map<String, String> state = new TreeMap<>();
        for (Record<byte[]> record : topic) {
            JsonNode v = value(record);
            String id = v.at("/dynamodb/Keys/id/S").asText();
            if ("REMOVE".equals(eventName(record))) {
                state.remove(id);
            } else {
                state.put(id, v.at("/dynamodb/NewImage/v/N").asText());
            }
        }
        return state;
    }

    private static Map<String, String> tableState(String table) {
        Map<String, String> state = new TreeMap<>();
        TableLoad.scan(dynamo.client(), table).forEach(row -> state.put(row.get("id").s(), row.get("v").n()));
        return state;
    }

    private static String lastCheckpoint(String app) {
        return dynamo.checkpoints(app).values().stream().filter(c -> c != null && c.matches("\\d+")).findFirst()
                .orElse(null);
    }

    @Test
    void initialSnapshotOnceThenTheStreamAndTheLastMessageOfEachItemIsItsState() throws Exception {
        String table = "initial";
        String arn = dynamo.createTableWithStream(table);
        TableLoad.put(dynamo.client(), table, 0, 3_000, 2, i -> item(i, 0));
        Map<String, Object> config = config(arn, "it-initial", "INITIAL");
        List<Record<byte[]>> topic = new ArrayList<>();
        try (SourceHarness harness = SourceHarness.open(config, "it-initial", record -> true)) {
            await().atMost(DELIVERY).until(() -> count(harness.received(), r -> "SNAPSHOT".equals(eventName(r))) >= 3_000);
            for (int i = 0; i < 10; i++) {
                dynamo.put(table, item(i, 1));
            }
            dynamo.delete(table, "item20");
            await().atMost(DELIVERY).until(() -> count(harness.received(), r -> "REMOVE".equals(eventName(r))) >= 1);
            topic.addAll(harness.received());
            // the metrics Pulsar would show: every item read, every message published and acknowledged, the
            // snapshot over (no segments), its cursors and the shard's checkpoints stored
            int messages = topic.size();
            await("the snapshot's metrics reported").atMost(DELIVERY).untilAsserted(() -> {
                assertThat(harness.metricSum("snapshot_items")).isEqualTo(3_000);
                assertThat(harness.metricSum("records_published")).isEqualTo(messages);
                assertThat(harness.metricSum("records_acknowledged")).isEqualTo(messages);
                assertThat(harness.metricValues("snapshot_segments_total")).last().isEqualTo(0.0);
                assertThat(harness.metricValues("leases_held")).last().isEqualTo(1.0);
            });
            assertThat(harness.metricSum("checkpoints_written")).as("at least the 3 segments' END cursors")
                    .isGreaterThanOrEqualTo(3);
            assertThat(harness.metricSum("records_failed")).isZero();
        }
        List<Record<byte[]>> snapshot = topic.stream().filter(r -> "SNAPSHOT".equals(eventName(r))).toList();
        assertThat(snapshot).hasSize(3_000);
        Record<byte[]> read = snapshot.get(0);
        assertThat(read.getProperties()).containsOnlyKeys("EVENT_NAME");
        assertThat(read.getKey().orElseThrow()).isEqualTo("{\"id\":" + value(read).at("/dynamodb/Keys/id").toString() + "}");
        assertThat(read.getEventTime()).contains(value(read).at("/dynamodb/ApproximateCreationDateTime").asLong());
        assertThat(value(read).get("dynamodb").has("OldImage")).isFalse();
        assertThat(topic.indexOf(snapshot.get(snapshot.size() - 1)))
                .as("every snapshot read before the first stream record").isLessThan(topic.indexOf(topic.stream()
                        .filter(r -> !"SNAPSHOT".equals(eventName(r))).findFirst().orElseThrow()));
        assertThat(lastState(topic)).isEqualTo(tableState(table));

        // INITIAL: once complete, never again
        dynamo.put(table, item(1, 2));
        try (SourceHarness again = SourceHarness.open(config, "it-initial", record -> true)) {
            await().atMost(DELIVERY).until(() -> again.received().stream().anyMatch(r ->
                    "2".equals(value(r).at("/dynamodb/NewImage/v/N").asText())));
            assertThat(count(again.received(), r -> "SNAPSHOT".equals(eventName(r)))).isZero();
            topic.addAll(again.received());
        }
        assertThat(lastState(topic)).isEqualTo(tableState(table));
    }

    @Test
    void filterPatternsSelectSnapshotReadsAsTheyWouldSelectTheItemsInserts() throws Exception {
        String table = "filtered";
        String arn = dynamo.createTableWithStream(table);
        TableLoad.put(dynamo.client(), table, 0, 300, 1, i -> item(i, 0));
        Map<String, Object> config = config(arn, "it-filtered", "INITIAL");
        config.put("eventNames", "MODIFY");
        config.put("filterCriteria", "{\"eventName\":[\"INSERT\",\"MODIFY\"],\"dynamodb\":{\"NewImage\":"
                + "{\"tier\":{\"S\":[\"gold\"]}}}}");
        try (SourceHarness harness = SourceHarness.open(config, "it-filtered", record -> true)) {
            await().atMost(DELIVERY).until(() -> harness.received().size() >= 100);
            dynamo.put(table, item(3, 1));
            dynamo.put(table, item(4, 1));
            await().atMost(DELIVERY).until(() -> count(harness.received(), r -> "MODIFY".equals(eventName(r))) >= 1);
            List<Record<byte[]>> received = harness.received();
            assertThat(received).filteredOn(r -> "SNAPSHOT".equals(eventName(r))).hasSize(100)
                    .allSatisfy(r -> assertThat(value(r).at("/dynamodb/NewImage/tier/S").asText()).isEqualTo("gold"));
            assertThat(received).filteredOn(r -> !"SNAPSHOT".equals(eventName(r)))
                    .extracting(r -> value(r).at("/dynamodb/Keys/id/S").asText()).containsExactly("item3");
        }
    }

    @Test
    void withNoneACheckpointPastTheRetentionIsAnErrorThatSaysWhatWasLostAndIsCounted() throws Exception {
        String table = "gap-none";
        String arn = dynamo.createTableWithStream(table);
        for (int i = 0; i < 20; i++) {
            dynamo.put(table, item(i, 0));
        }
        Map<String, Object> config = config(arn, "it-gap-none", "NONE");
        try (SourceHarness harness = SourceHarness.open(config, "it-gap-none", record -> true)) {
            await().atMost(DELIVERY).until(() -> harness.received().size() >= 20);
            String last = harness.received().get(19).getProperties().get("SEQUENCE_NUMBER");
            await().atMost(DELIVERY).until(() -> last.equals(lastCheckpoint("it-gap-none")));
        }
        String checkpoint = lastCheckpoint("it-gap-none");
        for (int i = 20; i < 30; i++) {
            dynamo.put(table, item(i, 0));
        }
        TrimmedCheckpoints.trimUpTo(table, checkpoint);
        try (LogCapture log = LogCapture.start();
             SourceHarness harness = SourceHarness.open(config, "it-gap-none", record -> true)) {
            // from the oldest record on; KCL itself drops what is not after the checkpoint (here, still there)
            await().atMost(DELIVERY).until(() -> harness.received().size() >= 10);
            assertThat(harness.received()).extracting(r -> value(r).at("/dynamodb/Keys/id/S").asText())
                    .containsExactly("item20", "item21", "item22", "item23", "item24", "item25", "item26", "item27",
                            "item28", "item29");
            assertThat(harness.source().retentionGaps().count()).isEqualTo(1);
            await("the gap in the metrics").atMost(DELIVERY)
                    .until(() -> harness.metricSum("retention_gaps") == 1);
            assertThat(log.eventsAtLeast(Level.ERROR)).anySatisfy(error -> assertThat(error.message())
                    .contains("its checkpoint (sequence number " + checkpoint + ") is older than the stream's "
                            + "24-hour retention: the changes after it up to the oldest record still in the shard "
                            + "(sequence number ")
                    .contains("were trimmed and are not in the topic. Going on from the oldest record still in the "
                            + "stream. To bring the whole table into the topic again, set snapshotMode WHEN_NEEDED")
                    .endsWith("Retention gaps met since the source opened: 1"));
            assertThat(harness.readFailure()).as("the source goes on").isNull();
        } finally {
            TrimmedCheckpoints.disarm(table);
        }
    }

    @Test
    void withWhenNeededACheckpointPastTheRetentionSnapshotsAgainAndTheTopicEndsEqualToTheTable() throws Exception {
        String table = "gap-when-needed";
        String app = "it-gap-when-needed";
        String arn = dynamo.createTableWithStream(table);
        TableLoad.put(dynamo.client(), table, 0, 500, 2, i -> item(i, 0));
        Map<String, Object> config = config(arn, app, "WHEN_NEEDED");
        List<Record<byte[]>> topic = new ArrayList<>();
        try (SourceHarness harness = SourceHarness.open(config, app, record -> true)) {
            await().atMost(DELIVERY).until(() -> count(harness.received(), r -> "SNAPSHOT".equals(eventName(r))) >= 500);
            for (int i = 0; i < 20; i++) {
                dynamo.put(table, item(i, 1));
            }
            await().atMost(DELIVERY).until(() -> count(harness.received(), r -> "1".equals(
                    value(r).at("/dynamodb/NewImage/v/N").asText())) >= 20);
            String last = harness.received().get(harness.received().size() - 1).getProperties().get("SEQUENCE_NUMBER");
            await().atMost(DELIVERY).until(() -> new BigInteger(last).toString().equals(
                    lastCheckpoint(app) == null ? "" : new BigInteger(lastCheckpoint(app)).toString()));
            topic.addAll(harness.received());
        }
        // while the source is away, changes the stream will have lost by the time it is back
        String checkpoint = lastCheckpoint(app);
        for (int i = 20; i < 40; i++) {
            dynamo.put(table, item(i, 2));
        }
        for (int i = 40; i < 45; i++) {
            dynamo.delete(table, "item" + i);
        }
        TableLoad.put(dynamo.client(), table, 500, 510, 1, i -> item(i, 2));
        TrimmedCheckpoints.trimUpTo(table, checkpoint);
        int answeredBefore = TrimmedCheckpoints.answered();
        try (LogCapture log = LogCapture.start()) {
            try (SourceHarness gapped = SourceHarness.open(config, app, record -> true)) {
                await().atMost(DELIVERY).until(() -> gapped.readFailure() != null);
                assertThat(gapped.readFailure()).hasMessageContaining("snapshotMode WHEN_NEEDED: snapshot generation 2"
                        + " of table " + table + " begun");
                assertThat(gapped.source().retentionGaps().count()).isEqualTo(1);
                topic.addAll(gapped.received());
            }
            assertThat(TrimmedCheckpoints.answered()).isGreaterThan(answeredBefore);
            assertThat(log.eventsAtLeast(Level.ERROR)).anySatisfy(error -> assertThat(error.message())
                    .contains("older than the stream's 24-hour retention").contains("snapshot generation 2"));
        }
        // Pulsar restarts the failed instance: it reads generation 2, then the stream
        try (SourceHarness restarted = SourceHarness.open(config, app, record -> true)) {
            await().atMost(DELIVERY).until(() -> count(restarted.received(), r -> "SNAPSHOT".equals(eventName(r)))
                    >= 505);
            for (int i = 0; i < 5; i++) {
                dynamo.put(table, item(i, 3));
            }
            await().atMost(DELIVERY).until(() -> count(restarted.received(), r -> "3".equals(
                    value(r).at("/dynamodb/NewImage/v/N").asText()) && !"SNAPSHOT".equals(eventName(r))) >= 5);
            assertThat(count(restarted.received(), r -> "SNAPSHOT".equals(eventName(r)))).isEqualTo(505);
            topic.addAll(restarted.received());
        } finally {
            TrimmedCheckpoints.disarm(table);
        }
        assertThat(lastState(topic)).isEqualTo(tableState(table));
    }

    private static List<Record<byte[]>> of(List<Record<byte[]>> topic, String table) {
        return topic.stream().filter(r -> table.equals(r.getProperties().get("TABLE_NAME"))).toList();
    }

    private static boolean isSnapshot(Record<byte[]> record) {
        return "SNAPSHOT".equals(eventName(record));
    }

    private static boolean streamRecordOfVersion(Record<byte[]> record, int version) {
        return !isSnapshot(record) && Integer.toString(version).equals(value(record).at("/dynamodb/NewImage/v/N").asText());
    }

    /** The checkpoint of the table's (one) shard in a multi-stream lease table; null before the first. */
    private static BigInteger tableCheckpoint(String app, String table) {
        return dynamo.checkpoints(app).entrySet().stream()
                .filter(e -> e.getKey().contains("$" + table + "$") && e.getValue() != null
                        && e.getValue().matches("\\d+"))
                .map(e -> new BigInteger(e.getValue())).findFirst().orElse(null);
    }

    @Test
    void withWhenNeededAndSeveralTablesAGapOnOneTableSnapshotsOnlyThatTableAgainWhileTheOthersStreamOn()
            throws Exception {
        String app = "it-gap-tables";
        String gapped = "wn-a";
        List<String> others = List.of("wn-b", "wn-c");
        Map<String, String> streams = new TreeMap<>();
        Map<String, BigInteger> loadedUpTo = new TreeMap<>();
        for (String table : List.of(gapped, "wn-b", "wn-c")) {
            streams.put(table, dynamo.createTableWithStream(table));
            TableLoad.put(dynamo.client(), table, 0, 200, 2, i -> item(i, 0));
            List<StreamAudit.Change> load = StreamAudit.readStream(dynamo, streams.get(table));
            loadedUpTo.put(table, load.get(load.size() - 1).sequenceNumber());
        }
        Map<String, Object> config = dynamo.sourceConfig(null, app);
        config.remove("awsDynamodbStreamArn");
        config.put("awsRegion", "ddblocal");
        config.put("tables", List.of(gapped, "wn-b", "wn-c"));
        config.put("discoveryInterval", "2000");
        config.put("snapshotMode", "WHEN_NEEDED");
        config.put("snapshotSegments", "3");
        config.put("snapshotReadCapacityPerSecond", "0");
        config.put("metricsReportInterval", "200");
        List<Record<byte[]>> topic = new ArrayList<>();
        try (SourceHarness first = SourceHarness.open(config, app, record -> true)) {
            await().atMost(DELIVERY).until(() -> count(first.received(), SnapshotSourceIT::isSnapshot) >= 600);
            for (String table : streams.keySet()) {
                for (int i = 0; i < 10; i++) {
                    dynamo.put(table, item(i, 1));
                }
            }
            await().atMost(DELIVERY).until(() -> streams.keySet().stream().allMatch(table ->
                    count(of(first.received(), table), r -> streamRecordOfVersion(r, 1)) >= 10));
            List<Record<byte[]>> ofGapped = of(first.received(), gapped);
            BigInteger last = new BigInteger(ofGapped.get(ofGapped.size() - 1).getProperties().get("SEQUENCE_NUMBER"));
            await().atMost(DELIVERY).until(() -> last.equals(tableCheckpoint(app, gapped)));
            topic.addAll(first.received());
        }
        // while the source is away: changes that wn-a's stream will have lost by the time it is back
        BigInteger checkpoint = tableCheckpoint(app, gapped);
        for (int i = 20; i < 40; i++) {
            dynamo.put(gapped, item(i, 2));
        }
        for (int i = 40; i < 45; i++) {
            dynamo.delete(gapped, "item" + i);
        }
        TableLoad.put(dynamo.client(), gapped, 200, 210, 1, i -> item(i, 2));
        for (String table : others) {
            for (int i = 20; i < 30; i++) {
                dynamo.put(table, item(i, 2));
            }
        }
        TrimmedCheckpoints.trimUpTo(gapped, checkpoint.toString());
        int answeredBefore = TrimmedCheckpoints.answered();
        try (LogCapture log = LogCapture.start();
             SourceHarness second = SourceHarness.open(config, app, record -> true)) {
            await().atMost(DELIVERY).until(() -> second.source().retentionGaps().count() == 1);
            // the other tables stream on while wn-a is held: what they get now arrives long before wn-a's snapshot
            for (String table : streams.keySet()) {
                for (int i = 30; i < 35; i++) {
                    dynamo.put(table, item(i, 3));
                }
            }
            await().atMost(DELIVERY).until(() -> others.stream().allMatch(table ->
                    count(of(second.received(), table), r -> streamRecordOfVersion(r, 3)) >= 5));
            assertThat(count(of(second.received(), gapped), SnapshotSourceIT::isSnapshot))
                    .as("wn-a's new snapshot has not begun yet (its leases go first)").isZero();

            // wn-a: generation 2, every item again, then its stream from the oldest record
            await("wn-a snapshotted again").atMost(Duration.ofMinutes(10))
                    .until(() -> count(of(second.received(), gapped), SnapshotSourceIT::isSnapshot) >= 205);
            for (int i = 0; i < 5; i++) {
                dynamo.put(gapped, item(i, 4));
            }
            await("wn-a streamed again").atMost(DELIVERY).until(() ->
                    count(of(second.received(), gapped), r -> streamRecordOfVersion(r, 4)) >= 5);
            await("the gap in the metrics").atMost(DELIVERY).until(() -> second.metricSum("retention_gaps") == 1);

            List<Record<byte[]>> received = second.received();
            assertThat(count(of(received, gapped), SnapshotSourceIT::isSnapshot)).isEqualTo(205);
            for (String table : others) {
                assertThat(of(received, table)).as("%s is not snapshotted again", table)
                        .noneMatch(SnapshotSourceIT::isSnapshot);
                assertThat(received.indexOf(of(received, table).stream().filter(r -> streamRecordOfVersion(r, 3))
                        .reduce((a, b) -> b).orElseThrow()))
                        .as("%s's changes during the hold arrived before wn-a's new snapshot", table)
                        .isLessThan(received.indexOf(of(received, gapped).stream()
                                .filter(SnapshotSourceIT::isSnapshot).findFirst().orElseThrow()));
            }
            assertThat(second.readFailure()).as("no restart").isNull();
            assertThat(TrimmedCheckpoints.answered()).isGreaterThan(answeredBefore);
            assertThat(log.eventsAtLeast(Level.ERROR)).filteredOn(e -> e.message().contains("retention"))
                    .singleElement().satisfies(error -> assertThat(error.message())
                            .startsWith("Table " + gapped + ": Shard ")
                            .contains("snapshot generation 2 of table " + gapped + " begun")
                            .endsWith("Retention gaps met since the source opened: 1"));
            topic.addAll(received);
        } finally {
            TrimmedCheckpoints.disarm(gapped);
        }
        for (String table : streams.keySet()) {
            assertThat(lastState(of(topic, table))).as("%s: the topic ends equal to the table", table)
                    .isEqualTo(tableState(table));
        }
        for (String table : others) {
            List<BigInteger> published = of(topic, table).stream().filter(r -> !isSnapshot(r))
                    .map(r -> new BigInteger(r.getProperties().get("SEQUENCE_NUMBER"))).toList();
            List<BigInteger> changed = StreamAudit.readStream(dynamo, streams.get(table)).stream()
                    .map(StreamAudit.Change::sequenceNumber).filter(n -> n.compareTo(loadedUpTo.get(table)) > 0)
                    .toList();
            assertThat(changed).as("%s: its changes after the load, read with the Streams API", table).hasSize(25);
            assertThat(changed).as("%s: none missing from the topic", table).allMatch(published::contains);
        }
    }
}
