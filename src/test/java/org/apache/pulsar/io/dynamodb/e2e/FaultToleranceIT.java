package org.apache.pulsar.io.dynamodb.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pulsar.client.api.PulsarClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Proves that nothing is lost: the NAR in Pulsar's LocalRunner, a Pulsar standalone broker and DynamoDB Local, under
 * a continuous write load (inserts, updates, deletes over 200 items) while a fault is injected. Each test then reads
 * the stream itself from its oldest record and checks the topic against it: no change missing, each item's changes
 * first appearing in stream order, duplicates within what was in flight when the fault hit. One row per test goes
 * to target/fault-report.md. Each load (at most 10,000 or 15,000 writes) ends 1,000 writes after the last fault
 * is over. Runs with {@code -Pfaults} (about 6 minutes on 2 cores).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class FaultToleranceIT {

    private static final int RECEIVE_QUEUE_SIZE = FaultScenario.RECEIVE_QUEUE_SIZE;
    private static final int BATCH = FaultScenario.BATCH;
    /**
     * What one fault may make the connector publish twice, with a checkpoint after every batch: the records it held
     * unacknowledged at its last checkpoint (at most receiveQueueSize) plus the batch it was dispatching after it.
     */
    private static final int IN_FLIGHT_BOUND = RECEIVE_QUEUE_SIZE + BATCH;
    private static final long CHECKPOINT_EVERY_BATCH_MS = 1;
    private static final Duration FIRST_DELIVERY = FaultScenario.FIRST_DELIVERY;
    /**
     * Each outage outlasts what it must: the broker's, the 500-record receive queue filling (2.5 s at 200/s) so the
     * shard's reads block, and the Pulsar clients' reconnect backoff growing to seconds (the instance's producer has
     * no send timeout); DynamoDB's, KCL's 10 s failover time (the lease expires unrenewed and is taken again from the
     * checkpoint), the connector's retries (numRetries 3 x backoffTime 1 s), and the 30 s leader-lock lease the
     * connector gives KCL (the leader lock lapses too).
     */
    private static final Duration BROKER_OUTAGE = Duration.ofSeconds(15);
    private static final Duration DYNAMODB_OUTAGE = Duration.ofSeconds(30);

    private static PulsarRuntime runtime;
    private static Path dir;
    private static Path report;
    private static PulsarStandalone pulsar;
    private static PulsarClient client;
    private static FaultScenario.Environment env;

    @BeforeAll
    static void start() throws Exception {
        runtime = PulsarRuntime.fromSystemProperties();
        dir = runtime.workDir().resolve("FaultToleranceIT");
        report = runtime.workDir().getParent().resolve("fault-report.md");
        Files.deleteIfExists(report);
        pulsar = SharedPulsar.get(runtime).awaitReady(Duration.ofSeconds(180));
        client = PulsarClient.builder().serviceUrl(pulsar.brokerServiceUrl()).build();
        env = new FaultScenario.Environment(runtime, pulsar, client, dir, report);
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
    }

    @Test
    @Order(1)
    void crashLocalRunnerKilledFiveTimesAtRandomMoments() throws Exception {
        long started = System.nanoTime();
        try (FaultScenario s = new FaultScenario(env, "crash", false, CHECKPOINT_EVERY_BATCH_MS)) {
            LocalRunnerSource source = s.startSource(0);
            s.warmUp();
            Random random = new Random(20261124L);
            int kills = 5;
            try (ChangeWorkload workload = s.workload(15_000, 150, 1L)) {
                for (int kill = 1; kill <= kills; kill++) {
                    LocalRunnerSource running = source;
                    // Kill a connector at work: once it holds the lease and has published since, at a random
                    // moment within the next 5 s (or, once the writer is done, while it drains the backlog).
                    FaultScenario.awaitProcessing(running, "connector " + kill + " holding the lease");
                    int before = s.reader.poll();
                    await("connector " + kill + " publishing").atMost(FIRST_DELIVERY)
                            .pollInterval(Duration.ofMillis(200))
                            .failFast("the LocalRunner exited; its errors:\n" + running.errors(),
                                    () -> !running.jvm().isAlive())
                            .until(() -> s.reader.poll() > before + 50 || workload.done());
                    Thread.sleep(random.nextInt(5_000));
                    source.kill();
                    source = s.startSource(0);
                }
                // the load lasts until the last restart works, then TAIL changes more (it was 15,000 at most)
                FaultScenario.awaitProcessing(source, "the last restart holding the lease");
                workload.endAfter(FaultScenario.TAIL);
                s.finish(workload, "1. crash", kills + " × SIGKILL of the LocalRunner at random moments (seeded),"
                        + " restarted each time", kills * IN_FLIGHT_BOUND, started);
            }
        }
    }

    @Test
    @Order(2)
    void brokerOutageOfFifteenSecondsMidStream() throws Exception {
        outageMidStream("broker-outage", false, 2L, BROKER_OUTAGE, "2. broker outage",
                "Pulsar standalone stopped (SIGTERM) for " + BROKER_OUTAGE.toSeconds() + " s at " + FaultScenario.FAULT_AT
                        + " writes, restarted on the same ports and data",
                s -> assertThat(pulsar.stopBroker()).as("broker exit on SIGTERM").isNotEqualTo(-1),
                s -> pulsar.startAgain().awaitReady(Duration.ofSeconds(180)));
    }

    @Test
    @Order(3)
    void dynamoDbOutageOfThirtySecondsMidStream() throws Exception {
        outageMidStream("dynamodb-outage", true, 3L, DYNAMODB_OUTAGE, "3. DynamoDB outage",
                "file-backed DynamoDB Local stopped for " + DYNAMODB_OUTAGE.toSeconds() + " s at " + FaultScenario.FAULT_AT
                        + " writes, started again on the same port"
                        + " (the writer retrying)",
                s -> s.dynamo.stopServer(), s -> s.dynamo.startServer());
    }

    /** Something the connector depends on, stopped for a while and started again. */
    private interface OutageStep {
        void run(FaultScenario s) throws Exception;
    }

    /**
     * One connector, the workload, an outage at FAULT_AT writes: it must recover without a restart. The load ends
     * TAIL changes after the connector publishes again.
     */
    private static void outageMidStream(String name, boolean fileBackedDynamo, long seed, Duration outage, String test,
                                        String faults, OutageStep stop, OutageStep start) throws Exception {
        long started = System.nanoTime();
        try (FaultScenario s = new FaultScenario(env, name, fileBackedDynamo, CHECKPOINT_EVERY_BATCH_MS)) {
            LocalRunnerSource source = s.startSource(0);
            long pid = source.jvm().pid();
            s.warmUp();
            try (ChangeWorkload workload = s.workload(10_000, 200, seed)) {
                workload.awaitWritten(FaultScenario.FAULT_AT);
                stop.run(s);
                Thread.sleep(outage.toMillis());
                start.run(s);
                s.endLoadOncePublishingAgain(workload);
                s.finish(workload, test, faults, IN_FLIGHT_BOUND, started);
            }
            assertThat(source.jvm().isAlive()).as("the LocalRunner survived the outage").isTrue();
            assertThat(source.jvm().pid()).isEqualTo(pid);
            assertThat(source.opens()).as("the connector was opened once: no restart").isEqualTo(1);
        }
    }

    @Test
    @Order(4)
    void handoffTheSurvivorOfTwoInstancesTakesOverTheLeaseFromTheCheckpoint() throws Exception {
        long started = System.nanoTime();
        try (FaultScenario s = new FaultScenario(env, "handoff", false, CHECKPOINT_EVERY_BATCH_MS)) {
            List<LocalRunnerSource> instances = s.startWarmInstances(2);
            try (ChangeWorkload workload = s.workload(10_000, 200, 4L)) {
                workload.awaitWritten(FaultScenario.FAULT_AT);
                FaultScenario.Takeover takeover = s.killLeaseHolderAndAwaitTakeover(instances);
                workload.endAfter(FaultScenario.TAIL);
                s.finish(workload, "4. handoff", "2 instances, same applicationName; lease holder (instance "
                        + takeover.holder() + ") SIGKILLed at " + FaultScenario.FAULT_AT + " writes; the other took"
                        + " the lease over "
                        + takeover.seconds() + " s later", IN_FLIGHT_BOUND, started);
                assertThat(takeover.survivor().jvm().isAlive()).isTrue();
            }
        }
    }

    @Test
    @Order(5)
    void gracefulStopUnderLoadRepublishesNothingAcknowledged() throws Exception {
        long started = System.nanoTime();
        long checkpointInterval = 1_000;
        try (FaultScenario s = new FaultScenario(env, "graceful-stop", false, checkpointInterval)) {
            LocalRunnerSource source = s.startSource(0);
            s.warmUp();
            try (ChangeWorkload workload = s.workload(10_000, 200, 5L)) {
                workload.awaitWritten(FaultScenario.FAULT_AT);
                assertThat(source.stop()).as("LocalRunner exit on SIGTERM, within the grace period")
                        .isNotEqualTo(-1);
                List<ReceivedMessage> beforeStop = TopicReader.readAll(client, s.topic);
                Set<BigInteger> acknowledged = beforeStop.stream().map(ReceivedMessage::sequenceNumber)
                        .collect(Collectors.toSet());
                FaultScenario.awaitProcessing(s.startSource(0), "the restarted connector holding the lease");
                workload.endAfter(FaultScenario.TAIL);
                StreamAudit.Result result = s.finish(workload, "graceful stop", (String) null, RECEIVE_QUEUE_SIZE,
                        started);
                List<ReceivedMessage> all = TopicReader.readAll(client, s.topic);
                long republished = all.subList(beforeStop.size(), all.size()).stream()
                        .filter(m -> acknowledged.contains(m.sequenceNumber())).count();
                FaultReport.add(report, "5. graceful stop", workload.describe(), "LocalRunner stopped (SIGTERM:"
                        + " close()) at " + FaultScenario.FAULT_AT + " writes while writing, restarted;"
                        + " checkpointInterval " + checkpointInterval + " ms; " + beforeStop.size() + " messages in the"
                        + " topic at the stop, " + republished + " of them published again after the restart", result,
                        RECEIVE_QUEUE_SIZE, FaultScenario.seconds(started));
                assertThat(republished).as("changes in the topic before the stop that were published again")
                        .isLessThanOrEqualTo(RECEIVE_QUEUE_SIZE);
            }
        }
    }
}
