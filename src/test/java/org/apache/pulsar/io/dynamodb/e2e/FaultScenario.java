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
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * One fault test's DynamoDB Local, table, stream, topic, KCL application and LocalRunners (FaultToleranceIT,
 * EffectivelyOnceFaultIT): the NAR under a continuous write load over 200 items, then the whole topic checked
 * against the stream read with the DynamoDB Streams API.
 */
final class FaultScenario implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final int ITEMS = 200;
    static final int RECEIVE_QUEUE_SIZE = 500;
    /** DynamoDB Streams' GetRecords limit, the connector's batch per poll of a shard. */
    static final int BATCH = 1000;
    static final Duration FIRST_DELIVERY = Duration.ofSeconds(240);
    static final Duration CATCH_UP = Duration.ofMinutes(6);

    /** What the scenarios of one test class share: the runtime, the broker, a client and where reports go. */
    record Environment(PulsarRuntime runtime, PulsarStandalone pulsar, PulsarClient client, Path dir, Path report) {
    }

    final Environment env;
    final String name;
    final DynamoDbLocal dynamo;
    final String table;
    final String streamArn;
    final String topic;
    final String app;
    final long checkpointInterval;
    final TopicReader reader;
    final List<LocalRunnerSource> sources = new ArrayList<>();
    private ProcessingGuarantees guarantees;

    /** A scenario whose topic is in public/default. */
    FaultScenario(Environment env, String name, boolean fileBacked, long checkpointInterval) throws Exception {
        this(env, name, fileBacked, checkpointInterval, "public/default");
    }

    FaultScenario(Environment env, String name, boolean fileBacked, long checkpointInterval, String namespace)
            throws Exception {
        this.env = env;
        this.name = name;
        this.checkpointInterval = checkpointInterval;
        this.dynamo = fileBacked ? DynamoDbLocal.startFileBacked(env.dir().resolve(name).resolve("dynamodb-"
                + System.currentTimeMillis())) : DynamoDbLocal.start();
        this.table = "faults-" + name;
        this.streamArn = dynamo.createTableWithStream(table);
        this.topic = "persistent://" + namespace + "/faults-" + name;
        this.app = "faults-" + name + "-" + System.currentTimeMillis();
        this.reader = new TopicReader(env.client(), topic);
    }

    /** Runs every LocalRunner of this scenario with {@code --processing-guarantees}. */
    FaultScenario guarantees(ProcessingGuarantees processingGuarantees) {
        this.guarantees = processingGuarantees;
        return this;
    }

    LocalRunnerSource startSource(int instance) throws Exception {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("awsEndpoint", dynamo.endpoint());
        config.put("awsRegion", "us-east-1");
        config.put("awsDynamodbStreamArn", streamArn);
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
        LocalRunnerSource.Options options = new LocalRunnerSource.Options("faults-" + name, topic,
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

    /** Writes one change and waits until it is in the topic: the connector holds its lease and reads. */
    void warmUp() {
        dynamo.put(table, Map.of("id", AttributeValue.fromS("warm-up")));
        awaitTopic(FIRST_DELIVERY, "the first change in the topic", () -> reader.poll() >= 1);
    }

    ChangeWorkload workload(int changes, int ratePerSecond, long seed) {
        return new ChangeWorkload(dynamo.client(), table, ITEMS, changes, ratePerSecond, seed).start();
    }

    /** The owner of the application's only lease ("" when none). */
    String singleLeaseOwner() {
        Map<String, String> owners = dynamo.leaseOwners(app);
        assertThat(owners).as("leases of %s", app).hasSize(1);
        String owner = owners.values().iterator().next();
        return owner == null ? "" : owner;
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
        workload.awaitDone(Duration.ofMinutes(10));
        List<StreamAudit.Change> stream = StreamAudit.readStream(dynamo, streamArn);
        Set<BigInteger> expected = stream.stream().map(StreamAudit.Change::sequenceNumber)
                .collect(Collectors.toSet());
        assertThat(stream.size()).as("changes in the stream").isGreaterThanOrEqualTo(workload.written());
        awaitTopic(CATCH_UP, "all " + stream.size() + " changes in the topic",
                () -> reader.poll() >= expected.size());
        StreamAudit.Result result = StreamAudit.audit(stream, TopicReader.readAll(env.client(), topic));
        System.out.println(name + ": " + result);
        if (faults != null) {
            FaultReport.add(env.report(), test, workload.describe(), faults.get(), result, duplicateBound,
                    seconds(startedNanos));
        }
        assertThat(result.missing()).as("changes missing from the topic: %s", result).isZero();
        assertThat(result.unknown()).as("messages that are no change of the stream: %s", result).isZero();
        assertThat(result.outOfOrderItems()).as("items whose changes first appear out of order: %s", result)
                .isZero();
        assertThat(result.duplicates()).as("duplicates: %s", result).isLessThanOrEqualTo((int) duplicateBound);
        return result;
    }

    static long seconds(long startedNanos) {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedNanos);
    }

    @Override
    public void close() throws Exception {
        for (LocalRunnerSource source : sources) {
            source.close();
        }
        reader.close();
        dynamo.close();
    }
}
