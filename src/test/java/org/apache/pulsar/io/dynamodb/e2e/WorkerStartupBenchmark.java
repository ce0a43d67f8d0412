package org.apache.pulsar.io.dynamodb.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;
import org.apache.pulsar.client.admin.PulsarAdmin;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Schema;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.apache.pulsar.common.functions.Resources;
import org.apache.pulsar.common.io.SourceConfig;
import org.apache.pulsar.io.dynamodb.testing.DynamoDbLocal;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Benchmark row 6b (scenario {@code startup-worker}): start-up on the production runtime, a function worker with the
 * PROCESS runtime (as FunctionWorkerIT runs it), where each instance is a JVM whose NAR class loader has only
 * Pulsar's java-instance.jar above it. Per run, a new source (new applicationName) is created from the NAR and, once
 * its first record is in, stopped and started again with {@code pulsar-admin sources stop} and {@code start} (a new
 * instance JVM, existing leases; the change it must deliver first is written while no instance runs).
 * Figures: from the instance's "Opening DynamoDB source" log line to the first record in the topic, and from the
 * admin request to it.
 */
final class WorkerStartupBenchmark {

    private static final String TENANT = "public";
    private static final String NAMESPACE = "default";
    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
    private static final Duration FIRST_RECORD = Duration.ofMinutes(3);

    private final PulsarRuntime runtime;
    private final Path dir;
    private final BenchReport report;
    private final int runs = Integer.getInteger("bench.startupRuns", 5);

    /** Starts a standalone of its own (with a function worker); of {@code setup} it takes the runtime and report. */
    WorkerStartupBenchmark(BenchSetup setup, Path dir) {
        this.runtime = setup.runtime();
        this.dir = dir;
        this.report = setup.report();
    }

    /** One run's figures: seconds, and the instance JVM's CPU seconds from its start to the first record. */
    private record Figures(double newFromOpen, double newFromRequest, double restartFromOpen,
                           double restartFromRequest, double newCpu, double restartCpu) {
    }

    /**
     * How a run's source is created: a name prefix, and the source's runtimeFlags ({@code pulsar-admin sources create
     * --runtime-flags}), which the PROCESS runtime adds to the instance JVM's command line; jcmdDump, when set, is
     * where {@code jcmd <pid> VM.cds dynamic_dump} writes an archive once the first record is in.
     */
    private record Variant(String prefix, String runtimeFlags, Path jcmdDump) {
    }

    void run() throws Exception {
        PulsarRuntime.deleteRecursively(dir);
        Files.createDirectories(dir);
        ProcessRuntimeWorker worker = ProcessRuntimeWorker.configure(runtime, dir.resolve("worker"),
                Duration.ofSeconds(30));
        report.say("startup-worker: starting a Pulsar standalone with its function worker (PROCESS runtime)");
        try (PulsarStandalone pulsar = PulsarStandalone.startWithFunctionWorker(runtime, dir.resolve("pulsar"), worker)
                .awaitReady(Duration.ofSeconds(180));
             PulsarAdmin admin = PulsarAdmin.builder().serviceHttpUrl(pulsar.webServiceUrl()).build();
             PulsarClient client = PulsarClient.builder().serviceUrl(pulsar.brokerServiceUrl()).build();
             DynamoDbLocal dynamo = DynamoDbLocal.start()) {
            Runner runner = new Runner(worker, pulsar, admin, client, dynamo);
            // the operator recipe (README "Fast start"): one start and stop of a source whose runtimeFlags write a
            // class-data sharing archive as each instance JVM exits, then sources that map it, with C1 only and
            // the serial collector
            Path archive = writeArchive(runner);
            Variant plain = new Variant("bench-wstart-", null, null);
            Variant fast = new Variant("bench-wfast-", "-XX:SharedArchiveFile=" + archive + " "
                    + String.join(" ", Benchmark.FAST_START_JVM), null);
            List<Figures> plainFigures = new ArrayList<>();
            List<Figures> fastFigures = new ArrayList<>();
            for (int i = 1; i <= runs; i++) {
                // back to back, so that both see the same load
                plainFigures.add(oneRun(runner, plain, i));
                fastFigures.add(oneRun(runner, fast, i));
            }
            row("6b. start-up on a function worker (PROCESS runtime), open() to first record", plainFigures);
            row(String.format(Locale.ROOT, "6e. start-up on a function worker, source created with --runtime-flags"
                    + " '%s' (operator option; archive %.0f MB, %s)",
                    fast.runtimeFlags().replace(archive.toString(), "<archive>"), Files.size(archive) / 1e6,
                    "taken from a running instance with jcmd"), fastFigures);
        }
    }

    /**
     * The operator recipe's first step: a class-data sharing archive taken from a running instance, as JDK 17 allows
     * (-XX:+RecordDynamicDumpInfo, then {@code jcmd <pid> VM.cds dynamic_dump} once the first record is in). Not
     * -XX:ArchiveClassesAtExit: the PROCESS runtime kills an instance 10 s after asking it to stop, and a JVM killed
     * while dumping leaves an empty or a truncated archive (57 MB of ~67 seen here) that later JVMs silently ignore.
     */
    private Path writeArchive(Runner runner) throws Exception {
        Path cds = dir.toAbsolutePath().resolve("cds");
        Files.createDirectories(cds);
        Path jcmd = cds.resolve("instance-jcmd.jsa");
        Files.deleteIfExists(jcmd);
        oneRun(runner, new Variant("bench-wjcmd-", "-XX:+RecordDynamicDumpInfo", jcmd), 1);
        report.say(String.format(Locale.ROOT, "startup-worker: jcmd VM.cds dynamic_dump wrote %.0f MB",
                Files.size(jcmd) / 1e6));
        return jcmd;
    }

    /** {@code jcmd <pid> VM.cds dynamic_dump <archive>}, with the JDK this benchmark (and the worker) runs on. */
    private static void dumpWithJcmd(long pid, Path archive) throws IOException, InterruptedException {
        Path out = archive.resolveSibling(archive.getFileName() + ".jcmd.log");
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), "VM.cds", "dynamic_dump", archive.toString())
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!jcmd.waitFor(2, java.util.concurrent.TimeUnit.MINUTES) || jcmd.exitValue() != 0
                || !Files.isRegularFile(archive) || Files.size(archive) == 0) {
            jcmd.destroyForcibly();
            throw new IllegalStateException("jcmd " + pid + " VM.cds dynamic_dump wrote no archive; see " + out);
        }
    }

    private void row(String name, List<Figures> figures) {
        double fresh = median(figures, Figures::newFromOpen);
        double restart = median(figures, Figures::restartFromOpen);
        report.row(name, String.format(Locale.ROOT, "median of %d: new applicationName %.1f s (%s); restart"
                        + " (`sources stop`, a change, `sources start`: existing leases) %.1f s (%s); from the admin"
                        + " request %.1f s and %.1f s; CPU time of the instance JVM from its start to the first"
                        + " record %.1f s and %.1f s", figures.size(), fresh, range(figures, Figures::newFromOpen),
                        restart,
                        range(figures, Figures::restartFromOpen), median(figures, Figures::newFromRequest),
                        median(figures, Figures::restartFromRequest), median(figures, Figures::newCpu),
                        median(figures, Figures::restartCpu)),
                "new ≤ 5 s, restart ≤ 2 s", fresh <= 5 && restart <= 2 ? "met" : "MISSED");
    }

    /** The worker, broker and DynamoDB Local the runs share. */
    private record Runner(ProcessRuntimeWorker worker, PulsarStandalone pulsar, PulsarAdmin admin,
                          PulsarClient client, DynamoDbLocal dynamo) {
    }

    /** A new source of its own table: first record, stop, a change, start, first record, delete. */
    private Figures oneRun(Runner on, Variant variant, int i) throws Exception {
        String name = variant.prefix() + i;
        String table = name.replace("-", "");
        String topic = "persistent://" + TENANT + "/" + NAMESPACE + "/" + name;
        String arn = on.dynamo().createTableWithStream(table);
        Map<String, Long> arrivals = new ConcurrentHashMap<>();
        try (Consumer<byte[]> consumer = on.client().newConsumer(Schema.BYTES).topic(topic).subscriptionName("bench")
                .subscriptionInitialPosition(SubscriptionInitialPosition.Earliest)
                .messageListener((c, m) -> {
                    arrivals.putIfAbsent(new String(m.getValue(), StandardCharsets.UTF_8).contains("\"r1\"")
                            ? "r1" : "r0", System.nanoTime());
                    c.acknowledgeAsync(m);
                }).subscribe()) {
            on.dynamo().put(table, Map.of("id", AttributeValue.fromS("r0")));
            long created = System.nanoTime();
            SourceConfig config = sourceConfig(on.dynamo(), arn, name, topic);
            config.setRuntimeFlags(variant.runtimeFlags());
            WorkerSource source = WorkerSource.create(on.admin(), on.pulsar().jvm(), config, runtime.nar());
            Path log = on.worker().instanceLog(TENANT, NAMESPACE, name, 0);
            long first = await(arrivals, "r0", name);
            double newCpu = instanceCpuSeconds(source);
            if (variant.jcmdDump() != null) {
                dumpWithJcmd(source.process(0).handle().pid(), variant.jcmdDump());
            }
            double newFromOpen = secondsSinceLastOpen(log, first);
            // stopped first, so that the change can only come through the next instance JVM
            source.stop();
            source.awaitNoProcess("the instance JVM stopped", FIRST_RECORD);
            on.dynamo().put(table, Map.of("id", AttributeValue.fromS("r1")));
            long restarted = System.nanoTime();
            source.start();
            long second = await(arrivals, "r1", name);
            double restartCpu = instanceCpuSeconds(source);
            double restartFromOpen = secondsSinceLastOpen(log, second);
            source.delete();
            // the next run starts alone (and an instance JVM writing an archive at exit has written it)
            source.awaitNoProcess("the instance JVM ended", FIRST_RECORD);
            Figures figures = new Figures(newFromOpen, (first - created) / 1e9, restartFromOpen,
                    (second - restarted) / 1e9, newCpu, restartCpu);
            report.say(String.format(Locale.ROOT, "startup-worker %s: new application %.1f s, restart %.1f s"
                            + " from open() to the first record (%.1f s and %.1f s from the admin request);"
                            + " instance JVM CPU %.1f s and %.1f s; load average %s", name, newFromOpen,
                    restartFromOpen, figures.newFromRequest(), figures.restartFromRequest(), newCpu, restartCpu,
                    Benchmark.loadAverage()));
            return figures;
        }
    }

    /** CPU seconds of the source's (one) instance JVM so far; checks it maps the archive its runtimeFlags name. */
    private static double instanceCpuSeconds(WorkerSource source) throws IOException {
        InstanceProcess process = source.process(0);
        String flags = String.join(" ", process.commandLine());
        java.util.regex.Matcher archive = java.util.regex.Pattern.compile("-XX:SharedArchiveFile=(\\S+)")
                .matcher(flags);
        long pid = process.handle().pid();
        if (archive.find() && !Files.readString(Path.of("/proc", Long.toString(pid), "maps"))
                .contains(archive.group(1))) {
            throw new IllegalStateException("instance JVM " + pid + " does not map the archive " + archive.group(1)
                    + " its runtimeFlags name (see its log: the JVM ignores an archive it cannot use)");
        }
        return Benchmark.cpuTicks(pid) / 100.0;
    }

    private static SourceConfig sourceConfig(DynamoDbLocal dynamo, String arn, String name, String topic) {
        Map<String, Object> configs = dynamo.sourceConfig(arn, "pulsar-dynamodb-" + name + "-"
                + System.currentTimeMillis());
        configs.put("awsRegion", "us-east-1");
        SourceConfig config = new SourceConfig();
        config.setTenant(TENANT);
        config.setNamespace(NAMESPACE);
        config.setName(name);
        config.setTopicName(topic);
        config.setParallelism(1);
        Resources resources = new Resources();
        resources.setRam(268_435_456L); // the Deploy section's --ram
        config.setResources(resources);
        config.setConfigs(configs);
        return config;
    }

    private static long await(Map<String, Long> arrivals, String key, String name) throws InterruptedException {
        long deadline = System.nanoTime() + FIRST_RECORD.toNanos();
        while (!arrivals.containsKey(key)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + ": no record " + key + " within " + FIRST_RECORD);
            }
            Thread.sleep(20); // benchmark pacing: the arrival time is taken by the listener, not here
        }
        return arrivals.get(key);
    }

    /** Seconds from the last "Opening DynamoDB source" line of a connector log to an arrival (System.nanoTime()). */
    static double secondsSinceLastOpen(Path log, long arrivalNanos) throws IOException {
        String opened = null;
        for (String line : Files.readString(log, StandardCharsets.ISO_8859_1).lines().toList()) {
            if (line.contains("Opening DynamoDB source")) {
                opened = line.substring(0, 12);
            }
        }
        if (opened == null) {
            return Double.NaN;
        }
        ZonedDateTime openedAt = ZonedDateTime.of(LocalDate.now(), LocalTime.parse(opened, LOG_TIME),
                ZoneId.systemDefault());
        Instant arrivedAt = Instant.now().minusNanos(System.nanoTime() - arrivalNanos);
        if (openedAt.toInstant().isAfter(Instant.now())) {
            openedAt = openedAt.minusDays(1);
        }
        return Duration.between(openedAt.toInstant(), arrivedAt).toMillis() / 1000.0;
    }

    private static double median(List<Figures> figures, ToDoubleFunction<Figures> figure) {
        double[] sorted = figures.stream().mapToDouble(figure).sorted().toArray();
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static String range(List<Figures> figures, ToDoubleFunction<Figures> figure) {
        return String.format(Locale.ROOT, "%.1f-%.1f s", figures.stream().mapToDouble(figure).min().orElse(Double.NaN),
                figures.stream().mapToDouble(figure).max().orElse(Double.NaN));
    }
}
