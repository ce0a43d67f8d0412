package org.apache.pulsar.io.dynamodb.e2e;

import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.pulsar.client.api.CompressionType;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.io.dynamodb.testing.DynamoDbLocal;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/**
 * One end-to-end snapshot scenario: DynamoDB Local with one table, the shared Pulsar standalone, the NAR in
 * LocalRunners as one DOCUMENT source with snapshotMode INITIAL (uncompressed, for compaction), and what the tests
 * read back: the snapshot table, T0, the stream, and the topic checked against a final Scan.
 */
final class SnapshotScenario implements AutoCloseable {

    final PulsarRuntime runtime;
    final PulsarStandalone pulsar;
    final DynamoDbLocal dynamo;
    final PulsarClient client;
    final Path dir;
    final String table;
    final String name;
    final String topic;
    final String app;
    final String streamArn;
    private final List<LocalRunnerSource> runners = new ArrayList<>();

    private SnapshotScenario(PulsarRuntime runtime, PulsarStandalone pulsar, DynamoDbLocal dynamo,
                             PulsarClient client, Path dir, String table, String name) {
        this.runtime = runtime;
        this.pulsar = pulsar;
        this.dynamo = dynamo;
        this.client = client;
        this.dir = dir;
        this.table = table;
        this.name = name;
        this.topic = "persistent://public/default/" + name;
        this.app = "it-" + name;
        this.streamArn = dynamo.createTableWithStream(table);
    }

    /** Starts DynamoDB Local, creates the table (NEW_AND_OLD_IMAGES stream) and connects to the shared broker. */
    static SnapshotScenario start(String testClass, String table, String name) throws Exception {
        PulsarRuntime runtime = PulsarRuntime.fromSystemProperties();
        PulsarStandalone pulsar = SharedPulsar.get(runtime);
        DynamoDbLocal dynamo = DynamoDbLocal.start();
        pulsar.awaitReady(Duration.ofSeconds(180));
        PulsarClient client = PulsarClient.builder().serviceUrl(pulsar.brokerServiceUrl()).build();
        return new SnapshotScenario(runtime, pulsar, dynamo, client, runtime.workDir().resolve(testClass), table,
                name);
    }

    /** An item of about 120 bytes. */
    static Map<String, AttributeValue> item(int i) {
        return Map.of("id", AttributeValue.fromS("item" + i), "n", AttributeValue.fromN(Integer.toString(-i)),
                "payload", AttributeValue.fromS("snapshot payload " + "x".repeat(80) + i));
    }

    /** A LocalRunner of the source as instance {@code instance}, with these keys on top of the scenario's. */
    LocalRunnerSource startSource(int instance, Map<String, Object> keys) throws Exception {
        Map<String, Object> config = new LinkedHashMap<>(dynamo.sourceConfig(streamArn, app));
        config.put("awsRegion", "us-east-1");
        config.put("cloudwatchEndpoint", dynamo.endpoint());
        config.put("outputFormat", "DOCUMENT");
        config.put("snapshotMode", "INITIAL");
        config.putAll(keys);
        LocalRunnerSource source = LocalRunnerSource.start(runtime, pulsar, new LocalRunnerSource.Options(name, topic,
                        DocumentedFormats.JSON.writeValueAsString(config)).instanceIdOffset(instance)
                        .compressionType(CompressionType.NONE),
                dir.resolve("localrunner-" + (runners.size() + 1) + "-instance" + instance + ".log"));
        runners.add(source);
        return source;
    }

    /** Segment rows of the first generation whose owner the predicate accepts: index to its acknowledged items. */
    Map<Integer, Long> storedItems(Predicate<String> owner) {
        Map<Integer, Long> items = new TreeMap<>();
        try {
            dynamo.client().scanPaginator(b -> b.tableName(app + "-Snapshot").consistentRead(true)).items()
                    .forEach(row -> {
                        if (row.get("key").s().startsWith("segment#1#") && owner.test(row.get("owner").s())) {
                            items.put(Integer.parseInt(row.get("segment").n()), Long.parseLong(row.get("items").n()));
                        }
                    });
        } catch (ResourceNotFoundException notYet) {
            // the source has not created the snapshot table yet
        }
        return items;
    }

    /** The snapshot row's T0. */
    Instant t0() {
        Map<String, AttributeValue> row = dynamo.client().getItem(b -> b.tableName(app + "-Snapshot")
                .key(Map.of("key", AttributeValue.fromS("snapshot")))).item();
        return Instant.ofEpochMilli(Long.parseLong(row.get("t0").n()));
    }

    /** Reads the whole stream, then waits until the source's checkpoint is its last record: the topic has it all. */
    List<StreamAudit.ShardRecord> awaitCaughtUp(Duration timeout) {
        List<StreamAudit.ShardRecord> stream = StreamAudit.readRecords(dynamo, streamArn);
        String lastChange = stream.get(stream.size() - 1).record().dynamodb().sequenceNumber();
        await("the topic caught up with the stream").atMost(timeout).pollInterval(Duration.ofSeconds(1))
                .until(() -> dynamo.checkpoints(app).containsValue(lastChange));
        return stream;
    }

    /** The whole topic against a final Scan and the stream (see {@link SnapshotAudit}). */
    SnapshotAudit.Result audit(List<StreamAudit.ShardRecord> stream) throws Exception {
        Instant t0 = t0();
        return SnapshotAudit.check(TopicReader.readAll(client, topic), SnapshotAudit.scan(dynamo, table), stream, t0,
                t0.minusSeconds(120));
    }

    @Override
    public void close() throws Exception {
        runners.forEach(LocalRunnerSource::close);
        client.close();
        dynamo.close();
    }
}
