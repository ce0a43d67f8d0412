package org.apache.pulsar.io.dynamodb.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.apache.pulsar.client.api.SubscriptionType;
import org.apache.pulsar.io.dynamodb.testing.DynamoDbLocal;
import org.apache.pulsar.io.dynamodb.testing.TableLoad;

/**
 * Benchmark row 13 (scenario {@code tables}): one source over ten tables ({@code tables}, {@code topicPattern}) against
 * ten sources of one table each ({@code tableName}, a LocalRunner JVM each, as a function worker's process runtime
 * runs ten sources), in one run on one DynamoDB Local, each on ten tables of its own given the same load. Per
 * configuration: idle AWS requests/s by API and CPU, then a burst of {@code bench.tablesItems} items per table written
 * from ten threads: records/s, connector CPU per 1,000 records, AWS requests/s by API; peak RSS over the whole run;
 * every topic audited against its table's stream read with the Streams API, which also gives the raw read's rate.
 * The connectors reach DynamoDB Local through a {@link CountingProxy}, which counts their requests on the wire.
 */
final class TablesBenchmark {

    private static final int TABLES = 10;
    private static final Duration SETTLE = Duration.ofSeconds(10);
    private static final Duration START = Duration.ofMinutes(15);
    private static final Duration DELIVERY = Duration.ofMinutes(5);

    private final BenchSetup setup;
    private final Path dir;
    private final BenchReport report;
    private final int items = Integer.getInteger("bench.tablesItems", 2_000);
    private final Duration idle = Duration.ofSeconds(Integer.getInteger("bench.tablesIdleSeconds", 30));

    TablesBenchmark(BenchSetup setup, Path dir) {
        this.setup = setup;
        this.dir = dir;
        this.report = setup.report();
    }

    /** What one configuration measured. */
    record Figures(String name, int jvms, long records, double burstSeconds, double writeSeconds,
                   double burstCpuSeconds, double idleCpuSeconds, double idleSeconds, Map<String, Double> idleRequests,
                   Map<String, Double> burstRequests, long peakRssKb, long idleRssKb, long streamRecords, long missing,
                   long duplicates) {

        double recordsPerSecond() {
            return records / burstSeconds;
        }

        double cpuPerThousand() {
            return burstCpuSeconds * 1000 / records;
        }

        /** The same less what the JVMs spend idle over as long: the records' own share. */
        double cpuPerThousandOverIdle() {
            return (burstCpuSeconds - idleCpuSeconds / idleSeconds * burstSeconds) * 1000 / records;
        }

        static double total(Map<String, Double> requests) {
            return requests.values().stream().mapToDouble(Double::doubleValue).sum();
        }

        String summary() {
            return String.format(Locale.ROOT, "%s (%d JVM%s): %,.0f records/s (written at %,.0f/s), %.2f CPU-s "
                            + "per 1,000 records (%.2f over idle), peak RSS %,d MB (%,d MB idle), AWS requests %.1f/s "
                            + "idle and %.1f/s under load, idle CPU %.0f ms/s; missing %d of %,d stream records (%d "
                            + "duplicates)", name, jvms, jvms == 1 ? "" : "s",
                    recordsPerSecond(), records / writeSeconds, cpuPerThousand(), cpuPerThousandOverIdle(),
                    peakRssKb / 1024, idleRssKb / 1024, total(idleRequests),
                    total(burstRequests), idleCpuSeconds * 1000 / idleSeconds, missing, streamRecords, duplicates);
        }

        String requestBreakdown() {
            return name + ": idle " + rates(idleRequests) + "; under load " + rates(burstRequests);
        }

        private static String rates(Map<String, Double> requests) {
            return requests.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %.2f/s", e.getKey(),
                    e.getValue())).collect(Collectors.joining(", "));
        }
    }

    void run() throws Exception {
        PulsarRuntime.deleteRecursively(dir);
        Files.createDirectories(dir);
        try (DynamoDbLocal dynamo = Benchmark.quietly(DynamoDbLocal::start);
             CountingProxy proxy = CountingProxy.start(dynamo.endpoint())) {
            Map<String, String> one = tables(dynamo, "one-");
            Map<String, String> ten = tables(dynamo, "ten-");
            String common = """
                    "awsEndpoint": "%1$s", "dynamoEndpoint": "%1$s", "awsRegion": "ddblocal", \
                    "awsCredentialPluginParam": "{\\"accessKey\\":\\"%2$s\\",\\"secretKey\\":\\"%3$s\\"}", \
                    "initialPositionInStream": "TRIM_HORIZON\""""
                    .formatted(proxy.endpoint(), DynamoDbLocal.ACCESS_KEY, DynamoDbLocal.SECRET_KEY);

            Figures single = measure("one source over ten tables", dynamo, proxy, one, () -> List.of(
                    connector("bench-tables-one", topic("one-unused"), "{" + common + ", \"applicationName\": "
                            + "\"bench-tables-one\", \"tables\": \"" + String.join(",", one.keySet()) + "\", "
                            + "\"topicPattern\": \"" + topic("{table}") + "\"}")));
            Figures separate = measure("ten sources of one table each", dynamo, proxy, ten, () -> ten.keySet()
                    .stream().map(table -> connector("bench-tables-" + table, topic(table), "{" + common
                            + ", \"applicationName\": \"bench-tables-" + table + "\", \"tableName\": \"" + table
                            + "\"}")).toList());

            // the raw read: the ten streams of the first set, one after the other, with the Streams API on one thread
            long ownPid = ProcessHandle.current().pid();
            long cpu0 = Benchmark.cpuTicks(ownPid);
            long t0 = System.nanoTime();
            long raw = 0;
            for (String arn : one.values()) {
                raw += StreamAudit.readStream(dynamo, arn).size();
            }
            double rawSeconds = (System.nanoTime() - t0) / 1e9;
            double rawCpu = (Benchmark.cpuTicks(ownPid) - cpu0) / 100.0;

            for (Figures figures : List.of(single, separate)) {
                report.note("tables, AWS requests by API, " + figures.requestBreakdown());
            }
            boolean complete = single.missing() == 0 && separate.missing() == 0;
            report.row(String.format(Locale.ROOT, "13. one source over ten tables vs ten sources (%,d items per table)",
                    items), single.summary() + "; " + separate.summary() + String.format(Locale.ROOT, "; raw read of "
                            + "the ten streams (Streams API, one thread): %,.0f records/s, %.2f CPU-s per 1,000 "
                            + "(benchmark JVM: DynamoDB Local + SDK)", raw / rawSeconds, rawCpu * 1000 / raw),
                    "nothing missing", complete ? "met" : "MISSED");
        }
    }

    /** A LocalRunner of the NAR, its log named after it. */
    private LocalRunnerSource connector(String name, String topic, String config) {
        return LocalRunnerSource.start(setup.runtime(), setup.pulsar(), new LocalRunnerSource.Options(name, topic,
                config).jvmOptions(setup.jvmOptions()), dir.resolve(name + ".log"));
    }

    private static String topic(String table) {
        return "persistent://public/default/bench-tables-" + table;
    }

    /** Ten tables with streams, named prefix00 to prefix09: table to stream ARN. */
    private static Map<String, String> tables(DynamoDbLocal dynamo, String prefix) {
        Map<String, String> arns = new LinkedHashMap<>();
        for (int i = 0; i < TABLES; i++) {
            String table = String.format(Locale.ROOT, "%s%02d", prefix, i);
            arns.put(table, dynamo.createTableWithStream(table));
        }
        return arns;
    }

    /** Starts the connector JVMs. */
    private interface Starter {
        List<LocalRunnerSource> start();
    }

    private Figures measure(String name, DynamoDbLocal dynamo, CountingProxy proxy, Map<String, String> tables,
                            Starter starter) throws Exception {
        Map<String, TopicConsumer> topics = new LinkedHashMap<>();
        Set<String> warm = ConcurrentHashMap.newKeySet();
        AtomicLong lastBurstRecord = new AtomicLong();
        List<LocalRunnerSource> sources = new ArrayList<>();
        List<Benchmark.MemoryWatch> memory = new ArrayList<>();
        try {
            for (String table : tables.keySet()) {
                topics.put(table, TopicConsumer.subscribe(setup.client(), topic(table), "bench", SubscriptionType.Exclusive,
                        table, m -> {
                            if (Benchmark.seqOf(m.key()) == -2) {
                                warm.add(table);
                            } else {
                                lastBurstRecord.set(System.nanoTime());
                            }
                        }));
                dynamo.put(table, Benchmark.item("warm-up", -1));
            }
            report.say("tables: " + name + ": starting (logs in " + dir + ")");
            sources.addAll(starter.start());
            for (LocalRunnerSource source : sources) {
                memory.add(new Benchmark.MemoryWatch(source.jvm().pid()));
            }
            memory.forEach(Benchmark.MemoryWatch::start);
            await(sources, START, name + ": the first record of every table", () -> warm.size() == tables.size());
            report.say("tables: " + name + ": every table's first record in; idling " + SETTLE.toSeconds() + " s, "
                    + "then measuring for " + idle.toSeconds() + " s");
            Thread.sleep(SETTLE.toMillis());
            Map<String, Long> idleStart = proxy.snapshot();
            long idleCpu0 = cpuTicks(sources);
            long i0 = System.nanoTime();
            Thread.sleep(idle.toMillis());
            double idleSeconds = (System.nanoTime() - i0) / 1e9;
            long idleCpu = cpuTicks(sources) - idleCpu0;
            Map<String, Double> idleRequests = CountingProxy.perSecond(idleStart, proxy.snapshot(), idleSeconds);
            long idleRssKb = memory.stream().mapToLong(Benchmark.MemoryWatch::currentRssKb).sum();

            report.say(String.format(Locale.ROOT, "tables: %s: writing %,d items to each of the %d tables", name,
                    items, tables.size()));
            Map<String, Long> burstStart = proxy.snapshot();
            long burstCpu0 = cpuTicks(sources);
            long b0 = System.nanoTime();
            double writeSeconds = write(dynamo, tables.keySet());
            long expected = (long) items * tables.size();
            await(sources, DELIVERY, name + ": every item written", () -> topics.values().stream()
                    .mapToLong(t -> t.received().size()).sum() >= expected + tables.size());
            long burstCpu = cpuTicks(sources) - burstCpu0;
            double burstSeconds = (lastBurstRecord.get() - b0) / 1e9;
            Map<String, Double> burstRequests = CountingProxy.perSecond(burstStart, proxy.snapshot(), burstSeconds);
            for (Benchmark.MemoryWatch watch : memory) {
                watch.stop();
            }
            long peakRssKb = memory.stream().mapToLong(w -> w.peakRssKb).sum();

            long streamRecords = 0;
            long missing = 0;
            long duplicates = 0;
            for (Map.Entry<String, String> table : tables.entrySet()) {
                StreamAudit.Result audit = StreamAudit.audit(StreamAudit.readStream(dynamo, table.getValue()),
                        topics.get(table.getKey()).received());
                streamRecords += audit.written();
                missing += audit.missing() + audit.unknown();
                duplicates += audit.duplicates();
                if (!audit.complete()) {
                    report.say("tables: " + name + ": " + table.getKey() + ": " + audit);
                }
            }
            Figures figures = new Figures(name, sources.size(), expected, burstSeconds, writeSeconds,
                    burstCpu / 100.0, idleCpu / 100.0, idleSeconds, idleRequests, burstRequests, peakRssKb, idleRssKb,
                    streamRecords, missing, duplicates);
            report.say("tables: " + figures.summary() + "; requests by API: " + figures.requestBreakdown());
            return figures;
        } finally {
            for (Benchmark.MemoryWatch watch : memory) {
                watch.stop();
            }
            sources.parallelStream().forEach(LocalRunnerSource::stop);
            for (TopicConsumer consumer : topics.values()) {
                consumer.close();
            }
        }
    }

    /** The burst: items i0 to i(items-1) into every table at once, a writer thread per table; its seconds. */
    private double write(DynamoDbLocal dynamo, Set<String> tables) throws Exception {
        ExecutorService writers = Executors.newFixedThreadPool(tables.size());
        try {
            long w0 = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (String table : tables) {
                done.add(writers.submit(() -> {
                    TableLoad.put(dynamo.client(), table, 0, items, 1, i -> Benchmark.item("i" + i, i));
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
            return (System.nanoTime() - w0) / 1e9;
        } finally {
            writers.shutdownNow();
        }
    }

    private static long cpuTicks(List<LocalRunnerSource> sources) {
        return sources.stream().mapToLong(s -> Benchmark.cpuTicks(s.jvm().pid())).sum();
    }

    /** Waits for the condition, failing at once when a connector JVM exits, and with a message at the deadline. */
    private void await(List<LocalRunnerSource> sources, Duration timeout, String what,
                       java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long lastSay = System.nanoTime();
        while (!done.getAsBoolean()) {
            for (LocalRunnerSource source : sources) {
                if (!source.jvm().isAlive()) {
                    throw new IllegalStateException(source.name() + " exited:\n" + source.errors());
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("tables: gave up waiting for " + what);
            }
            if (System.nanoTime() - lastSay > TimeUnit.SECONDS.toNanos(15)) {
                report.say("tables: waiting for " + what);
                lastSay = System.nanoTime();
            }
            Thread.sleep(50);
        }
    }
}
