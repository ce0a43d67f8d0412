package org.apache.pulsar.io.dynamodb.e2e;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pulsar.client.api.Schema;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.apache.pulsar.client.api.SubscriptionType;
import org.apache.pulsar.io.dynamodb.testing.DynamoDbLocal;
import org.apache.pulsar.io.dynamodb.testing.TableLoad;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Benchmark row 10 (scenario {@code snapshot}): a snapshot of a table of 1,000,000 items of about 1 KB
 * ({@code -Dbench.snapshotItems}), items/s into Pulsar against a raw parallel Scan of the same DynamoDB Local in the
 * same run (the same segments, one thread each, 1 MB pages; best of two), and the connector JVM's peak RSS. On a
 * shared machine the ratio measures the load as much as the connector, so the row also carries CPU per item from
 * /proc, which the load does not change: the connector JVM's between the first and the last item received, the
 * broker's, this JVM's (DynamoDB Local and the consumer), and this JVM's during the raw Scan (DynamoDB Local and the
 * scanner). The table is filled before its stream is enabled, so the stream the connector continues with is empty:
 * the row is the snapshot alone.
 */
final class SnapshotBenchmark {

    private static final int SEGMENTS = 8;
    private static final String PAYLOAD = "p".repeat(1000);

    private final BenchSetup setup;
    private final Path dir;
    private final BenchReport report;
    private final int items = Integer.getInteger("bench.snapshotItems", 1_000_000);

    SnapshotBenchmark(BenchSetup setup, Path dir) {
        this.setup = setup;
        this.dir = dir;
        this.report = setup.report();
    }

    static Map<String, AttributeValue> item(int i) {
        return Map.of("id", AttributeValue.fromS("i" + i), "seq", AttributeValue.fromN(Integer.toString(i)),
                "payload", AttributeValue.fromS(PAYLOAD));
    }

    void run() throws Exception {
        PulsarRuntime.deleteRecursively(dir);
        Files.createDirectories(dir);
        try (DynamoDbLocal dynamo = DynamoDbLocal.start()) {
            String table = "snapshot";
            dynamo.client().createTable(b -> b.tableName(table).billingMode(BillingMode.PAY_PER_REQUEST)
                    .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                    .attributeDefinitions(AttributeDefinition.builder().attributeName("id")
                            .attributeType(ScalarAttributeType.S).build()));
            report.say(String.format(Locale.ROOT, "snapshot: writing %,d items of about 1 KB", items));
            long w0 = System.nanoTime();
            TableLoad.put(dynamo.client(), table, 0, items, 4, SnapshotBenchmark::item);
            report.say(String.format(Locale.ROOT, "snapshot: written in %.0f s", (System.nanoTime() - w0) / 1e9));
            String arn = dynamo.client().updateTable(b -> b.tableName(table).streamSpecification(s -> s
                    .streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)))
                    .tableDescription().latestStreamArn();

            long rawCpu0 = Benchmark.cpuTicks(ProcessHandle.current().pid());
            double raw = Math.max(rawParallelScan(dynamo, table), rawParallelScan(dynamo, table));
            double rawCpuMsPerItem = (Benchmark.cpuTicks(ProcessHandle.current().pid()) - rawCpu0) * 10.0
                    / (2.0 * items);

            String topic = "persistent://public/default/bench-snapshot";
            AtomicLong received = new AtomicLong();
            long[] firstAndLast = new long[2];
            java.util.BitSet seen = new java.util.BitSet(items);
            try (var consumer = setup.client().newConsumer(Schema.BYTES).topic(topic).subscriptionName("bench")
                    .subscriptionType(SubscriptionType.Exclusive)
                    .subscriptionInitialPosition(SubscriptionInitialPosition.Earliest)
                    .messageListener((c, m) -> {
                        long seq = Benchmark.seqOf(m.getKey());
                        long now = System.nanoTime();
                        synchronized (seen) {
                            if (seq >= 0 && seq < items && !seen.get((int) seq)) {
                                seen.set((int) seq);
                                if (firstAndLast[0] == 0) {
                                    firstAndLast[0] = now;
                                }
                                firstAndLast[1] = now;
                                received.incrementAndGet();
                            }
                        }
                        c.acknowledgeAsync(m);
                    }).subscribe()) {
                String config = """
                        {"awsEndpoint": "%1$s", "dynamoEndpoint": "%1$s", "awsRegion": "us-east-1", \
                        "awsDynamodbStreamArn": "%2$s", \
                        "awsCredentialPluginParam": "{\\"accessKey\\":\\"%3$s\\",\\"secretKey\\":\\"%4$s\\"}", \
                        "applicationName": "pulsar-dynamodb-bench-snapshot", "snapshotMode": "INITIAL", \
                        "snapshotSegments": %5$d, "snapshotReadCapacityPerSecond": 0}"""
                        .formatted(dynamo.endpoint(), arn, DynamoDbLocal.ACCESS_KEY, DynamoDbLocal.SECRET_KEY,
                                SEGMENTS);
                Path log = dir.resolve("localrunner.log");
                report.say("snapshot: starting the connector (log " + log + ")");
                List<String> connectorJvm = new ArrayList<>(setup.jvmOptions());
                if (Boolean.getBoolean("bench.jfr")) {
                    // profiling aid (-Dbench.jfr=true): a JFR recording of the connector's JVM during the snapshot
                    connectorJvm.add("-XX:StartFlightRecording=filename=" + dir.resolve("localrunner.jfr")
                            + ",settings=profile,dumponexit=true");
                }
                long c0 = System.nanoTime();
                try (LocalRunnerSource source = LocalRunnerSource.start(setup.runtime(), setup.pulsar(),
                        new LocalRunnerSource.Options("bench-snapshot", topic, config).jvmOptions(connectorJvm),
                        log)) {
                    Benchmark.MemoryWatch memory = new Benchmark.MemoryWatch(source.jvm().pid());
                    memory.start();
                    long[] pids = {source.jvm().pid(), setup.pulsar().jvm().pid(), ProcessHandle.current().pid()};
                    long[] cpuAtFirst = null;
                    long[] cpuAtLast;
                    String loadAtFirst = "?";
                    try {
                        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
                        long lastSay = System.nanoTime();
                        while (received.get() < items && System.nanoTime() < deadline) {
                            if (cpuAtFirst == null && received.get() > 0) {
                                // polled every 20 ms: the CPU of the connector's start-up stays out of the figure
                                cpuAtFirst = cpuTicks(pids);
                                loadAtFirst = Benchmark.loadAverage();
                            }
                            if (!source.jvm().isAlive()) {
                                throw new IllegalStateException("the LocalRunner exited:\n" + source.errors());
                            }
                            if (System.nanoTime() - lastSay > TimeUnit.SECONDS.toNanos(15)) {
                                report.say(String.format(Locale.ROOT, "snapshot: %,d of %,d received", received.get(),
                                        items));
                                lastSay = System.nanoTime();
                            }
                            Thread.sleep(20);
                        }
                    } finally {
                        cpuAtLast = cpuTicks(pids);
                        memory.stop();
                    }
                    double[] cpuMsPerItem = new double[pids.length];
                    for (int i = 0; i < pids.length && cpuAtFirst != null; i++) {
                        cpuMsPerItem[i] = (cpuAtLast[i] - cpuAtFirst[i]) * 10.0 / Math.max(1, received.get());
                    }
                    double seconds = (firstAndLast[1] - firstAndLast[0]) / 1e9;
                    double rate = received.get() / seconds;
                    double ratio = rate / raw;
                    report.row(String.format(Locale.ROOT, "10. snapshot of %,d items", items),
                            String.format(Locale.ROOT, "%,d items of about 1 KB in %.1f s from the first: %,.0f "
                                    + "items/s = %.2f × a raw parallel Scan (%,.0f items/s, %d segments, best of 2); "
                                    + "first item %.1f s after the LocalRunner started; connector JVM peak "
                                    + "RSS %d MB (PSS %d MB); CPU per item from the first to the last: connector "
                                    + "%.3f ms, broker %.3f ms, DynamoDB Local + consumer %.3f ms (raw Scan: "
                                    + "DynamoDB Local + scanner %.3f ms); load average %s at the first item, %s at "
                                    + "the last", received.get(), seconds, rate, ratio, raw, SEGMENTS,
                                    (firstAndLast[0] - c0) / 1e9, memory.peakRssKb / 1024, memory.peakPssKb / 1024,
                                    cpuMsPerItem[0], cpuMsPerItem[1], cpuMsPerItem[2], rawCpuMsPerItem, loadAtFirst,
                                    Benchmark.loadAverage()),
                            "≥ 0.5 × raw", ratio >= 0.5 && received.get() == items ? "met" : "MISSED");
                }
            }
        }
    }

    /** utime + stime in clock ticks (1/100 s) of each process. */
    private static long[] cpuTicks(long[] pids) {
        long[] ticks = new long[pids.length];
        for (int i = 0; i < pids.length; i++) {
            ticks[i] = Benchmark.cpuTicks(pids[i]);
        }
        return ticks;
    }

    /** Items/s of a parallel Scan with the SDK alone: one thread per segment, pages of up to 1 MB. */
    private double rawParallelScan(DynamoDbLocal dynamo, String table) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(SEGMENTS);
        try (DynamoDbClient scanner = DynamoDbClient.builder().endpointOverride(URI.create(dynamo.endpoint()))
                .region(Region.US_EAST_1).httpClientBuilder(UrlConnectionHttpClient.builder()
                        // DynamoDB Local serves a large table's segments one at a time: on a busy machine a page
                        // of one of 8 concurrent segments took over the 30 s default, and the row failed
                        .socketTimeout(Duration.ofMinutes(5)))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        DynamoDbLocal.ACCESS_KEY, DynamoDbLocal.SECRET_KEY))).build()) {
            long t0 = System.nanoTime();
            List<Future<Long>> parts = new ArrayList<>();
            for (int segment = 0; segment < SEGMENTS; segment++) {
                int s = segment;
                parts.add(pool.submit(() -> {
                    long count = 0;
                    Map<String, AttributeValue> start = null;
                    do {
                        Map<String, AttributeValue> from = start;
                        ScanResponse page = scanner.scan(b -> b.tableName(table).segment(s).totalSegments(SEGMENTS)
                                .exclusiveStartKey(from));
                        count += page.count();
                        start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
                                ? page.lastEvaluatedKey() : null;
                    } while (start != null);
                    return count;
                }));
            }
            long total = 0;
            for (Future<Long> part : parts) {
                total += part.get();
            }
            double rate = total / ((System.nanoTime() - t0) / 1e9);
            report.say(String.format(Locale.ROOT, "snapshot: raw parallel Scan read %,d items at %,.0f items/s", total,
                    rate));
            return rate;
        } finally {
            pool.shutdownNow();
        }
    }

}
