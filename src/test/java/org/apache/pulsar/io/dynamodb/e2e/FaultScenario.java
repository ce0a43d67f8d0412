package org.apache.pulsar.io.dynamodb.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.common.functions.FunctionConfig.ProcessingGuarantees;
import org.apache.pulsar.io.dynamodb.testing.DynamoDbLocal;
import org.awaitility.core.ConditionTimeoutException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * One fault test's DynamoDB Local, table, stream, topic, KCL application and LocalRunners (FaultToleranceIT,
 * EffectivelyOnceFaultIT): the NAR under a continuous write load over 200 items, then the whole topic checked
 * against the stream read with the DynamoDB Streams API. With several tables (tables and topicPattern), each table
 * has its own stream, topic and load, and each topic is checked against its table's stream.
 */
final class FaultScenario implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final int ITEMS = 200;
    static final int RECEIVE_QUEUE_SIZE = 500;
    /** DynamoDB Streams' GetRecords limit, the connector's batch per poll of a shard. */
    static final int BATCH = 1000;
    static final Duration FIRST_DELIVERY = Duration.ofSeconds(240);
    static final Duration CATCH_UP = Duration.ofMinutes(6);
    /**
     * Changes a load goes on for once the last fault is over and the connector works again (5 s at 200/s): the
     * connector resumes under load, and the test ends soon after, not after a fixed write time.
     */
    static final int TAIL = 1_000;
    /**
     * Changes written before a single fault (5 s at 200/s): by then the connector has taken its lease, published
     * and checkpointed under load, and holds records in flight.
     */
    static final int FAULT_AT = 1_000;

    /** What the scenarios of one test class share: the runtime, the broker, a client and where reports go. */
    record Environment(PulsarRuntime runtime, PulsarStandalone pulsar, PulsarClient client, Path dir, Path report) {
    }

    final Environment env;
    final String name;
    final DynamoDbLocal dynamo;
    /** The first table, its stream, topic and reader: the only ones unless the scenario has several tables. */
    final String table;
    final String streamArn;
    final String topic;
    final String app;
    final long checkpointInterval;
    final TopicReader reader;
    /** Every table's stream, topic and reader, in table order. */
    final Map<String, String> streamArns = new LinkedHashMap<>();
    final Map<String, String> topics = new LinkedHashMap<>();
    final Map<String, TopicReader> readers = new LinkedHashMap<>();
    private final String topicPattern;
    /** The LocalRunner's --destination-topic-name: the table's topic, or with topicPattern one that stays empty. */
    private final String sourceTopic;
    final List<LocalRunnerSource> sources = new ArrayList<>();
    private ProcessingGuarantees guarantees;

    /** A scenario whose topic is in public/default. */
    FaultScenario(Environment env, String name, boolean fileBacked, long checkpointInterval) throws Exception {
        this(env, name, fileBacked, checkpointInterval, "public/default");
    }

    FaultScenario(Environment env, String name, boolean fileBacked, long checkpointInterval, String namespace)
            throws Exception {
        this(env, name, fileBacked, checkpointInterval, namespace, 1);
    }

    /**
     * @param tableCount with more than one, tables {@code faults-<name>-1..n}, listed in {@code tables}, each to its
     *                   topic by {@code topicPattern}
     */
    FaultScenario(Environment env, String name, boolean fileBacked, long checkpointInterval, String namespace,
                  int tableCount) throws Exception {
        this.env = env;
        this.name = name;
        this.checkpointInterval = checkpointInterval;
        this.dynamo = fileBacked ? DynamoDbLocal.startFileBacked(env.dir().resolve(name).resolve("dynamodb-"
                + System.currentTimeMillis())) : DynamoDbLocal.start();
        this.topicPattern = tableCount > 1 ? "persistent://" + namespace + "/{table}" : null;
        for (int i = 1; i <= tableCount; i++) {
            String tableName = "faults-" + name + (tableCount > 1 ? "-" + i : "");
            streamArns.put(tableName, dynamo.createTableWithStream(tableName));
            String tableTopic = "persistent://" + namespace + "/" + tableName;
            topics.put(tableName, tableTopic);
            readers.put(tableName, new TopicReader(env.client(), tableTopic));
        }
        this.table = streamArns.keySet().iterator().next();
        this.streamArn = streamArns.get(table);
        this.topic = topics.get(table);
        this.reader = readers.get(table);
        this.sourceTopic = topicPattern == null ? topic : "persistent://" + namespace + "/faults-" + name;
        this.app = "faults-" + name + "-" + System.currentTimeMillis();
    }

    /** Runs every LocalRunner of this scenario with {@code --processing-guarantees}. */
    FaultScenario guarantees(ProcessingGuarantees processingGuarantees) {
        this.guarantees = processingGuarantees;
        return this;
    }

    LocalRunnerSource startSource(int instance) throws Exception {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("awsEndpoint", dynamo.endpoint());
        if (topicPattern == null) {
            config.put("awsRegion", "us-east-1");
            config.put("awsDynamodbStreamArn", streamArn);
        } else {
            // the tables by name, in the region of DynamoDB Local's ARNs, each to its own topic
            config.put("awsRegion", "ddblocal");
            config.put("tables", String.join(",", streamArns.keySet()));
            config.put("topicPattern", topicPattern);
        }
        config.put("awsCredentialPluginParam", JSON.writeValueAsString(Map.of(
                "accessKey", DynamoDbLocal.ACCESS_KEY, "secretKey", DynamoDbLocal.SECRET_KEY)));
        config.put("applicationName", app);
        config.put("initialPositionInStream", "TRIM_HORIZON");
        config.put("checkpointInterval", checkpointInterval);
        config.put("backoffTime", 1000);
        config.put("numRetries", 3);
        config.put("receiveQueueSize", RECEIVE_QUEUE_SIZE);
        config.put("pollInterval", 100);
        config.put("dynamoEndpoint", dynamo.endpoint());
        config.put("cloudwatchEndpoint", dynamo.endpoint());
        LocalRunnerSource.Options options = new LocalRunnerSource.Options("faults-" + name, sourceTopic,
                JSON.writeValueAsString(config)).instanceIdOffset(instance);
        if (guarantees != null) {
            options.processingGuarantees(guarantees);
        }
        LocalRunnerSource source = LocalRunnerSource.start(env.runtime(), env.pulsar(), options,
                env.dir().resolve(name).resolve("localrunner-" + (sources.size() + 1) + "-instance" + instance
                        + ".log"));
        sources.add(source);
        return source;
    }

    /** Instances 0 to count - 1 of the source, started together, once the first changes are in the topics. */
    List<LocalRunnerSource> startWarmInstances(int count) throws Exception {
        List<LocalRunnerSource> started = new ArrayList<>();
        for (int instance = 0; instance < count; instance++) {
            started.add(startSource(instance));
        }
        warmUp();
        return List.copyOf(started);
    }

    /** Writes one change to each table and waits until it is in the topic: the connector holds its leases. */
    void warmUp() {
        streamArns.keySet().forEach(t -> dynamo.put(t, Map.of("id", AttributeValue.fromS("warm-up"))));
        awaitTopic(FIRST_DELIVERY, "the first change in every topic",
                () -> readers.values().stream().allMatch(r -> r.poll() >= 1));
    }

    ChangeWorkload workload(int changes, int ratePerSecond, long seed) {
        return new ChangeWorkload(dynamo.client(), table, ITEMS, changes, ratePerSecond, seed).start();
    }

    /** A load on every table, each of its own, from seed, seed + 1, ...; in table order. */
    Map<String, ChangeWorkload> workloads(int changesPerTable, int ratePerSecondPerTable, long seed) {
        Map<String, ChangeWorkload> workloads = new LinkedHashMap<>();
        long tableSeed = seed;
        for (String t : streamArns.keySet()) {
            workloads.put(t, new ChangeWorkload(dynamo.client(), t, ITEMS, changesPerTable, ratePerSecondPerTable,
                    tableSeed++).start());
        }
        return workloads;
    }

    /** The owner of the application's only lease ("" when none). */
    String singleLeaseOwner() {
        Map<String, String> owners = dynamo.leaseOwners(app);
        assertThat(owners).as("leases of %s", app).hasSize(1);
        String owner = owners.values().iterator().next();
        return owner == null ? "" : owner;
    }

    /**
     * Gives the application's only lease to another running instance, as KCL's leader does when it reassigns one:
     * the owner changes and the lease counter goes up, so the holder loses the lease at its next renewal.
     */
    void moveLeaseTo(int instance) {
        Map<String, String> owners = dynamo.leaseOwners(app);
        assertThat(owners).as("leases of %s", app).hasSize(1);
        String leaseKey = owners.keySet().iterator().next();
        String owner = owners.get(leaseKey).replaceFirst("/\\d+@", "/" + instance + "@");
        dynamo.client().updateItem(b -> b.tableName(app).key(Map.of("leaseKey", AttributeValue.fromS(leaseKey)))
                .updateExpression("SET leaseOwner = :owner ADD leaseCounter :one")
                .expressionAttributeValues(Map.of(":owner", AttributeValue.fromS(owner),
                        ":one", AttributeValue.fromN("1"))));
    }

    /** Who held the lease, who took it over, and how long after the holder was killed. */
    record Takeover(int holder, LocalRunnerSource survivor, long seconds) {
    }

    /**
     * Kills (SIGKILL) the instance of the two that holds the lease and waits until the other holds it. KCL reassigns
     * an expired lease from its leader: if the leader dies (the instance started first is leader and holder), its
     * lock (30 s) expires first, so the takeover takes 15 s or 40 s.
     */
    Takeover killLeaseHolderAndAwaitTakeover(List<LocalRunnerSource> instances) {
        String owner = singleLeaseOwner();
        int holder = owner.contains("/0@") ? 0 : 1;
        assertThat(owner).as("worker ids name the instance").contains("/" + holder + "@");
        instances.get(holder).kill();
        LocalRunnerSource survivor = instances.get(1 - holder);
        long killed = System.nanoTime();
        await("instance " + (1 - holder) + " taking the lease over").atMost(Duration.ofMinutes(5))
                .pollInterval(Duration.ofSeconds(1))
                .failFast("the surviving LocalRunner exited:\n" + survivor.errors(), () -> !survivor.jvm().isAlive())
                .until(() -> singleLeaseOwner().contains("/" + (1 - holder) + "@"));
        return new Takeover(holder, survivor, seconds(killed));
    }

    /** Waits until the instance holds its lease and processes from its checkpoint. */
    static void awaitProcessing(LocalRunnerSource source, String what) {
        await(what).atMost(FIRST_DELIVERY).pollInterval(Duration.ofMillis(500))
                .failFast("the LocalRunner exited; its errors:\n" + source.errors(), () -> !source.jvm().isAlive())
                .until(() -> source.jvm().logText().contains("processing from checkpoint"));
    }

    /**
     * Once the topic holds more than what was in flight beyond what it holds now (the connector reads the stream
     * again after a fault), ends the load {@link #TAIL} changes later.
     */
    void endLoadOncePublishingAgain(ChangeWorkload workload) {
        int now = reader.poll();
        awaitTopic(FIRST_DELIVERY, "the connector publishing again after the fault",
                () -> reader.poll() > now + RECEIVE_QUEUE_SIZE + BATCH || workload.done());
        workload.endAfter(TAIL);
    }

    private void awaitTopic(Duration timeout, String what, Callable<Boolean> done) {
        await(what).atMost(timeout).pollInterval(Duration.ofMillis(500))
                .failFast("no LocalRunner is running; errors of the last:\n"
                                + sources.get(sources.size() - 1).errors(),
                        () -> sources.stream().noneMatch(source -> source.jvm().isAlive()))
                .until(done);
    }

    /**
     * Waits for the writer, reads the stream, waits until the topic holds every change, checks it and reports it
     * (unless faults is null); returns the result.
     */
    StreamAudit.Result finish(ChangeWorkload workload, String test, String faults, long duplicateBound,
                              long startedNanos) throws Exception {
        return finish(workload, test, faults == null ? null : () -> faults, duplicateBound, startedNanos);
    }

    /** The same, with the faults described once every change is in the topic (what the logs say by then). */
    StreamAudit.Result finish(ChangeWorkload workload, String test, Supplier<String> faults, long duplicateBound,
                              long startedNanos) throws Exception {
        return finish(Map.of(table, workload), test, faults, duplicateBound, startedNanos).get(table);
    }

    /**
     * Waits for each table's writer, reads its stream, waits until its topic holds every change, checks each topic
     * against its table's stream and reports one row per table (unless faults is null); returns the results.
     */
    Map<String, StreamAudit.Result> finish(Map<String, ChangeWorkload> workloads, String test,
                                           Supplier<String> faults, long duplicateBound, long startedNanos)
            throws Exception {
        for (ChangeWorkload workload : workloads.values()) {
            workload.awaitDone(Duration.ofMinutes(10));
        }
        Map<String, StreamAudit.Result> results = new LinkedHashMap<>();
        for (Map.Entry<String, ChangeWorkload> load : workloads.entrySet()) {
            String t = load.getKey();
            List<StreamAudit.Change> stream = StreamAudit.readStream(dynamo, streamArns.get(t));
            Set<BigInteger> expected = stream.stream().map(StreamAudit.Change::sequenceNumber)
                    .collect(Collectors.toSet());
            assertThat(stream.size()).as("changes in the stream of %s", t)
                    .isGreaterThanOrEqualTo(load.getValue().written());
            try {
                awaitTopic(CATCH_UP, "all " + stream.size() + " changes of " + t + " in its topic",
                        () -> readers.get(t).poll() >= expected.size());
            } catch (ConditionTimeoutException notAll) {
                // counted below: the report row and the failure name what is missing, not only that time ran out
                System.out.println(name + " " + t + ": " + notAll.getMessage());
            }
            StreamAudit.Result result = StreamAudit.audit(stream, TopicReader.readAll(env.client(), topics.get(t)));
            System.out.println(name + " " + t + ": " + result);
            results.put(t, result);
        }
        if (faults != null) {
            String described = faults.get();
            results.forEach((t, result) -> FaultReport.add(env.report(), workloads.size() > 1 ? test + ": " + t
                    : test, workloads.get(t).describe(), described, result, duplicateBound, seconds(startedNanos)));
        }
        results.forEach((t, result) -> {
            assertThat(result.missing()).as("changes of %s missing from the topic: %s", t, result).isZero();
            assertThat(result.unknown()).as("messages that are no change of %s: %s", t, result).isZero();
            assertThat(result.outOfOrderItems()).as("items of %s whose changes first appear out of order: %s", t,
                    result).isZero();
            assertThat(result.duplicates()).as("duplicates of %s: %s", t, result)
                    .isLessThanOrEqualTo((int) duplicateBound);
        });
        return results;
    }

    static long seconds(long startedNanos) {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedNanos);
    }

    @Override
    public void close() throws Exception {
        for (LocalRunnerSource source : sources) {
            source.close();
        }
        for (TopicReader topicReader : readers.values()) {
            topicReader.close();
        }
        dynamo.close();
    }
}
