package org.apache.pulsar.io.dynamodb.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.DoublePredicate;
import java.util.regex.Matcher;
import java.util.stream.Collectors;
import org.apache.pulsar.client.admin.PulsarAdmin;
import org.apache.pulsar.client.admin.PulsarAdminException;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.common.functions.FunctionConfig.ProcessingGuarantees;
import org.apache.pulsar.common.functions.Resources;
import org.apache.pulsar.common.io.SourceConfig;
import org.apache.pulsar.common.policies.data.SourceStatus;
import org.apache.pulsar.io.dynamodb.testing.DynamoDbLocal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The production path: a Pulsar standalone with its function worker on and the PROCESS runtime, the source created
 * from the NAR through the admin API (as {@code pulsar-admin sources create --archive ... --parallelism 2 --ram
 * 268435456}), each instance a JVM the worker starts with our java-instance.jar stand-in, so the NAR's parent is the
 * root loader of Pulsar's java-instance.jar and nothing else of Pulsar. A writer keeps changing the table through the
 * whole lifecycle: created, an instance killed (SIGKILL) and restarted by the worker, updated with a changed setting,
 * stopped and started, deleted. The source runs with {@code --processing-guarantees EFFECTIVELY_ONCE} on a topic
 * whose namespace has deduplication on (the broker set up as the README's Effectively once section says): after each
 * step the topic must hold every change of the stream so far (read with the DynamoDB Streams API, by
 * SEQUENCE_NUMBER) exactly once, nothing missing and nothing twice, the SIGKILL and the restarts included; at the end
 * the whole topic is audited against the whole stream. Then the connector's own metrics on the worker's /metrics are
 * checked against a workload the broker first holds back.
 * About 5 minutes on 2 cores; the worker, its instances and their logs are under target/e2e/FunctionWorkerIT/.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class FunctionWorkerIT {

    private static final String TENANT = "public";
    private static final String NAMESPACE = "default";
    /** The output topic's namespace, with deduplication on ({@code pulsar-admin namespaces set-deduplication}). */
    private static final String TOPIC_NAMESPACE = "public/cdc";
    /**
     * The README's broker setting for effectively-once: a disconnected producer's last id is kept at least as long as
     * the stream keeps records (24 h) plus an outage. Pulsar's default is 360 minutes.
     */
    private static final String DEDUPLICATION_INACTIVITY = "brokerDeduplicationProducerInactivityTimeoutMinutes=1500";
    private static final String NAME = "dynamodb-fw";
    private static final int PARALLELISM = 2;
    /** The Deploy section's {@code --ram}: the instance JVM's -Xmx. */
    private static final long RAM = 268_435_456L;
    private static final int RECEIVE_QUEUE_SIZE = 500;
    private static final int UPDATED_RECEIVE_QUEUE_SIZE = 400;
    /**
     * Pulsar's default (conf/functions_worker.yml). Shorter makes the worker restart a killed instance sooner, but
     * the instance stops itself after 3 periods without a health check, and the worker's gRPC channel backs off
     * while an instance JVM starts: on a busy 2-core machine a 5 s period made a starting instance stop itself.
     */
    private static final Duration LIVENESS_CHECK = Duration.ofSeconds(30);
    private static final Duration FIRST_DELIVERY = Duration.ofSeconds(240);
    private static final Duration CATCH_UP = Duration.ofMinutes(4);
    private static final Duration PROCESSES = Duration.ofSeconds(90);
    /** The connector reports its metrics every second here (10 s by default): the metric checks wait less. */
    private static final int METRICS_REPORT_MILLIS = 1000;
    /** Changes written while the broker holds the source's messages. */
    private static final int HELD_WRITES = 200;
    /** How much the lag must grow while held: well beyond the jitter of a report period. */
    private static final long HELD_LAG_GROWTH_MILLIS = 15_000;

    private static PulsarRuntime runtime;
    private static Path dir;
    private static ProcessRuntimeWorker worker;
    private static PulsarStandalone pulsar;
    private static PulsarAdmin admin;
    private static PulsarClient client;
    private static DynamoDbLocal dynamo;
    private static String streamArn;
    private static String topic;
    private static String app;
    private static TopicReader reader;
    private static ChangeWorkload workload;
    private static WorkerSource source;

    @BeforeAll
    static void start() throws Exception {
        runtime = PulsarRuntime.fromSystemProperties();
        dir = runtime.workDir().resolve("FunctionWorkerIT");
        PulsarRuntime.deleteRecursively(dir);
        worker = ProcessRuntimeWorker.configure(runtime, dir.resolve("worker"), LIVENESS_CHECK);
        pulsar = PulsarStandalone.startWithFunctionWorker(runtime, dir.resolve("pulsar"), worker,
                DEDUPLICATION_INACTIVITY).awaitReady(Duration.ofSeconds(180));
        admin = PulsarAdmin.builder().serviceHttpUrl(pulsar.webServiceUrl()).build();
        await("the function worker serving its REST API").atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> admin.sources().listSources(TENANT, NAMESPACE) != null);
        admin.namespaces().createNamespace(TOPIC_NAMESPACE);
        admin.namespaces().setDeduplicationStatus(TOPIC_NAMESPACE, true);
        client = PulsarClient.builder().serviceUrl(pulsar.brokerServiceUrl()).build();
        dynamo = DynamoDbLocal.start();
        streamArn = dynamo.createTableWithStream("fw-table");
        topic = "persistent://" + TOPIC_NAMESPACE + "/fw-changes";
        app = "fw-" + System.currentTimeMillis();
        reader = new TopicReader(client, topic);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable closeable : new AutoCloseable[] {workload, reader, admin, client, pulsar, dynamo}) {
            if (closeable != null) {
                closeable.close();
            }
        }
    }

    @Test
    void sourceCreatedFromTheNarRunsItsLifecycleOnTheProcessRuntimeEffectivelyOnce() throws Exception {
        long started = System.nanoTime();
        step("create", this::create);
        step("kill", this::killLeaseHolder);
        step("update", this::update);
        step("stop/start", this::stopAndStart);
        step("audit", this::finalAudit);
        step("metrics", this::metricsFollowTheWorkload);
        step("delete", this::delete);
        System.out.println("FunctionWorkerIT: lifecycle took " + seconds(started) + " s");
    }

    /** createSource with the NAR and parallelism 2: two instance JVMs, both running, the lease holder counting. */
    private void create() throws Exception {
        source = WorkerSource.create(admin, pulsar.jvm(), sourceConfig(RECEIVE_QUEUE_SIZE), runtime.nar());
        workload = new ChangeWorkload(dynamo.client(), "fw-table", 100, 1_000_000, 40, 13L).start();
        List<InstanceProcess> processes = source.awaitProcesses("two instance JVMs started by the worker",
                Set.of(), PROCESSES);
        String javaInstanceJar = worker.javaInstanceJar().jar().toString();
        for (InstanceProcess process : processes) {
            assertThat(process.option("-cp")).as("instance %s class path", process.instanceId())
                    .isEqualTo(javaInstanceJar);
            assertThat(process.commandLine()).contains(JavaInstanceJar.MAIN_CLASS, "-Xmx" + RAM);
            assertThat(process.systemProperty("pulsar.functions.instance.classpath")).isNotBlank();
        }
        await("both instances running, a change in the topic").atMost(FIRST_DELIVERY)
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> source.status().getNumRunning() == PARALLELISM && reader.poll() > 0);
        // One stream shard: the instance holding its lease counts; the other runs idle.
        int holder = leaseHolder();
        long received = source.instance(holder).getNumReceivedFromSource();
        await("instance " + holder + " counting received and written").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(1)).until(() -> source.instance(holder).getNumReceivedFromSource()
                        > received && source.instance(holder).getNumWritten() > 0);
        int inTopic = reader.poll();
        SourceStatus status = source.status();
        assertThat(status.getInstances()).allSatisfy(i -> assertThat(i.getStatus().isRunning()).isTrue());
        assertThat(status.getInstances().stream().mapToLong(i -> i.getStatus().getNumWritten()).sum())
                .as("written by the instances, against the changes in the topic before: %s", status)
                .isGreaterThanOrEqualTo(inTopic);
        JavaInstanceJar.assertLayoutOf(ClassLoaderTree.of(source.process(holder).pid()));
        assertThat(instanceLog(holder, 0)).as("instance %s's log: the guarantee the worker gave it", holder)
                .contains("Effectively-once: each shard publishes to " + topic)
                .contains("effectively-once as producer '" + app + "/fw-table/");
        PrometheusScrape metrics = PrometheusScrape.of(pulsar.metricsUrl());
        assertThat(metrics.sum("pulsar_source_written_total", "name=\"" + NAME + "\""))
                .as("the worker's /metrics for the source").isPositive();
        awaitAllDelivered("create");
        // The connector's own metrics: the holder counts and holds the lease, the other instance holds none.
        SourceUserMetrics first = scrapeUserMetrics();
        await("the connector's metrics on the worker's /metrics").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                    SourceUserMetrics now = scrapeUserMetrics();
                    assertThat(now.sum(holder, "records_published")).as("published").isPositive();
                    assertThat(now.sum(holder, "records_acknowledged")).as("acknowledged").isPositive();
                    assertThat(now.meanSince(first, holder, "leases_held")).as("holder's leases").hasValue(1);
                    assertThat(now.meanSince(first, 1 - holder, "leases_held")).as("other's leases").hasValue(0);
                });
    }

    /**
     * SIGKILL of the lease holder's JVM while the writer goes on: the worker starts it again, the source resumes from
     * its checkpoint. The shard's checkpoint (every second here: checkpointInterval 1000) is behind what the killed
     * instance had published, so whoever takes the shard reads those records again: it must find them in the topic and
     * not send them again.
     */
    private void killLeaseHolder() throws Exception {
        int holder = leaseHolder();
        InstanceProcess victim = source.process(holder);
        Map<Integer, Long> logOffsets = instanceLogSizes();
        int writtenAtKill = workload.written();
        victim.kill();
        source.awaitProcesses("instance " + holder + " started again by the worker", Set.of(victim.pid()),
                PROCESSES);
        await("instance " + holder + " running again, its restart counted").atMost(PROCESSES)
                .pollInterval(Duration.ofSeconds(1)).until(() -> source.instance(holder).isRunning()
                        && source.instance(holder).getNumRestarts() >= 1);
        awaitAllDelivered("kill");
        assertThat(workload.written()).as("the writer going on through the kill").isGreaterThan(writtenAtKill);
        int notSentAgain = notSentAgain(logOffsets);
        System.out.println("FunctionWorkerIT: after the kill, " + notSentAgain + " messages read again were already in"
                + " the topic and not sent again");
        assertThat(notSentAgain).as("messages read again after the kill that the topic already held (instance logs"
                + " since the kill)").isPositive();
    }

    /** updateSource with a changed setting: both instances restart with it. */
    private void update() throws Exception {
        Set<Long> before = source.pids();
        Map<Integer, Long> logOffsets = instanceLogSizes();
        source.update(sourceConfig(UPDATED_RECEIVE_QUEUE_SIZE));
        List<InstanceProcess> processes = source.awaitProcesses("both instances restarted with the new config",
                before, PROCESSES);
        for (InstanceProcess process : processes) {
            assertThat(process.sourceConfigs()).as("instance %s config", process.instanceId())
                    .containsEntry("receiveQueueSize", UPDATED_RECEIVE_QUEUE_SIZE);
        }
        awaitAllDelivered("update");
        System.out.println("FunctionWorkerIT: after the update, " + notSentAgain(logOffsets) + " messages read again"
                + " were already in the topic and not sent again");
    }

    /** stopSource leaves no instance JVM while the writer goes on; startSource delivers what was written meanwhile. */
    private void stopAndStart() throws Exception {
        Set<Long> before = source.pids();
        Map<Integer, Long> logOffsets = instanceLogSizes();
        source.stop();
        source.awaitNoProcess("no instance JVM after stopSource", PROCESSES);
        assertThat(source.status().getNumRunning()).isZero();
        int writtenAtStop = workload.written();
        await("the writer going on while the source is stopped").atMost(Duration.ofMinutes(1))
                .until(() -> workload.written() >= writtenAtStop + 200);
        source.start();
        source.awaitProcesses("both instances started again", before, PROCESSES);
        awaitAllDelivered("stop/start");
        System.out.println("FunctionWorkerIT: after stop/start, " + notSentAgain(logOffsets) + " messages read again"
                + " were already in the topic and not sent again");
    }

    /** The writer stops; the whole topic against the whole stream. */
    private void finalAudit() throws Exception {
        workload.close();
        List<StreamAudit.Change> stream = StreamAudit.readStream(dynamo, streamArn);
        awaitAllDelivered("the end");
        StreamAudit.Result result = StreamAudit.audit(stream, TopicReader.readAll(client, topic));
        System.out.println("FunctionWorkerIT: " + workload.written() + " writes (" + workload.failedAttempts()
                + " failed attempts retried); " + result);
        assertThat(result.missing()).as("changes missing from the topic: %s", result).isZero();
        assertThat(result.unknown()).as("messages that are no change of the stream: %s", result).isZero();
        assertThat(result.outOfOrderItems()).as("items whose changes first appear out of order: %s", result).isZero();
        assertThat(result.duplicates()).as("duplicates (one SIGKILL, two graceful restarts): %s", result).isZero();
    }

    /**
     * The connector's metrics on the worker's /metrics move with the workload. With the writer stopped and all
     * delivered, the lag reads 0. Then the broker stops taking the source's messages ({@link ProducerHold}) while
     * changes are written: records are published but not acknowledged, and the lag rises report after report. Once
     * the broker takes them again, every change arrives, published and acknowledged grow by exactly the number of
     * new changes in the stream, and the lag falls back to 0.
     */
    private void metricsFollowTheWorkload() throws Exception {
        int holder = leaseHolder();
        awaitLag(holder, "the caught-up lag at 0", lag -> lag == 0);
        SourceUserMetrics before = scrapeUserMetrics();
        int changesBefore = StreamAudit.readStream(dynamo, streamArn).size();

        ProducerHold hold = ProducerHold.start(admin, TOPIC_NAMESPACE, topic, () -> {
            dynamo.put("fw-table", Map.of("id", AttributeValue.fromS("metrics-seed")));
            awaitAllDelivered("the hold's seed change");
        });
        SourceUserMetrics held = scrapeUserMetrics();
        double acknowledgedAtHold = held.sum(holder, "records_acknowledged");
        List<Double> lags = new ArrayList<>();
        try (ChangeWorkload writes = new ChangeWorkload(dynamo.client(), "fw-table", 100, HELD_WRITES, 40, 29L)) {
            writes.start();
            SourceUserMetrics[] last = {held};
            await("the lag rising while the broker holds the source's messages").atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofSeconds(2)).until(() -> {
                        SourceUserMetrics now = scrapeUserMetrics();
                        now.meanSince(last[0], holder, "lag_ms_max").ifPresent(lags::add);
                        last[0] = now;
                        // 0 until the first write is read; then the age of the oldest record held, which grows
                        List<Double> behind = lags.stream().filter(lag -> lag > 0).toList();
                        return writes.done() && behind.size() >= 3
                                && behind.get(behind.size() - 1) - behind.get(0) >= HELD_LAG_GROWTH_MILLIS;
                    });
            SourceUserMetrics end = last[0];
            assertThat(lags).as("the lag while held, report window after window").isSorted();
            assertThat(end.sum(holder, "records_acknowledged")).as("acknowledged while held")
                    .isEqualTo(acknowledgedAtHold);
            assertThat(end.sum(holder, "records_published")).as("published while held")
                    .isGreaterThan(held.sum(holder, "records_published"));
            assertThat(end.meanSince(held, holder, "records_pending").orElse(0)).as("records pending while held")
                    .isPositive();
            assertThat(hold.producerConnected()).as("the source's producer let in while held").isFalse();
        } finally {
            hold.close();
        }
        long liftedAt = System.nanoTime();
        awaitAllDelivered("the hold");
        System.out.println("FunctionWorkerIT: all delivered " + seconds(liftedAt) + " s after the hold was lifted");
        int newChanges = StreamAudit.readStream(dynamo, streamArn).size() - changesBefore;
        awaitLag(holder, "the lag back at 0 once caught up", lag -> lag == 0);
        SourceUserMetrics after = scrapeUserMetrics();
        assertThat(after.sum(holder, "records_published") - before.sum(holder, "records_published"))
                .as("records published, against %s new changes in the stream", newChanges).isEqualTo(newChanges);
        assertThat(after.sum(holder, "records_acknowledged") - before.sum(holder, "records_acknowledged"))
                .as("records acknowledged, against %s new changes in the stream", newChanges).isEqualTo(newChanges);
        assertThat(after.sum(holder, "records_failed")).as("records failed").isZero();
        assertThat(after.sum(holder, "records_read") - before.sum(holder, "records_read"))
                .as("stream records read, against %s new changes", newChanges).isGreaterThanOrEqualTo(newChanges);
        assertThat(after.meanSince(held, holder, "leases_held")).as("the holder kept its lease throughout").hasValue(1);
        System.out.println("FunctionWorkerIT: lag while held " + lags + " ms; " + newChanges + " changes published and"
                + " acknowledged; instance " + holder + "'s metrics:\n  " + String.join("\n  ", after.lines(holder)));
    }

    /** Waits for a report window in which the instance's lag_ms_max matched. */
    private static void awaitLag(int instance, String what, DoublePredicate lag) throws Exception {
        SourceUserMetrics[] last = {scrapeUserMetrics()};
        await(what).atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(2)).until(() -> {
            SourceUserMetrics now = scrapeUserMetrics();
            OptionalDouble mean = now.meanSince(last[0], instance, "lag_ms_max");
            last[0] = now;
            return mean.isPresent() && lag.test(mean.getAsDouble());
        });
    }

    private static SourceUserMetrics scrapeUserMetrics() throws Exception {
        return SourceUserMetrics.scrape(pulsar.metricsUrl(), NAME);
    }

    /**
     * deleteSource: no instance JVM left, and every lease handed back: without an owner, or (KCL 3 leaves the owner
     * in place on a graceful shutdown; the lease expires) checkpointed at the stream's last change or,
     * effectively-once, the change before it: KCL takes a checkpoint with a subsequence number (the connector's record
     * number) only below the newest record it delivered, so on a quiet stream it stays one record behind, and whoever
     * reads the stream next with this application reads the last change again, finds it in the topic and does not
     * send it.
     */
    private void delete() throws Exception {
        List<StreamAudit.Change> stream = StreamAudit.readStream(dynamo, streamArn);
        BigInteger last = stream.get(stream.size() - 1).sequenceNumber();
        BigInteger beforeLast = stream.get(stream.size() - 2).sequenceNumber();
        Map<String, String> checkpointsBefore = dynamo.checkpoints(app);
        source.delete();
        await("no instance JVM left after deleteSource").atMost(PROCESSES).pollInterval(Duration.ofMillis(500))
                .until(() -> InstanceProcess.all(pulsar.jvm()).isEmpty());
        assertThatThrownBy(source::status).isInstanceOf(PulsarAdminException.NotFoundException.class);
        await("leases without owner or checkpointed at the last change " + last + " or the one before, "
                + beforeLast).atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                    Map<String, String> owners = dynamo.leaseOwners(app);
                    Map<String, String> checkpoints = dynamo.checkpoints(app);
                    assertThat(owners).as("leases").isNotEmpty();
                    assertThat(owners.keySet()).as("leases, owners %s, checkpoints %s", owners, checkpoints)
                            .allMatch(lease -> owners.get(lease) == null || atChange(checkpoints.get(lease), last)
                                    || atChange(checkpoints.get(lease), beforeLast));
                });
        System.out.println("FunctionWorkerIT: leases after deleteSource: owners " + dynamo.leaseOwners(app)
                + ", checkpoints " + dynamo.checkpoints(app) + " (before: " + checkpointsBefore + ", last change "
                + last + ")");
    }

    /** Whether a lease's checkpoint is at the change (not TRIM_HORIZON, LATEST or SHARD_END). */
    private static boolean atChange(String checkpoint, BigInteger change) {
        return checkpoint != null && !checkpoint.isEmpty() && checkpoint.chars().allMatch(Character::isDigit)
                && new BigInteger(checkpoint).equals(change);
    }

    private static SourceConfig sourceConfig(int receiveQueueSize) {
        Map<String, Object> configs = dynamo.sourceConfig(streamArn, app);
        configs.put("awsRegion", "us-east-1");
        configs.put("cloudwatchEndpoint", dynamo.endpoint());
        configs.put("receiveQueueSize", receiveQueueSize);
        configs.put("pollInterval", 100);
        configs.put("backoffTime", 1000);
        configs.put("metricsReportInterval", METRICS_REPORT_MILLIS);
        SourceConfig config = new SourceConfig();
        config.setTenant(TENANT);
        config.setNamespace(NAMESPACE);
        config.setName(NAME);
        config.setTopicName(topic);
        config.setParallelism(PARALLELISM);
        config.setProcessingGuarantees(ProcessingGuarantees.EFFECTIVELY_ONCE);
        Resources resources = new Resources();
        resources.setRam(RAM);
        config.setResources(resources);
        config.setConfigs(configs);
        return config;
    }

    /**
     * Reads the stream as it is now and waits until the topic holds every change of it; then the whole topic, read
     * again from its start, must hold no change twice and nothing that is no change of the stream (read again after
     * the topic, since the writer may go on).
     */
    private static void awaitAllDelivered(String step) {
        Set<BigInteger> expected = StreamAudit.readStream(dynamo, streamArn).stream()
                .map(StreamAudit.Change::sequenceNumber).collect(Collectors.toSet());
        await("after " + step + ": all " + expected.size() + " changes of the stream so far in the topic")
                .atMost(CATCH_UP).pollInterval(Duration.ofMillis(500))
                .failFast("the standalone exited", () -> !pulsar.jvm().isAlive())
                .until(() -> {
                    reader.poll();
                    return reader.notRead(expected).isEmpty();
                });
        List<ReceivedMessage> inTopic;
        try {
            inTopic = TopicReader.readAll(client, topic);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        StreamAudit.Result result = StreamAudit.audit(StreamAudit.readStream(dynamo, streamArn), inTopic);
        System.out.println("FunctionWorkerIT: after " + step + ", all " + expected.size() + " changes delivered, "
                + "missing 0; the topic: " + inTopic.size() + " messages, duplicates " + result.duplicates()
                + ", not in the stream " + result.unknown());
        assertThat(result.duplicates()).as("after %s, changes twice in the topic: %s", step, result).isZero();
        assertThat(result.unknown()).as("after %s, messages that are no change of the stream: %s", step, result)
                .isZero();
    }

    /** The size of each instance's log now: {@link #notSentAgain} reads what they log after it. */
    private static Map<Integer, Long> instanceLogSizes() throws IOException {
        Map<Integer, Long> sizes = new java.util.HashMap<>();
        for (int instance = 0; instance < PARALLELISM; instance++) {
            Path log = worker.instanceLog(TENANT, NAMESPACE, NAME, instance);
            sizes.put(instance, Files.exists(log) ? Files.size(log) : 0L);
        }
        return sizes;
    }

    /** An instance's log from offset on (the PROCESS runtime appends to it across the instance's restarts). */
    private static String instanceLog(int instance, long offset) throws IOException {
        byte[] log = Files.readAllBytes(worker.instanceLog(TENANT, NAMESPACE, NAME, instance));
        return new String(log, (int) Math.min(offset, log.length), (int) Math.max(0, log.length - offset),
                StandardCharsets.UTF_8);
    }

    /** Messages read again and not sent again (already in the topic), as the instances logged since the offsets. */
    private static int notSentAgain(Map<Integer, Long> offsets) throws IOException {
        int total = 0;
        for (Map.Entry<Integer, Long> offset : offsets.entrySet()) {
            Matcher matcher = EffectivelyOnceFaultIT.NOT_SENT_AGAIN.matcher(instanceLog(offset.getKey(),
                    offset.getValue()));
            while (matcher.find()) {
                total += Integer.parseInt(matcher.group(1));
            }
        }
        return total;
    }

    /** The instance whose KCL worker id ({@code tenant/namespace/name/instance@host}) owns the shard's lease. */
    private static int leaseHolder() {
        Callable<String> owner = () -> dynamo.leaseOwners(app).values().stream().filter(o -> o != null)
                .findFirst().orElse("");
        String holder = await("a lease owner").atMost(FIRST_DELIVERY).pollInterval(Duration.ofSeconds(1))
                .until(owner, o -> o.startsWith(source.workerIdPrefix()));
        return Integer.parseInt(holder.substring(holder.lastIndexOf('/') + 1, holder.indexOf('@')));
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void step(String name, Step step) throws Exception {
        long started = System.nanoTime();
        try {
            step.run();
        } catch (Exception | AssertionError e) {
            System.out.println("FunctionWorkerIT: step " + name + " failed; instance logs under "
                    + worker.instanceLog(TENANT, NAMESPACE, NAME, 0).getParent());
            throw e;
        }
        System.out.println("FunctionWorkerIT: step " + name + " took " + seconds(started) + " s");
    }

    private static long seconds(long startedNanos) {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedNanos);
    }
}
