package org.apache.pulsar.io.dynamodb.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Schema;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.apache.pulsar.client.api.SubscriptionType;
import org.apache.pulsar.common.functions.FunctionConfig.ProcessingGuarantees;
import org.apache.pulsar.io.dynamodb.config.OutputFormat;
import org.apache.pulsar.io.dynamodb.convert.ConversionBenchmark;
import org.apache.pulsar.io.dynamodb.metrics.PublishMetricsBenchmark;
import org.apache.pulsar.io.dynamodb.testing.DynamoDbLocal;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * The benchmark ({@code ./bench.sh [scenario...]}, README "Benchmarks"): a fresh DynamoDB Local per scenario in this
 * JVM, a Pulsar standalone broker and the connector's NAR in Pulsar's LocalRunner in child JVMs, all on 127.0.0.1.
 * Prints a Markdown table and writes it, with PNG charts, to bench/ (full default run) or target/bench/ (a subset
 * or shortened run). Scenarios: latency, latency-1s, throughput, backlog (also memory and the NAR's unused jars),
 * startup, startup-cds, startup-fast, startup-worker, nar, conversion, requests, snapshot, metrics,
 * effectively-once, tables.
 */
public final class Benchmark {

    static final List<String> SCENARIOS =
            List.of("latency", "latency-1s", "throughput", "backlog", "startup", "startup-cds", "startup-fast",
                    "startup-worker", "nar", "conversion",
                    "requests", "snapshot", "metrics", "effectively-once", "tables");
    private static final String TENANT_NS = "persistent://public/default/";
    private static final int LATENCY_RATE = 200;
    private static final Duration LATENCY_SKIP = Duration.ofSeconds(5);
    private static final int WRITER_THREADS = 2;
    private static final int BATCH = 25;
    private static final String PAYLOAD = "x".repeat(100);
    private static final double BUILTIN_NAR_MB = 22.8;
    /** As pulsar-admin sources create runs it: Pulsar 4.0.7 RuntimeUtils.getCmd, default Resources ram, no GC. */
    static final List<String> PROCESS_RUNTIME_JVM = List.of(
            "-Dio.netty.tryReflectionSetAccessible=true",
            "-Dorg.apache.pulsar.shade.io.netty.tryReflectionSetAccessible=true",
            "-Dio.grpc.netty.shaded.io.netty.tryReflectionSetAccessible=true",
            "--add-opens", "java.base/java.nio=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
            "-Xmx1073741824");
    /** The same with `--ram 268435456` on `sources create`: a heap sized to the connector instead of 1 GiB. */
    static final List<String> PROCESS_RUNTIME_RAM_256_JVM = java.util.stream.Stream.concat(
            PROCESS_RUNTIME_JVM.stream().filter(o -> !o.startsWith("-Xmx")), java.util.stream.Stream.of("-Xmx268435456"))
            .toList();
    /** What Pulsar's bin/function-localrunner (behind pulsar-admin sources localrun) gives the JVM by default. */
    static final List<String> PULSAR_LOCALRUNNER_JVM = List.of(
            "-Xmx128m", "-XX:MaxDirectMemorySize=128m",
            "-XX:+UseZGC", "-XX:+PerfDisableSharedMem", "-XX:+AlwaysPreTouch",
            "-Dpulsar.allocator.exit_on_oom=true", "-Dio.netty.recycler.maxCapacityPerThread=4096",
            "-XX:+ExitOnOutOfMemoryError");
    /**
     * Fast start (README "Fast start"), added to a class-data sharing archive: C1 only (no C2 compilation, which
     * burns most of a start's CPU on 2 cores; slower at peak) and the serial collector (no G1 set-up and threads).
     */
    static final List<String> FAST_START_JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
    /** The connector JVM's options: the process runtime's, or -Dbench.connectorJvmOptions="..." (space-separated). */
    static final List<String> CONNECTOR_JVM = System.getProperty("bench.connectorJvmOptions", "").isBlank()
            ? PROCESS_RUNTIME_JVM
            : List.of(System.getProperty("bench.connectorJvmOptions").trim().split("\\s+"));

    private final int durationSeconds = Integer.getInteger("bench.durationSeconds", 60);
    private final int backlogRecords = Integer.getInteger("bench.backlogRecords", 100_000);
    private final long startNanos = System.nanoTime();
    private final Instant startedAt = Instant.now();
    private final List<String[]> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final List<BenchChart.Series> latencySeries = new ArrayList<>();
    private final List<BenchChart.Series> throughputSeries = new ArrayList<>();
    private final List<AutoCloseable> started = new ArrayList<>();
    private final String loadBefore = loadAverage();
    private PulsarRuntime runtime;
    private Path workDir;
    private PulsarStandalone pulsar;
    private PulsarClient client;
    private Set<String> loadedNarJars;
    private int runCounter;
    /** The class-data sharing archive rows 6c and 6d map, once written. */
    private Path startupArchive;

    private static final java.util.logging.Logger SDK_V1_LOG = java.util.logging.Logger.getLogger("com.amazonaws");

    public static void main(String[] args) throws Exception {
        SDK_V1_LOG.setLevel(java.util.logging.Level.SEVERE);
        Set<String> chosen = new LinkedHashSet<>();
        for (String arg : args) {
            String name = arg.equals("memory") ? "backlog" : arg;
            if (!SCENARIOS.contains(name)) {
                System.err.println("unknown scenario '" + arg + "'; choose from " + SCENARIOS + " (memory = backlog)");
                System.exit(2);
            }
            chosen.add(name);
        }
        if (chosen.isEmpty()) {
            chosen.addAll(SCENARIOS);
        }
        Benchmark bench = new Benchmark();
        int exit = 0;
        try {
            bench.run(chosen);
        } catch (Exception e) {
            bench.say("FAILED: " + e);
            e.printStackTrace();
            exit = 1;
        } finally {
            bench.stopAll();
        }
        System.exit(exit);
    }

    private void run(Set<String> chosen) throws Exception {
        boolean full = chosen.size() == SCENARIOS.size() && durationSeconds == 60 && backlogRecords == 100_000;
        Path out = Path.of(System.getProperty("bench.out", full ? "bench" : "target/bench"));
        Files.createDirectories(out);
        say("scenarios " + chosen + ", " + durationSeconds + " s runs, backlog " + backlogRecords
                + "; results go to " + out + "/");
        if (chosen.stream().anyMatch(s -> !List.of("nar", "conversion", "requests", "metrics").contains(s))) {
            runtime = PulsarRuntime.fromSystemProperties();
            workDir = runtime.workDir().resolve("bench");
            say("starting Pulsar standalone (log " + workDir.resolve("pulsar/pulsar-standalone.log") + ")");
            pulsar = started(PulsarStandalone.start(runtime, workDir.resolve("pulsar")));
            pulsar.awaitReady(Duration.ofMinutes(3));
            client = started(PulsarClient.builder().serviceUrl(pulsar.brokerServiceUrl()).build());
            say("Pulsar ready at " + pulsar.brokerServiceUrl());
        }
        for (String scenario : chosen) {
            try {
                switch (scenario) {
                    case "latency" -> latency(null);
                    case "latency-1s" -> latency(1000L);
                    case "throughput" -> throughput();
                    case "backlog" -> backlog();
                    case "startup" -> startup("6. start-up, open() to first record", List.of());
                    case "startup-cds" -> startup("6c. start-up with a class-data sharing archive (operator option)",
                            classDataSharing());
                    case "startup-fast" -> startup("6d. start-up with the archive, C1 only and the serial collector"
                            + " (operator option: " + String.join(" ", FAST_START_JVM) + ")",
                            java.util.stream.Stream.concat(classDataSharing().stream(), FAST_START_JVM.stream())
                                    .toList());
                    case "nar" -> nar();
                    case "conversion" -> conversion();
                    case "requests" -> requests();
                    case "metrics" -> metricsOverhead();
                    case "startup-worker" -> new WorkerStartupBenchmark(setup(), workDir.resolve("startup-worker")).run();
                    case "snapshot" -> new SnapshotBenchmark(setup(), workDir.resolve("snapshot")).run();
                    case "tables" -> new TablesBenchmark(setup(), workDir.resolve("tables")).run();
                    case "effectively-once" -> effectivelyOnce();
                    default -> throw new IllegalArgumentException(scenario);
                }
            } catch (Exception e) {
                say("scenario " + scenario + " FAILED: " + e);
                e.printStackTrace();
                row(scenario, "failed: " + e.getMessage(), "", "FAILED");
            }
        }
        writeResults(out);
    }

    // ---------------------------------------------------------------- scenarios

    /** 1 and 2: PutItem at 200/s; latency from PutItem returning to the consumer receiving the message. */
    private void latency(Long pollIntervalMillis) throws Exception {
        String label = pollIntervalMillis == null ? "latency" : "latency-1s";
        int count = LATENCY_RATE * durationSeconds;
        try (Run run = new Run(label, count + 10, pollIntervalMillis == null ? ""
                : ", \"pollInterval\": " + pollIntervalMillis)) {
            run.startConnectorAndWarmUp(List.of());
            say(label + ": writing " + LATENCY_RATE + " items/s for " + durationSeconds + " s");
            ExecutorService pool = Executors.newFixedThreadPool(4);
            long periodNanos = 1_000_000_000L / LATENCY_RATE;
            long t0 = System.nanoTime() + 50_000_000L;
            for (int i = 0; i < count; i++) {
                long due = t0 + i * periodNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                int seq = i;
                pool.execute(() -> run.put(seq));
            }
            pool.shutdown();
            pool.awaitTermination(1, TimeUnit.MINUTES);
            double writeSeconds = (System.nanoTime() - t0) / 1e9;
            run.awaitReceived(count, Duration.ofSeconds(60));
            long skipUntil = t0 + LATENCY_SKIP.toNanos();
            List<Double> ms = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                long sent = run.tracker.sent[i];
                long got = run.tracker.recv[i];
                if (sent > 0 && got > 0 && sent >= skipUntil) {
                    ms.add(Math.max(0, got - sent) / 1e6);
                }
            }
            double[] sorted = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            long missing = count - run.tracker.unique.get();
            String poll = pollIntervalMillis == null ? "default pollInterval (100 ms)" : "pollInterval 1000 ms (builtin's)";
            String result = String.format(Locale.ROOT, "p50 %.0f ms, p95 %.0f ms, p99 %.0f ms, max %.0f ms"
                            + " (%,d samples, %.0f writes/s%s)",
                    pct(sorted, 50), pct(sorted, 95), pct(sorted, 99), sorted.length == 0 ? 0 : sorted[sorted.length - 1],
                    sorted.length, count / writeSeconds, missing > 0 ? ", " + missing + " not received" : "");
            if (pollIntervalMillis == null) {
                boolean ok = sorted.length > 0 && pct(sorted, 50) <= 150 && pct(sorted, 99) <= 400 && missing == 0;
                row("1. latency, " + poll, result, "p50 ≤ 150 ms, p99 ≤ 400 ms", ok ? "met" : "MISSED");
            } else {
                row("2. latency, " + poll, result, "comparison (builtin ≈ 1 s)", "—");
            }
            latencySeries.add(cdf(poll, sorted));
        }
    }

    /** 3: writes as fast as DynamoDB Local takes them; records/s delivered, and the lag when writing stops. */
    private void throughput() throws Exception {
        int capacity = 2_000_000;
        try (Run run = new Run("throughput", capacity, "")) {
            run.startConnectorAndWarmUp(List.of());
            say("throughput: BatchWriteItem from " + WRITER_THREADS + " threads for " + durationSeconds + " s");
            AtomicLong next = new AtomicLong();
            AtomicIntegerArray writtenPerSecond = new AtomicIntegerArray(3600);
            long t0 = System.nanoTime();
            long end = t0 + durationSeconds * 1_000_000_000L;
            run.tracker.origin = t0;
            runWriters(run, () -> System.nanoTime() < end, next, Long.MAX_VALUE, writtenPerSecond, t0);
            long written = next.get();
            long deliveredAtEnd = run.tracker.unique.get();
            long lag = written - deliveredAtEnd;
            long stop = System.nanoTime();
            run.awaitReceived(written, Duration.ofSeconds(180));
            double catchUp = (run.tracker.lastUniqueNanos - stop) / 1e9;
            double seconds = (stop - t0) / 1e9;
            String result = String.format(Locale.ROOT, "%,.0f records/s delivered while %,.0f writes/s went in;"
                            + " lag at the end %,d records (caught up %.1f s later)",
                    deliveredAtEnd / seconds, written / seconds, lag, Math.max(0, catchUp));
            row("3. live throughput", result, "—", "—");
            throughputSeries.add(perSecond("3. throughput: written/s", writtenPerSecond, durationSeconds));
            throughputSeries.add(perSecond("3. throughput: delivered/s", run.tracker.perSecond,
                    (int) Math.ceil((run.tracker.lastUniqueNanos - t0) / 1e9)));
        }
    }

    /**
     * 12: the same backlog drained at-least-once and then effectively-once, both to topics of a namespace with
     * deduplication on: what the guarantee costs (the broker's deduplication, a producer per shard).
     */
    private void effectivelyOnce() throws Exception {
        String namespace = "public/bench-dedup";
        try (org.apache.pulsar.client.admin.PulsarAdmin admin = org.apache.pulsar.client.admin.PulsarAdmin.builder()
                .serviceHttpUrl(pulsar.webServiceUrl()).build()) {
            if (!admin.namespaces().getNamespaces("public").contains(namespace)) {
                admin.namespaces().createNamespace(namespace);
            }
            admin.namespaces().setDeduplicationStatus(namespace, true);
        }
        Map<String, Double> rates = new LinkedHashMap<>();
        for (ProcessingGuarantees guarantees : List.of(ProcessingGuarantees.ATLEAST_ONCE,
                ProcessingGuarantees.EFFECTIVELY_ONCE)) {
            String label = "eo-" + guarantees.name().toLowerCase(Locale.ROOT).replace('_', '-');
            try (Run run = new Run(label, backlogRecords + 10, "", "persistent://" + namespace + "/")) {
                run.guarantees = guarantees;
                say(label + ": writing " + backlogRecords + " items before the connector starts");
                runWriters(run, () -> true, new AtomicLong(), backlogRecords, null, 0);
                run.startConnector(List.of());
                run.awaitReceived(backlogRecords, Duration.ofMinutes(10));
                double seconds = (run.tracker.lastUniqueNanos - run.tracker.firstNanos) / 1e9;
                rates.put(guarantees.name(), (backlogRecords - 1) / seconds);
            }
        }
        row("12. backlog drain, effectively-once", String.format(Locale.ROOT, "%,.0f records/s EFFECTIVELY_ONCE vs"
                        + " %,.0f records/s ATLEAST_ONCE (%,d records from TRIM_HORIZON, one after the other, both"
                        + " to a namespace with deduplication)", rates.get("EFFECTIVELY_ONCE"),
                rates.get("ATLEAST_ONCE"), backlogRecords), "—", "—");
    }

    /** 4 and 5: a backlog drained from TRIM_HORIZON vs the raw GetRecords rate; the connector JVM's memory. */
    private void backlog() throws Exception {
        backlog(CONNECTOR_JVM, "", "backlog");
        if (CONNECTOR_JVM == PROCESS_RUNTIME_JVM && !Boolean.getBoolean("bench.skipLocalrun")) {
            // a first try with pulsar-admin sources localrun gets a 128 MB ZGC heap instead, which behaves
            // differently: ZGC maps its heap three times (RSS counts each) and stalls allocations in so small a heap
            backlog(PULSAR_LOCALRUNNER_JVM, "b", "backlog-localrun");
        }
        if (CONNECTOR_JVM == PROCESS_RUNTIME_JVM && !Boolean.getBoolean("bench.skipRam256")) {
            // with a 1 GiB heap, G1 grows eden far past the connector's live heap: what a sized instance takes
            backlog(PROCESS_RUNTIME_RAM_256_JVM, "c", "backlog-ram256");
        }
    }

    /** One drain; variant "" is the primary run with the targets, "b", "c" are comparisons (rows 4b/5b, 4c/5c). */
    private void backlog(List<String> jvmOptions, String variant, String label) throws Exception {
        boolean primary = variant.isEmpty();
        try (Run run = new Run(label, backlogRecords + 10, "")) {
            run.jvmOptions = jvmOptions;
            say(label + ": writing " + backlogRecords + " items before the connector starts");
            AtomicLong next = new AtomicLong();
            long w0 = System.nanoTime();
            runWriters(run, () -> true, next, backlogRecords, null, 0);
            say(String.format(Locale.ROOT, "%s: %,d items written in %.1f s", label, backlogRecords,
                    (System.nanoTime() - w0) / 1e9));
            RawRead raw1 = rawGetRecords(run);
            RawRead raw2 = rawGetRecords(run);
            RawRead best = raw1.recordsPerSecond() >= raw2.recordsPerSecond() ? raw1 : raw2;
            double raw = best.recordsPerSecond();
            say(String.format(Locale.ROOT, "%s: raw GetRecords read %,.0f then %,.0f records/s"
                            + " (%.0f then %.0f CPU-µs per record)", label, raw1.recordsPerSecond(),
                    raw2.recordsPerSecond(), raw1.cpuMicrosPerRecord(), raw2.cpuMicrosPerRecord()));

            Path gcLog = run.dir.resolve("gc.log");
            Path classLog = run.dir.resolve("class-load.log");
            List<String> extra = new ArrayList<>(List.of("-Xlog:gc:file=" + gcLog,
                    "-Xlog:class+load=info:file=" + classLog));
            if (Boolean.getBoolean("bench.jfr")) {
                // profiling aid (-Dbench.jfr=true): a JFR recording of the connector's JVM during the drain
                extra.add("-XX:StartFlightRecording=filename=" + run.dir.resolve("localrunner.jfr")
                        + ",settings=profile,dumponexit=true");
            }
            long c0 = System.nanoTime();
            run.tracker.origin = c0;
            run.startConnector(extra);
            MemoryWatch memory = new MemoryWatch(run.source.jvm().pid());
            memory.start();
            long[] cpuAtFirst = null;
            // the runtime's own footprint, started and idle, so the peak can be read as the drain's share
            long rssAtFirstKb = 0;
            try {
                while (run.tracker.firstNanos == 0 && System.nanoTime() - c0 < TimeUnit.MINUTES.toNanos(5)) {
                    run.checkConnector();
                    Thread.sleep(5);
                }
                cpuAtFirst = cpuTicks(run);
                rssAtFirstKb = memory.currentRssKb();
                run.awaitReceived(backlogRecords, Duration.ofMinutes(10));
            } finally {
                memory.stop();
            }
            Tracker t = run.tracker;
            long[] cpuAtEnd = cpuTicks(run);
            double drainSeconds = (t.lastUniqueNanos - t.firstNanos) / 1e9;
            // the first record arrived before cpuAtFirst, so the CPU measured went into the other ones
            long drained = backlogRecords - 1;
            double[] cpuSeconds = new double[cpuAtEnd.length];
            double drainCpuSeconds = 0;
            for (int i = 0; i < cpuAtEnd.length; i++) {
                cpuSeconds[i] = (cpuAtEnd[i] - cpuAtFirst[i]) / 100.0;
                drainCpuSeconds += cpuSeconds[i];
            }
            double drainMicros = drainCpuSeconds * 1e6 / drained;
            double connectorMicros = cpuSeconds[0] * 1e6 / drained;
            int cores = Runtime.getRuntime().availableProcessors();
            notes.add(String.format(Locale.ROOT, label + ": CPU during the drain (%.1f s, %d cores = %.1f CPU-s"
                            + " available): connector JVM %.1f s, Pulsar broker %.1f s, benchmark JVM (DynamoDB Local,"
                            + " consumer) %.1f s; drain: %.0f CPU-µs per record = connector JVM %.0f + broker %.0f"
                            + " + benchmark JVM (DynamoDB Local + consumer) %.0f; raw read: %.0f CPU-µs per record"
                            + " (DynamoDB Local + SDK client)",
                    drainSeconds, cores, drainSeconds * cores, cpuSeconds[0], cpuSeconds[1], cpuSeconds[2],
                    drainMicros, connectorMicros, cpuSeconds[1] * 1e6 / drained, cpuSeconds[2] * 1e6 / drained,
                    best.cpuMicrosPerRecord()));
            say(notes.get(notes.size() - 1));
            double rate = drained / drainSeconds;
            double ratio = rate / raw;
            String jvmText = describeJvm(jvmOptions, gcLog);
            String suffix = primary ? "" : " (comparison: " + jvmText + ")";
            row("4" + variant + ". backlog drain" + suffix, String.format(Locale.ROOT,
                            "%,d records in %.1f s from the first: %,.0f records/s = %.2f × raw GetRecords"
                                    + " (%,.0f records/s, best of 2 reads); first record %.1f s after the LocalRunner"
                                    + " started (CPU per record: raw read %.0f µs; drain %.0f µs, of which connector"
                                    + " %.0f µs)",
                            backlogRecords, drainSeconds, rate, ratio, raw, (t.firstNanos - c0) / 1e9,
                            best.cpuMicrosPerRecord(), drainMicros, connectorMicros),
                    primary ? "≥ 0.5 × raw" : "—", primary ? (ratio >= 0.5 ? "met" : "MISSED") : "—");
            HeapPeaks heap = heapPeaks(gcLog);
            row("5" + variant + ". memory during the drain" + suffix,
                    String.format(Locale.ROOT,
                            "peak RSS %d MB (VmHWM; peak PSS %d MB; RSS %d MB when the first record arrived),"
                                    + " %s; connector JVM: %s",
                            memory.peakRssKb / 1024, memory.peakPssKb / 1024, rssAtFirstKb / 1024,
                            heap.describe(),
                            jvmText),
                    primary ? "RSS ≤ 512 MB" : "—",
                    primary ? (memory.peakRssKb / 1024 <= 512 ? "met" : "MISSED") : "—");
            throughputSeries.add(perSecond("4" + variant + ". " + (primary ? "backlog drain" : label) + ": delivered/s",
                    t.perSecond, (int) Math.ceil((t.lastUniqueNanos - c0) / 1e9)));
            if (primary) {
                loadedNarJars = loadedBundledJars(classLog);
            }
        }
    }

    /**
     * 6: from open() (the connector's "Opening DynamoDB source" log line) to the first record, for a new application
     * and after a graceful stop and restart; median (and range) of bench.startupRuns runs, each on a fresh DynamoDB
     * Local.
     */
    private void startup(String rowName, List<String> connectorJvmOptions) throws Exception {
        int runs = Integer.getInteger("bench.startupRuns", 5);
        List<Double> fresh = new ArrayList<>();
        List<Double> restart = new ArrayList<>();
        List<Double> freshProcess = new ArrayList<>();
        List<Double> restartProcess = new ArrayList<>();
        // CPU seconds the connector JVM spent from its start to the first record: unlike the wall-clock figures,
        // hardly changed by other processes competing for the cores.
        List<Double> freshCpu = new ArrayList<>();
        List<Double> restartCpu = new ArrayList<>();
        for (int i = 1; i <= runs; i++) {
            try (Run run = new Run("startup", 100, "")) {
                run.put(0);
                long c0 = System.nanoTime();
                run.startConnector(connectorJvmOptions);
                run.awaitReceived(1, Duration.ofMinutes(3));
                freshCpu.add(cpuTicks(run.source.jvm().pid()) / 100.0);
                fresh.add(openToFirst(run, 0));
                freshProcess.add((run.tracker.firstNanos - c0) / 1e9);
                run.stopConnector();
                run.put(1);
                long r0 = System.nanoTime();
                run.startConnector(connectorJvmOptions);
                run.awaitReceived(2, Duration.ofMinutes(3));
                restartCpu.add(cpuTicks(run.source.jvm().pid()) / 100.0);
                restart.add(openToFirst(run, 1));
                restartProcess.add((run.tracker.recv[1] - r0) / 1e9);
                say(String.format(Locale.ROOT, "startup %d/%d: new application %.1f s, restart %.1f s from open()"
                        + " to the first record; connector JVM CPU %.1f s and %.1f s; load average %s", i, runs,
                        fresh.get(i - 1), restart.get(i - 1), freshCpu.get(i - 1), restartCpu.get(i - 1),
                        loadAverage()));
            }
        }
        double freshMedian = median(fresh);
        double restartMedian = median(restart);
        row(rowName, String.format(Locale.ROOT,
                        "median of %d: new applicationName %.1f s (%s); restart with existing leases %.1f s (%s);"
                                + " from LocalRunner JVM start %.1f s and %.1f s; CPU time of the connector JVM from"
                                + " its start to the first record %.1f s and %.1f s",
                        runs, freshMedian, range(fresh), restartMedian, range(restart), median(freshProcess),
                        median(restartProcess), median(freshCpu), median(restartCpu)),
                "new ≤ 5 s, restart ≤ 2 s", freshMedian <= 5 && restartMedian <= 2 ? "met" : "MISSED");
    }

    /**
     * 6c and 6d: the options that map a class-data sharing archive of the connector JVM (README "Start-up"),
     * written once per benchmark run by a new application and restart as the JVM exits (-XX:ArchiveClassesAtExit,
     * JDK 17's dynamic archive: it holds the NAR's classes too). An operator's option, not a default: the archive
     * belongs to one JDK build and one instance class path.
     */
    private List<String> classDataSharing() throws Exception {
        Path archive = workDir.resolve("startup-cds").resolve("connector.jsa");
        if (startupArchive == null) {
            Files.createDirectories(archive.getParent());
            Files.deleteIfExists(archive);
            try (Run run = new Run("startup-cds-dump", 100, "")) {
                run.put(0);
                run.startConnector(List.of("-XX:ArchiveClassesAtExit=" + archive));
                run.awaitReceived(1, Duration.ofMinutes(3));
                run.stopConnector();
                run.put(1);
                run.startConnector(List.of("-XX:ArchiveClassesAtExit=" + archive));
                run.awaitReceived(2, Duration.ofMinutes(3));
                run.stopConnector();
            }
            if (!Files.isRegularFile(archive)) {
                throw new IllegalStateException("the connector JVM wrote no class-data sharing archive at " + archive);
            }
            say(String.format(Locale.ROOT, "startup-cds: archive %s, %.0f MB", archive, Files.size(archive) / 1e6));
            startupArchive = archive;
        }
        return List.of("-XX:SharedArchiveFile=" + startupArchive, "-Xlog:cds=warning");
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static String range(List<Double> values) {
        return String.format(Locale.ROOT, "%.1f-%.1f s", values.stream().mapToDouble(Double::doubleValue).min()
                .orElse(Double.NaN), values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
    }

    /** 9: the AWS requests of one instance: open() to first record, and per second idle with one shard. */
    private void requests() throws Exception {
        RequestCost.Result result = RequestCost.measure(quietly(DynamoDbLocal::start),
                Duration.ofSeconds(durationSeconds), this::say);
        StringBuilder perTarget = new StringBuilder();
        result.idleDynamoDbPerTable().forEach((target, rate) -> perTarget.append(perTarget.length() == 0 ? "" : ", ")
                .append(String.format(Locale.ROOT, "%s %.2f", target, rate)));
        row("9. AWS requests of one instance (in-process, one shard)", String.format(Locale.ROOT,
                        "idle: %.2f DynamoDB requests/s (%s) and %.2f DynamoDB Streams requests/s; new application,"
                                + " open() to first record (%.1f s): %d requests",
                        result.idlePerSecond("DynamoDb"), perTarget, result.idlePerSecond("DynamoDbStreams"),
                        result.startupSeconds(), result.startupTotal()),
                "—", "—");
        notes.add("requests, idle for " + Math.round(result.idleSeconds()) + " s: " + result.idleBreakdown());
        notes.add("requests, open() to first record: " + result.startupBreakdown());
    }

    /** 7: NAR size and its largest bundled jars; which of them the connector never loaded during the drain. */
    private void nar() throws IOException {
        Path narFile = Path.of(System.getProperty("e2e.nar"));
        double mb = Files.size(narFile) / 1e6;
        List<long[]> sizes = new ArrayList<>();
        List<String> names = new ArrayList<>();
        try (ZipFile zip = new ZipFile(narFile.toFile())) {
            for (ZipEntry entry : java.util.Collections.list(zip.entries())) {
                if (entry.getName().startsWith("META-INF/bundled-dependencies/") && entry.getName().endsWith(".jar")) {
                    names.add(entry.getName().substring("META-INF/bundled-dependencies/".length()));
                    sizes.add(new long[] {entry.getCompressedSize(), names.size() - 1});
                }
            }
        }
        sizes.sort(Comparator.comparingLong((long[] a) -> a[0]).reversed());
        StringBuilder top = new StringBuilder();
        for (int i = 0; i < Math.min(5, sizes.size()); i++) {
            top.append(i == 0 ? "" : ", ").append(names.get((int) sizes.get(i)[1]))
                    .append(String.format(Locale.ROOT, " %.1f MB", sizes.get(i)[0] / 1e6));
        }
        row("7. NAR size", String.format(Locale.ROOT, "%.1f MB, %d jars (builtin %.1f MB); largest: %s",
                mb, names.size(), BUILTIN_NAR_MB, top), "< 36 MB", mb < 36 ? "met" : "MISSED");
        if (loadedNarJars != null && runtime != null) {
            Set<String> parentArtifacts = new java.util.HashSet<>();
            for (String entry : runtime.classPathEntries()) {
                parentArtifacts.add(artifactOf(Path.of(entry).getFileName().toString()));
            }
            List<String> unused = new ArrayList<>();
            List<String> shadowed = new ArrayList<>();
            long unusedBytes = 0;
            for (long[] s : sizes) {
                String name = names.get((int) s[1]);
                if (!loadedNarJars.contains(name)) {
                    if (parentArtifacts.contains(artifactOf(name))) {
                        shadowed.add(name);
                    } else {
                        unused.add(name + String.format(Locale.ROOT, " (%.2f MB)", s[0] / 1e6));
                        unusedBytes += s[0];
                    }
                }
            }
            notes.add(String.format(Locale.ROOT, "NAR jars not loaded during the backlog drain: %d are on Pulsar's"
                    + " own class path, which the NAR class loader asks first (%s); %d, %.1f MB, were not loaded at"
                    + " all — some serve other settings (STS or default-chain credentials, CloudWatch metrics): %s",
                    shadowed.size(), String.join(", ", shadowed), unused.size(), unusedBytes / 1e6,
                    String.join(", ", unused)));
        }
    }

    /** "netty-codec-http-4.1.127.Final.jar" to "netty-codec-http". */
    private static String artifactOf(String jar) {
        return jar.replaceFirst("\\.jar$", "").replaceFirst("-\\d.*$", "");
    }

    /** 8: JMH, one thread, one fork, per output format: ChangeRecordConverter.convert of a ~1 KB MODIFY. */
    private void conversion() throws Exception {
        int warmups = Integer.getInteger("bench.jmh.warmups", 3);
        int iterations = Integer.getInteger("bench.jmh.iterations", 5);
        say("conversion: JMH per output format, 1 fork, 1 thread, " + warmups + " × 2 s warm-up, " + iterations
                + " × 2 s measured");
        List<String> figures = new ArrayList<>();
        double slowest = Double.MAX_VALUE;
        for (OutputFormat format : OutputFormat.values()) {
            String method = switch (format) {
                case DYNAMODB_JSON -> "dynamodbJson";
                case DOCUMENT -> "document";
                case ENVELOPE -> "envelope";
            };
            int valueBytes = ConversionBenchmark.converter(format).convert(ConversionBenchmark.sampleRecord(),
                    ConversionBenchmark.ORIGIN, ConversionBenchmark.READ_TIME_MILLIS).get(0).value().length;
            RunResult result = new Runner(jmh(java.util.regex.Pattern.quote(ConversionBenchmark.class.getName())
                    + "\\." + method + "$", warmups, iterations)).runSingle();
            double score = result.getPrimaryResult().getScore();
            double error = result.getPrimaryResult().getScoreError();
            slowest = Math.min(slowest, score);
            figures.add(String.format(Locale.ROOT, "%s %,.0f ± %,.0f (%d-byte value)", format, score,
                    Double.isNaN(error) ? 0 : error, valueBytes));
        }
        row("8. conversion (JMH)", String.join("; ", figures) + String.format(Locale.ROOT,
                        " records/s on one thread (1 fork, %d × 2 s warm-up, %d × 2 s measured)", warmups, iterations),
                "≥ 100,000 records/s each", slowest >= 100_000 ? "met" : "MISSED");
    }

    /**
     * 11: JMH, one thread, one fork: a record published and acknowledged through a shard's publisher with metrics
     * off and on, in the same run; the difference is what the metrics cost per record.
     */
    private void metricsOverhead() throws Exception {
        int warmups = Integer.getInteger("bench.jmh.warmups", 3);
        int iterations = Integer.getInteger("bench.jmh.iterations", 5);
        say("metrics: JMH publish + acknowledge with metrics off and on, 1 fork, 1 thread, " + warmups
                + " × 2 s warm-up, " + iterations + " × 2 s measured");
        Map<String, double[]> scores = new java.util.HashMap<>();
        for (RunResult result : new Runner(jmh(java.util.regex.Pattern.quote(PublishMetricsBenchmark.class.getName())
                + "\\.metricsO(n|ff)$", warmups, iterations)).run()) {
            String name = result.getParams().getBenchmark();
            double error = result.getPrimaryResult().getScoreError();
            scores.put(name.substring(name.lastIndexOf('.') + 1), new double[] {result.getPrimaryResult().getScore(),
                    Double.isNaN(error) ? 0 : error});
        }
        double[] off = scores.get("metricsOff");
        double[] on = scores.get("metricsOn");
        double nanosMore = 1e9 / on[0] - 1e9 / off[0];
        say("metrics: the same interleaved in this thread, timed by its CPU time (40 rounds of 50,000, 10 warm-up)");
        double[] cpu = PublishMetricsBenchmark.cpuNanosPerRecord(40, 50_000);
        row("11. metrics overhead", String.format(Locale.ROOT, "a record published and acknowledged through a"
                + " shard's publisher (conversion left out), metrics off and on in one run: thread CPU %.0f ns off, "
                + "%.0f ns on: %.0f ns more per record (a DYNAMODB_JSON conversion: %.0f ns); JMH %,.0f ± %,.0f "
                + "records/s off, "
                + "%,.0f ± %,.0f on: %.0f ns more (1 fork, 1 thread, %d × 2 s warm-up, %d × 2 s measured)",
                cpu[0], cpu[1], cpu[1] - cpu[0], cpu[2], off[0], off[1], on[0], on[1], nanosMore,
                warmups, iterations), "—", "—");
    }

    /** The benchmarks matching the pattern: 1 fork, 1 thread, 2 s warm-up and measured iterations. */
    private static org.openjdk.jmh.runner.options.Options jmh(String include, int warmups, int iterations) {
        return new OptionsBuilder()
                .include(include)
                .forks(1)
                .threads(1)
                .warmupIterations(warmups).warmupTime(TimeValue.seconds(2))
                .measurementIterations(iterations).measurementTime(TimeValue.seconds(2))
                .shouldFailOnError(true)
                .build();
    }

    // ---------------------------------------------------------------- one table, one connector

    /** A fresh DynamoDB Local with one table, a topic, its consumer and the connector's LocalRunner. */
    private final class Run implements AutoCloseable {
        final String label;
        final DynamoDbLocal dynamo;
        final String table;
        final String arn;
        final String topic;
        final String app;
        final String configJson;
        final Path dir;
        final Tracker tracker;
        final Consumer<byte[]> consumer;
        LocalRunnerSource source;
        int connectorStarts;
        List<String> jvmOptions = CONNECTOR_JVM;
        ProcessingGuarantees guarantees;

        Run(String label, int capacity, String extraConfig) throws Exception {
            this(label, capacity, extraConfig, TENANT_NS);
        }

        /** @param namespacePrefix where the topic goes, {@code persistent://tenant/namespace/} */
        Run(String label, int capacity, String extraConfig, String namespacePrefix) throws Exception {
            this.label = label;
            int n = ++runCounter;
            this.dir = workDir.resolve(label);
            PulsarRuntime.deleteRecursively(dir);
            Files.createDirectories(dir);
            this.dynamo = quietly(DynamoDbLocal::start);
            this.table = "bench" + n;
            this.arn = dynamo.createTableWithStream(table);
            this.topic = namespacePrefix + "bench-" + label + "-" + n;
            this.app = "pulsar-dynamodb-bench-" + label + "-" + n;
            this.tracker = new Tracker(capacity);
            this.consumer = client.newConsumer(Schema.BYTES)
                    .topic(topic).subscriptionName("bench").subscriptionType(SubscriptionType.Exclusive)
                    .subscriptionInitialPosition(SubscriptionInitialPosition.Earliest)
                    .messageListener((c, m) -> {
                        tracker.received(seqOf(m.getKey()), System.nanoTime());
                        c.acknowledgeAsync(m);
                    })
                    .subscribe();
            this.configJson = """
                    {"awsEndpoint": "%1$s", "dynamoEndpoint": "%1$s", "awsRegion": "us-east-1", \
                    "awsDynamodbStreamArn": "%2$s", \
                    "awsCredentialPluginParam": "{\\"accessKey\\":\\"%3$s\\",\\"secretKey\\":\\"%4$s\\"}", \
                    "applicationName": "%5$s", "initialPositionInStream": "TRIM_HORIZON"%6$s}"""
                    .formatted(dynamo.endpoint(), arn, DynamoDbLocal.ACCESS_KEY, DynamoDbLocal.SECRET_KEY, app,
                            extraConfig + System.getProperty("bench.extraConfig", ""));
        }

        void startConnector(List<String> extraJvmOptions) {
            List<String> jvm = new ArrayList<>(jvmOptions);
            jvm.addAll(extraJvmOptions);
            Path log = dir.resolve("localrunner-" + (++connectorStarts) + ".log");
            say(label + ": starting the connector (log " + log + ")");
            LocalRunnerSource.Options options = new LocalRunnerSource.Options("bench-" + label, topic, configJson)
                    .jvmOptions(jvm);
            if (guarantees != null) {
                options.processingGuarantees(guarantees);
            }
            source = LocalRunnerSource.start(runtime, pulsar, options, log);
        }

        /** Starts the connector and waits until a first item has gone through (the lease is taken, JIT warm). */
        void startConnectorAndWarmUp(List<String> extraJvmOptions) throws Exception {
            putItem("warm-up", -1);
            startConnector(extraJvmOptions);
            say(label + ": waiting for the first record");
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (!tracker.warmedUp) {
                checkConnector();
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(label + ": no record after 3 minutes; " + source.jvm().log());
                }
                Thread.sleep(100);
            }
            say(label + ": first record in; connector running");
            Thread.sleep(2000);
        }

        void checkConnector() {
            if (source != null && !source.jvm().isAlive()) {
                throw new IllegalStateException(label + ": the LocalRunner exited:\n" + source.errors()
                        + "\n" + source.jvm().logTail(20));
            }
        }

        void put(int seq) {
            putItem("i" + seq, seq);
            if (seq >= 0 && seq < tracker.sent.length) {
                tracker.sent[seq] = System.nanoTime();
            }
        }

        private void putItem(String id, long seq) {
            dynamo.put(table, item(id, seq));
        }

        void awaitReceived(long count, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            long lastReport = System.nanoTime();
            while (tracker.unique.get() < count) {
                checkConnector();
                if (System.nanoTime() > deadline) {
                    say(label + ": gave up waiting: " + tracker.unique.get() + " of " + count + " received");
                    return;
                }
                if (System.nanoTime() - lastReport > 15_000_000_000L) {
                    say(label + ": " + tracker.unique.get() + " of " + count + " received");
                    lastReport = System.nanoTime();
                }
                Thread.sleep(20);
            }
        }

        void stopConnector() {
            if (source != null) {
                source.stop();
                source = null;
            }
        }

        @Override
        public void close() throws Exception {
            stopConnector();
            consumer.close();
            dynamo.close();
        }
    }

    static Map<String, AttributeValue> item(String id, long seq) {
        return Map.of("id", AttributeValue.fromS(id),
                "seq", AttributeValue.fromN(Long.toString(seq)),
                "writtenAtMillis", AttributeValue.fromN(Long.toString(System.currentTimeMillis())),
                "writtenAtNanos", AttributeValue.fromN(Long.toString(System.nanoTime())),
                "payload", AttributeValue.fromS(PAYLOAD));
    }

    /** BatchWriteItem loops from WRITER_THREADS threads until the condition fails or {@code limit} items. */
    private void runWriters(Run run, java.util.function.BooleanSupplier go, AtomicLong next, long limit,
                            AtomicIntegerArray perSecond, long t0) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        AtomicBoolean failed = new AtomicBoolean();
        for (int w = 0; w < WRITER_THREADS; w++) {
            Thread thread = new Thread(() -> {
                try {
                    while (go.getAsBoolean() && !failed.get()) {
                        long first = next.getAndAdd(BATCH);
                        if (first >= limit) {
                            next.addAndGet(-BATCH);
                            return;
                        }
                        int n = (int) Math.min(BATCH, limit - first);
                        List<WriteRequest> requests = new ArrayList<>(n);
                        for (int i = 0; i < n; i++) {
                            requests.add(WriteRequest.builder().putRequest(PutRequest.builder()
                                    .item(item("i" + (first + i), first + i)).build()).build());
                        }
                        Map<String, List<WriteRequest>> pending = Map.of(run.table, requests);
                        while (!pending.isEmpty()) {
                            Map<String, List<WriteRequest>> batch = pending;
                            BatchWriteItemResponse response =
                                    run.dynamo.client().batchWriteItem(b -> b.requestItems(batch));
                            pending = response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of();
                        }
                        if (n < BATCH) {
                            next.addAndGet(n - BATCH);
                        }
                        if (perSecond != null) {
                            int second = (int) ((System.nanoTime() - t0) / 1_000_000_000L);
                            perSecond.addAndGet(Math.min(second, perSecond.length() - 1), n);
                        }
                    }
                } catch (RuntimeException e) {
                    failed.set(true);
                    say(run.label + ": writer failed: " + e);
                }
            }, "bench-writer-" + w);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (failed.get()) {
            throw new IllegalStateException(run.label + ": a writer failed");
        }
    }

    /** Records/s of a read with the SDK alone, and the CPU this JVM (DynamoDB Local + client) spent per record. */
    record RawRead(double recordsPerSecond, double cpuMicrosPerRecord) { }

    /** Reads the table's whole stream with the SDK directly, 1000 records per GetRecords. */
    private RawRead rawGetRecords(Run run) {
        try (DynamoDbStreamsClient streams = DynamoDbStreamsClient.builder()
                .endpointOverride(URI.create(run.dynamo.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(DynamoDbLocal.ACCESS_KEY, DynamoDbLocal.SECRET_KEY)))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build()) {
            long ownPid = ProcessHandle.current().pid();
            long cpu0 = cpuTicks(ownPid);
            long t0 = System.nanoTime();
            String shard = streams.describeStream(b -> b.streamArn(run.arn)).streamDescription().shards().get(0)
                    .shardId();
            String iterator = streams.getShardIterator(b -> b.streamArn(run.arn).shardId(shard)
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
            long read = 0;
            int empty = 0;
            while (read < backlogRecords && iterator != null && empty < 5) {
                String it = iterator;
                GetRecordsResponse response = streams.getRecords(b -> b.shardIterator(it).limit(1000));
                read += response.records().size();
                empty = response.records().isEmpty() ? empty + 1 : 0;
                iterator = response.nextShardIterator();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double cpuSeconds = (cpuTicks(ownPid) - cpu0) / 100.0;
            return new RawRead(read / seconds, read == 0 ? Double.NaN : cpuSeconds * 1e6 / read);
        }
    }

    // ---------------------------------------------------------------- measurement helpers

    /** Per-item send and receive times (System.nanoTime of this JVM), and deliveries per second. */
    static final class Tracker {
        final long[] sent;
        final long[] recv;
        final AtomicLong unique = new AtomicLong();
        final AtomicIntegerArray perSecond = new AtomicIntegerArray(3600);
        volatile long origin = System.nanoTime();
        volatile long firstNanos;
        volatile long lastUniqueNanos;
        volatile boolean warmedUp;

        Tracker(int capacity) {
            sent = new long[capacity];
            recv = new long[capacity];
        }

        /** Called on the consumer's single listener thread. */
        void received(long seq, long now) {
            if (seq == -2) {
                warmedUp = true;
                return;
            }
            if (seq < 0 || seq >= recv.length || recv[(int) seq] != 0) {
                return;
            }
            recv[(int) seq] = now;
            if (firstNanos == 0) {
                firstNanos = now;
            }
            lastUniqueNanos = now;
            int second = (int) Math.max(0, (now - origin) / 1_000_000_000L);
            perSecond.incrementAndGet(Math.min(second, perSecond.length() - 1));
            unique.incrementAndGet();
        }
    }

    /** The item number from a message key such as {@code {"id":{"S":"i123"}}}; -2 for the warm-up item. */
    static long seqOf(String key) {
        if (key == null) {
            return -1;
        }
        int at = key.indexOf("\"S\":\"");
        if (at < 0) {
            return -1;
        }
        int start = at + 5;
        if (key.startsWith("warm", start)) {
            return -2;
        }
        long value = 0;
        int i = start + 1;
        for (; i < key.length() && Character.isDigit(key.charAt(i)); i++) {
            value = value * 10 + (key.charAt(i) - '0');
        }
        return i == start + 1 ? -1 : value;
    }

    /** Polls /proc/PID/status (VmHWM) and smaps_rollup (Pss) of the connector's JVM every 200 ms. */
    static final class MemoryWatch {
        private final long pid;
        private final Thread thread;
        private volatile boolean running = true;
        volatile long peakRssKb;
        volatile long peakPssKb;

        MemoryWatch(long pid) {
            this.pid = pid;
            this.thread = new Thread(this::poll, "bench-memory-watch");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join();
        }

        private void poll() {
            while (running) {
                try {
                    long hwm = field(Path.of("/proc", Long.toString(pid), "status"), "VmHWM:");
                    long rss = field(Path.of("/proc", Long.toString(pid), "status"), "VmRSS:");
                    long pss = field(Path.of("/proc", Long.toString(pid), "smaps_rollup"), "Pss:");
                    peakRssKb = Math.max(peakRssKb, Math.max(hwm, rss));
                    peakPssKb = Math.max(peakPssKb, pss);
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                } catch (IOException e) {
                    return; // the process is gone
                }
            }
        }

        long currentRssKb() {
            try {
                return field(Path.of("/proc", Long.toString(pid), "status"), "VmRSS:");
            } catch (IOException e) {
                return 0; // the process is gone
            }
        }

        private static long field(Path file, String name) throws IOException {
            for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
                }
            }
            return 0;
        }
    }

    /** utime + stime in clock ticks (1/100 s) of the connector's JVM, the broker's and this one. */
    private long[] cpuTicks(Run run) {
        return new long[] {cpuTicks(run.source.jvm().pid()), cpuTicks(pulsar.jvm().pid()),
            cpuTicks(ProcessHandle.current().pid())};
    }

    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** How rows 4b, 5 and 5b name the connector JVM's options; gcLog tells which collector the JVM chose itself. */
    private static String describeJvm(List<String> options, Path gcLog) {
        if (options == PROCESS_RUNTIME_JVM) {
            return "as `pulsar-admin sources create` starts it (function worker's process runtime): -Xmx1073741824,"
                    + " no GC option (the JVM chose " + gcName(gcLog) + ")";
        }
        if (options == PROCESS_RUNTIME_RAM_256_JVM) {
            return "as `pulsar-admin sources create --ram 268435456` starts it: -Xmx268435456, no GC option (the JVM"
                    + " chose " + gcName(gcLog) + ")";
        }
        if (options == PULSAR_LOCALRUNNER_JVM) {
            return "as `pulsar-admin sources localrun` starts it: " + String.join(" ", options.subList(0, 5));
        }
        return String.join(" ", options);
    }

    /** The collector from the "Using G1" line that -Xlog:gc writes first; "?" if there is none. */
    private static String gcName(Path gcLog) {
        Pattern p = Pattern.compile("\\] Using (.+)$");
        try {
            for (String line : Files.readAllLines(gcLog, StandardCharsets.ISO_8859_1)) {
                Matcher m = p.matcher(line);
                if (m.find()) {
                    return m.group(1).trim();
                }
            }
        } catch (IOException e) {
            return "?";
        }
        return "?";
    }

    /** The highest heap occupancy before a collection, from a -Xlog:gc file (ZGC or G1 line formats); -1 if none. */
    /** Peaks of the heap before and after collections in a -Xlog:gc file (-1 without one). */
    record HeapPeaks(long beforeGcMb, long afterGcMb) {
        String describe() {
            return beforeGcMb < 0 ? "n/a" : String.format(Locale.ROOT,
                    "peak heap used %d MB before a collection, at most %d MB after one (GC log)", beforeGcMb, afterGcMb);
        }
    }

    static HeapPeaks heapPeaks(Path gcLog) {
        Pattern p = Pattern.compile("(\\d+)M(?:\\(\\d+%\\))?->(\\d+)M");
        long before = -1;
        long after = -1;
        try {
            for (String line : Files.readAllLines(gcLog, StandardCharsets.ISO_8859_1)) {
                Matcher m = p.matcher(line);
                if (m.find()) {
                    before = Math.max(before, Long.parseLong(m.group(1)));
                    after = Math.max(after, Long.parseLong(m.group(2)));
                }
            }
        } catch (IOException e) {
            return new HeapPeaks(-1, -1);
        }
        return new HeapPeaks(Math.max(before, after), after);
    }

    /** Names of the NAR's bundled jars from which at least one class was loaded, from a -Xlog:class+load file. */
    private static Set<String> loadedBundledJars(Path classLog) {
        Set<String> jars = new java.util.HashSet<>();
        Pattern p = Pattern.compile("bundled-dependencies/([^/!\\s]+\\.jar)");
        try {
            for (String line : Files.readAllLines(classLog, StandardCharsets.ISO_8859_1)) {
                Matcher m = p.matcher(line);
                if (m.find()) {
                    jars.add(m.group(1));
                }
            }
        } catch (IOException e) {
            return null;
        }
        return jars;
    }

    /** Seconds from the last "Opening DynamoDB source" log line of the connector to the item's receipt. */
    private double openToFirst(Run run, int seq) throws IOException {
        return WorkerStartupBenchmark.secondsSinceLastOpen(run.source.jvm().log(), run.tracker.recv[seq]);
    }

    private static double pct(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static BenchChart.Series cdf(String name, double[] sorted) {
        int points = Math.min(sorted.length, 1000);
        double[] x = new double[points];
        double[] y = new double[points];
        for (int i = 0; i < points; i++) {
            int index = (int) ((long) i * (sorted.length - 1) / Math.max(1, points - 1));
            x[i] = sorted[index];
            y[i] = 100.0 * (index + 1) / sorted.length;
        }
        return new BenchChart.Series(name, x, y);
    }

    private static BenchChart.Series perSecond(String name, AtomicIntegerArray counts, int seconds) {
        int n = Math.max(0, Math.min(seconds, counts.length()));
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i + 1;
            y[i] = counts.get(i);
        }
        return new BenchChart.Series(name, x, y);
    }

    // ---------------------------------------------------------------- output

    /** What the scenarios kept in classes of their own run on, and their report. */
    private BenchSetup setup() {
        return new BenchSetup(runtime, pulsar, client, CONNECTOR_JVM, new BenchReport() {
            @Override
            public void say(String line) {
                Benchmark.this.say(line);
            }

            @Override
            public void row(String scenario, String result, String target, String verdict) {
                Benchmark.this.row(scenario, result, target, verdict);
            }

            @Override
            public void note(String line) {
                notes.add(line);
                Benchmark.this.say(line);
            }
        });
    }

    private void row(String scenario, String result, String target, String verdict) {
        rows.add(new String[] {scenario, result, target, verdict});
        say("RESULT " + scenario + ": " + result + (target.isEmpty() ? "" : " [target " + target + ": " + verdict + "]"));
    }

    private void writeResults(Path out) throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmark results\n\n");
        md.append("Machine: ").append(machine()).append("\n\n");
        md.append("Command: `./bench.sh").append(rows.size() < SCENARIOS.size() ? " (subset)" : "").append("` — ")
                .append(durationSeconds).append(" s live runs, backlog of ").append(String.format(Locale.ROOT, "%,d",
                        backlogRecords)).append(" changes; total ")
                .append(String.format(Locale.ROOT, "%.1f", (System.nanoTime() - startNanos) / 60e9))
                .append(" min.\n\n");
        md.append("| scenario | result | target | |\n|---|---|---|---|\n");
        for (String[] r : rows) {
            md.append("| ").append(r[0]).append(" | ").append(r[1]).append(" | ").append(r[2]).append(" | ")
                    .append(r[3]).append(" |\n");
        }
        if (!notes.isEmpty()) {
            md.append('\n');
            for (String note : notes) {
                md.append("- ").append(note).append('\n');
            }
        }
        if (!latencySeries.isEmpty()) {
            BenchChart chart = new BenchChart("PutItem returned -> consumer received (CDF)", "latency (ms)",
                    "% of records").yMax(100);
            latencySeries.forEach(chart::add);
            chart.write(out.resolve("latency.png"));
            md.append("\n![latency CDF](latency.png)\n");
        }
        if (!throughputSeries.isEmpty()) {
            BenchChart chart = new BenchChart("Records per second", "seconds since the phase started", "records/s");
            throughputSeries.forEach(chart::add);
            chart.write(out.resolve("throughput.png"));
            md.append("\n![throughput over time](throughput.png)\n");
        }
        Files.writeString(out.resolve("results.md"), md.toString(), StandardCharsets.UTF_8);
        synchronized (System.out) {
            System.out.println();
            System.out.println(md);
        }
        say("written " + out.resolve("results.md"));
    }

    private String machine() {
        String cpu = "?";
        long memKb = 0;
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("?");
            memKb = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal:"))
                    .map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(0L);
        } catch (IOException | RuntimeException e) {
            // not Linux: leave it unknown
        }
        return String.format(Locale.ROOT, "%d cores (%s), %.0f GiB RAM, %s %s (%s), %s %s; %s; load average"
                        + " %s at the start, %s at the end",
                Runtime.getRuntime().availableProcessors(), cpu, memKb / 1048576.0,
                System.getProperty("java.vm.name"), System.getProperty("java.version"),
                System.getProperty("java.vendor"), System.getProperty("os.name"), System.getProperty("os.version"),
                startedAt.toString().substring(0, 16).replace('T', ' ') + " UTC", loadBefore, loadAverage());
    }

    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + "/" + parts[1] + "/" + parts[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private <T extends AutoCloseable> T started(T resource) {
        started.add(resource);
        return resource;
    }

    private void stopAll() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                say("stopping failed: " + e);
            }
        }
        started.clear();
    }

    static <T> T quietly(Callable<T> step) throws Exception {
        PrintStream out = System.out;
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try {
            return step.call();
        } finally {
            System.setOut(out);
        }
    }

    void say(String line) {
        synchronized (System.out) {
            System.out.printf(Locale.ROOT, "[bench %6.1fs] %s%n", (System.nanoTime() - startNanos) / 1e9, line);
            System.out.flush();
        }
    }
}
