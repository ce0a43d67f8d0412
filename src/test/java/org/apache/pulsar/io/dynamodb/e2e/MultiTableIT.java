package org.apache.pulsar.io.dynamodb.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.SubscriptionType;
import org.apache.pulsar.io.dynamodb.testing.DynamoDbLocal;
import org.apache.pulsar.io.dynamodb.testing.TableLoad;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * Several tables, one source, the NAR in Pulsar's LocalRunner: tables discovered by name prefix, each to its own
 * topic by topicPattern, under a continuous writer. A fourth table created while the source runs, a table deleted
 * mid-stream, a stream disabled and re-enabled, then the LocalRunner killed with SIGKILL and started again; then
 * every topic against every stream of its table, read with the DynamoDB Streams API: nothing missing (duplicates
 * after the kill allowed), each item's changes first seen in order. And, with snapshotMode INITIAL, a snapshot of
 * each table (one created while the source runs too) before its stream, each topic ending equal to its table.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class MultiTableIT {

    private static final Duration FIRST_DELIVERY = Duration.ofSeconds(240);
    private static final Duration DELIVERY = Duration.ofSeconds(120);
    private static final long DISCOVERY_INTERVAL_MILLIS = 5_000;
    private static final String PATTERN = "persistent://public/default/multi-{table}";
    private static final List<String> TABLES = List.of("m-a", "m-b", "m-c", "m-d");

    private static PulsarRuntime runtime;
    private static DynamoDbLocal dynamo;
    private static PulsarClient client;
    private static PulsarStandalone pulsar;
    private static Path dir;
    private static String config;
    private static LocalRunnerSource source;
    private static final Map<String, TopicConsumer> topics = new LinkedHashMap<>();
    private static final Map<String, List<String>> streams = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        runtime = PulsarRuntime.fromSystemProperties();
        dir = runtime.workDir().resolve("MultiTableIT");
        pulsar = SharedPulsar.get(runtime);
        dynamo = DynamoDbLocal.start();
        for (String table : TABLES.subList(0, 3)) {
            streams.put(table, new ArrayList<>(List.of(dynamo.createTableWithStream(table))));
        }
        pulsar.awaitReady(Duration.ofSeconds(180));
        client = PulsarClient.builder().serviceUrl(pulsar.brokerServiceUrl()).build();
        for (String table : TABLES) {
            topics.put(table, TopicConsumer.subscribe(client, topic(table), "audit", SubscriptionType.Exclusive,
                    table));
        }
        config = """
                {
                  "awsEndpoint": "%1$s",
                  "dynamoEndpoint": "%1$s",
                  "awsRegion": "ddblocal",
                  "tableNamePrefix": "m-",
                  "discoveryInterval": %5$d,
                  "topicPattern": "%6$s",
                  "awsCredentialPluginParam": "{\\"accessKey\\":\\"%2$s\\",\\"secretKey\\":\\"%3$s\\"}",
                  "applicationName": "%4$s",
                  "initialPositionInStream": "TRIM_HORIZON",
                  "checkpointInterval": 2000
                }
                """.formatted(dynamo.endpoint(), DynamoDbLocal.ACCESS_KEY, DynamoDbLocal.SECRET_KEY, "e2e-multi",
                DISCOVERY_INTERVAL_MILLIS, PATTERN);
        source = startSource("localrunner.log");
    }

    private static LocalRunnerSource startSource(String log) {
        return LocalRunnerSource.start(runtime, pulsar,
                new LocalRunnerSource.Options("dynamodb-multi", "persistent://public/default/multi-unused", config),
                dir.resolve(log));
    }

    @AfterAll
    static void stop() throws Exception {
        List<AutoCloseable> closeables = new ArrayList<>();
        closeables.add(source);
        closeables.addAll(topics.values());
        closeables.add(client);
        closeables.add(dynamo);
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

    private static String topic(String table) {
        return PATTERN.replace("{table}", table);
    }

    private static void awaitCondition(Duration timeout, String what, java.util.concurrent.Callable<Boolean> done) {
        await(what).atMost(timeout).pollInterval(Duration.ofMillis(250))
                .failFast("the LocalRunner exited; its errors:\n" + source.errors(), () -> !source.jvm().isAlive())
                .until(done);
    }


    /** Writes a round of changes to every table in {@code writable} until stopped; ids repeat, so items change. */
    private static final class Writer extends Thread {
        final Set<String> writable = ConcurrentHashMap.newKeySet();
        final AtomicInteger rounds = new AtomicInteger();
        final AtomicBoolean running = new AtomicBoolean(true);

        Writer() {
            super("multi-writer");
            setDaemon(true);
        }

        @Override
        public void run() {
            while (running.get()) {
                int round = rounds.incrementAndGet();
                for (String table : writable) {
                    String id = table + "-" + (round % 10);
                    try {
                        if (round % 9 == 0) {
                            dynamo.delete(table, id);
                        } else {
                            dynamo.put(table, Map.of("id", AttributeValue.fromS(id),
                                    "version", AttributeValue.fromN(Integer.toString(round))));
                        }
                    } catch (RuntimeException e) {
                        // the table was just deleted: nothing was written
                    }
                }
            }
        }

        void awaitRounds(int more) {
            int from = rounds.get();
            awaitCondition(DELIVERY, more + " more rounds of writes", () -> rounds.get() >= from + more);
        }
    }

    @Test
    void tablesEachToTheirTopicThroughANewTableADeletedTableAndAReEnabledStream() throws Exception {
        Writer writer = new Writer();
        writer.writable.addAll(TABLES.subList(0, 3));
        writer.start();
        awaitCondition(FIRST_DELIVERY, "the first changes of m-a, m-b and m-c in their topics",
                () -> TABLES.subList(0, 3).stream().noneMatch(t -> topics.get(t).received().isEmpty()));

        // a fourth table, created while the source runs
        streams.put("m-d", new ArrayList<>(List.of(dynamo.createTableWithStream("m-d"))));
        writer.writable.add("m-d");
        awaitCondition(Duration.ofMillis(DISCOVERY_INTERVAL_MILLIS).plusSeconds(45),
                "m-d's first change, within the discovery interval and KCL's lease assignment",
                () -> !topics.get("m-d").received().isEmpty());

        // a stream disabled and re-enabled under load
        dynamo.setStream("m-b", false);
        writer.awaitRounds(20);
        dynamo.setStream("m-b", true);
        streams.get("m-b").add(dynamo.latestStream("m-b"));

        // a table deleted mid-stream
        writer.writable.remove("m-c");
        dynamo.client().deleteTable(b -> b.tableName("m-c"));
        writer.awaitRounds(30);

        // the running instance follows m-b's new stream and finishes m-c itself, without a restart
        LocalRunnerSource running = source;
        awaitCondition(DELIVERY, "the source continuing on m-b's new stream and dropping the deleted m-c", () -> {
            String log = running.jvm().logText();
            return log.contains("continuing on the table's new stream") && log.contains("the table was deleted");
        });

        // kill -9 while three tables are written; a new LocalRunner of the source takes the leases once they expire
        LocalRunnerSource first = source;
        first.kill();
        source = startSource("localrunner-after-kill.log");
        writer.awaitRounds(100);
        awaitCondition(FIRST_DELIVERY, "the restarted source publishing again",
                () -> source.jvm().logText().contains("KCL scheduler started"));
        writer.running.set(false);
        writer.join();

        for (String table : TABLES) {
            List<StreamAudit.Change> changes = new ArrayList<>();
            streams.get(table).forEach(arn -> changes.addAll(StreamAudit.readStream(dynamo, arn)));
            awaitCondition(DELIVERY, "every change of " + table + " in " + topic(table), () ->
                    StreamAudit.audit(changes, topics.get(table).received()).complete());
            StreamAudit.Result result = StreamAudit.audit(changes, topics.get(table).received());
            System.out.println("MultiTableIT " + table + ": " + result);
            assertThat(result.missing()).as(table).isZero();
            assertThat(result.outOfOrderItems()).as(table).isZero();
            assertThat(result.unknown()).as(table).isZero();
            assertThat(topics.get(table).received()).allSatisfy(m ->
                    assertThat(m.properties()).containsEntry("TABLE_NAME", table));
        }
        assertThat(streams.get("m-b")).hasSize(2);
        String log = first.jvm().logText();
        assertThat(log).contains("Table m-b: stream").contains("continuing on the table's new stream")
                .contains("were recorded by no stream").contains("Table m-c: stream")
                .contains("the table was deleted");
        assertThat(first.opens()).as("the instance never failed and restarted before the kill").isEqualTo(1);
        assertThat(source.opens()).as("nor after it").isEqualTo(1);
    }

    /**
     * A table whose items were all written before its stream was enabled: no stream has them, only a snapshot can
     * bring them. Returns the stream's ARN.
     */
    private static String createWithItemsInNoStream(String table, int items) throws Exception {
        dynamo.client().createTable(b -> b.tableName(table)
                .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("id")
                        .attributeType(ScalarAttributeType.S).build())
                .billingMode(BillingMode.PAY_PER_REQUEST));
        TableLoad.put(dynamo.client(), table, 0, items, 2, SnapshotScenario::item);
        dynamo.setStream(table, true);
        return dynamo.latestStream(table);
    }

    /**
     * snapshotMode INITIAL with tables: two tables with items before the start and a third created while the source
     * runs, their items written before their streams were enabled (only a snapshot has them), each table written to
     * throughout after that (during the snapshots too). Each table is snapshotted, then streamed, into its own
     * DOCUMENT topic, every snapshot read before the table's first stream record; then per table, the topic read to
     * its end against a final Scan (the last message of each item is the item; of a deleted item a tombstone or
     * nothing) and against its stream read with the Streams API (every record created at or after its T0 minus the
     * 2-minute margin is in the topic).
     */
    @Test
    void eachTableIsSnapshottedThenStreamedATableCreatedLaterToo() throws Exception {
        String app = "e2e-snap-tables";
        String pattern = "persistent://public/default/snap-{table}";
        List<String> tables = List.of("s-a", "s-b", "s-c");
        int items = 2_000;
        Map<String, String> streamOf = new LinkedHashMap<>();
        List<ChangeWorkload> workloads = new ArrayList<>();
        for (String table : tables.subList(0, 2)) {
            streamOf.put(table, createWithItemsInNoStream(table, items));
            workloads.add(new ChangeWorkload(dynamo.client(), table, items, Integer.MAX_VALUE, 20, table.hashCode())
                    .start());
        }
        Map<String, Object> keys = new LinkedHashMap<>(dynamo.sourceConfig(null, app));
        keys.remove("awsDynamodbStreamArn");
        keys.putAll(Map.of("awsRegion", "ddblocal", "tableNamePrefix", "s-", "discoveryInterval",
                DISCOVERY_INTERVAL_MILLIS, "topicPattern", pattern, "outputFormat", "DOCUMENT", "snapshotMode",
                "INITIAL", "snapshotSegments", 4, "snapshotReadCapacityPerSecond", 20));
        LocalRunnerSource snapshots = LocalRunnerSource.start(runtime, pulsar, new LocalRunnerSource.Options(
                "dynamodb-snap-tables", "persistent://public/default/snap-unused",
                DocumentedFormats.JSON.writeValueAsString(keys)), dir.resolve("localrunner-snapshots.log"));
        try {
            for (String table : tables.subList(0, 2)) {
                await(table + "'s snapshot completing").atMost(FIRST_DELIVERY).pollInterval(Duration.ofSeconds(1))
                        .failFast("the LocalRunner exited:\n" + snapshots.errors(), () -> !snapshots.jvm().isAlive())
                        .until(() -> snapshots.jvm().logText().contains("Table " + table + ": snapshot generation 1 "
                                + "completed"));
            }
            // a third table with items, created while the source streams the other two
            streamOf.put("s-c", createWithItemsInNoStream("s-c", items));
            workloads.add(new ChangeWorkload(dynamo.client(), "s-c", items, Integer.MAX_VALUE, 20, 7L).start());
            await("s-c's snapshot completing").atMost(FIRST_DELIVERY).pollInterval(Duration.ofSeconds(1))
                    .failFast("the LocalRunner exited:\n" + snapshots.errors(), () -> !snapshots.jvm().isAlive())
                    .until(() -> snapshots.jvm().logText().contains("Table s-c: snapshot generation 1 completed"));
            // changes go on after the last handoff
            int before = workloads.get(2).written();
            await("changes after s-c's handoff").atMost(DELIVERY).until(() -> workloads.get(2).written() >= before + 100);
        } finally {
            for (ChangeWorkload workload : workloads) {
                workload.close();
            }
        }
        try {
            for (String table : tables) {
                List<StreamAudit.ShardRecord> stream = StreamAudit.readRecords(dynamo, streamOf.get(table));
                String lastChange = stream.get(stream.size() - 1).record().dynamodb().sequenceNumber();
                await("the topic of " + table + " caught up with its stream").atMost(DELIVERY)
                        .pollInterval(Duration.ofSeconds(1))
                        .until(() -> dynamo.checkpoints(app).containsValue(lastChange));
                Map<String, AttributeValue> row = dynamo.client().getItem(b -> b.tableName(app + "-Snapshot")
                        .consistentRead(true).key(Map.of("key", AttributeValue.fromS("table#" + table + "#snapshot"))))
                        .item();
                assertThat(row.get("status").s()).as(table).isEqualTo("COMPLETE");
                java.time.Instant t0 = java.time.Instant.ofEpochMilli(Long.parseLong(row.get("t0").n()));
                List<ReceivedMessage> topic = TopicReader.readAll(client, pattern.replace("{table}", table));
                SnapshotAudit.Result result = SnapshotAudit.check(topic, SnapshotAudit.scan(dynamo, table), stream, t0,
                        t0.minusSeconds(120));
                System.out.println("MultiTableIT snapshot " + table + ": " + stream.size() + " stream records; "
                        + result);
                assertThat(result.wrongSample()).as(table).isEmpty();
                assertThat(result.wrong()).as(table).isZero();
                assertThat(result.streamMissing()).as(table + ": stream records after T0 minus the margin missing")
                        .isZero();
                assertThat(result.streamExpected()).as(table + ": changes written after T0").isPositive();
                assertThat(result.snapshotReads()).as(table).isGreaterThanOrEqualTo(items / 2);
                int lastRead = -1;
                int firstChange = topic.size();
                for (int i = 0; i < topic.size(); i++) {
                    if ("SNAPSHOT".equals(topic.get(i).eventName())) {
                        lastRead = i;
                    } else {
                        firstChange = Math.min(firstChange, i);
                    }
                }
                assertThat(lastRead).as(table + ": every snapshot read before the first stream record")
                        .isLessThan(firstChange);
                assertThat(topic).allSatisfy(m -> assertThat(m.properties()).containsEntry("TABLE_NAME", table));
            }
            assertThat(snapshots.opens()).as("the instance never failed and restarted").isEqualTo(1);
        } finally {
            snapshots.close();
        }
    }
}
