package org.apache.pulsar.io.dynamodb.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pulsar.client.admin.PulsarAdmin;
import org.apache.pulsar.client.admin.PulsarAdminException;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.common.functions.FunctionConfig.ProcessingGuarantees;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Effectively-once through crashes, a handoff and graceful stops: FaultToleranceIT's crash and handoff tests (and
 * stops while draining), with the LocalRunner run as {@code --processing-guarantees EFFECTIVELY_ONCE} and the topic
 * in a namespace with deduplication on. The
 * topic must hold every change of the stream (read with the DynamoDB Streams API) exactly once: zero missing AND
 * zero duplicates. With {@code checkpointInterval} 2 s each kill leaves acknowledged records after the checkpoint:
 * the restarted instance reads them again, and had it sent them again with new records in one batch, the broker
 * would have dropped the new ones with them (a loss this test would count). One row per test goes to
 * target/effectively-once-fault-report.md. Runs with {@code -Pfaults}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class EffectivelyOnceFaultIT {

    /** The namespace policy a user sets with {@code pulsar-admin namespaces set-deduplication --enable}. */
    private static final String NAMESPACE = "public/effectively-once";
    private static final long CHECKPOINT_INTERVAL_MS = 2_000;
    /** What an instance logs when it takes a shard: how many messages it read again were already in the topic. */
    static final Pattern NOT_SENT_AGAIN = Pattern.compile(
            "Producer '[^']+': (\\d+) messages read again were already in Pulsar");
    /** The same, with the producer's table: its names are {@code <app>/<table>/<stream label>/<shard>}. */
    private static final Pattern NOT_SENT_AGAIN_BY_TABLE = Pattern.compile(
            "Producer '[^'/]+/([^'/]+)/[^']+': (\\d+) messages read again were already in Pulsar");

    private static FaultScenario.Environment env;
    private static PulsarClient client;

    @BeforeAll
    static void start() throws Exception {
        PulsarRuntime runtime = PulsarRuntime.fromSystemProperties();
        Path dir = runtime.workDir().resolve("EffectivelyOnceFaultIT");
        Path report = runtime.workDir().getParent().resolve("effectively-once-fault-report.md");
        Files.deleteIfExists(report);
        PulsarStandalone pulsar = SharedPulsar.get(runtime).awaitReady(Duration.ofSeconds(300));
        try (PulsarAdmin admin = PulsarAdmin.builder().serviceHttpUrl(pulsar.webServiceUrl()).build()) {
            try {
                admin.namespaces().createNamespace(NAMESPACE);
            } catch (PulsarAdminException.ConflictException exists) {
                // a previous class of this JVM made it
            }
            admin.namespaces().setDeduplicationStatus(NAMESPACE, true);
        }
        client = PulsarClient.builder().serviceUrl(pulsar.brokerServiceUrl()).build();
        env = new FaultScenario.Environment(runtime, pulsar, client, dir, report);
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
    }

    private static FaultScenario scenario(String name) throws Exception {
        return new FaultScenario(env, name, false, CHECKPOINT_INTERVAL_MS, NAMESPACE)
                .guarantees(ProcessingGuarantees.EFFECTIVELY_ONCE);
    }

    /**
     * Kills (SIGKILL) a connector at work: once it holds its shards, has published and has written a numbered
     * checkpoint since it took them, at a random moment within the next 5 s (or while it drains the backlog); starts
     * another and waits until it resumes (it says what it did not send again) or the load is over.
     */
    private static LocalRunnerSource killAtWorkAndRestart(FaultScenario s, LocalRunnerSource running, int kill,
                                                          Random random, BooleanSupplier loadDone) throws Exception {
        await("connector " + kill + " holding the lease").atMost(FaultScenario.FIRST_DELIVERY)
                .pollInterval(Duration.ofMillis(500))
                .failFast("the LocalRunner exited; its errors:\n" + running.errors(), () -> !running.jvm().isAlive())
                .until(() -> running.jvm().logText().contains("effectively-once as producer"));
        int before = s.reader.poll();
        long checkpointBefore = s.dynamo.leaseCheckpointSubsequences(s.app).values().stream()
                .mapToLong(Long::longValue).max().orElse(0);
        await("connector " + kill + " publishing and checkpointing").atMost(FaultScenario.FIRST_DELIVERY)
                .pollInterval(Duration.ofMillis(200))
                .failFast("the LocalRunner exited; its errors:\n" + running.errors(), () -> !running.jvm().isAlive())
                .until(() -> s.reader.poll() > before + 50 && s.dynamo.leaseCheckpointSubsequences(s.app)
                        .values().stream().anyMatch(n -> n > checkpointBefore) || loadDone.getAsBoolean());
        Thread.sleep(random.nextInt(5_000));
        running.kill();
        LocalRunnerSource restarted = s.startSource(0);
        awaitResumed(restarted, "restart " + kill + " taking the shard", loadDone);
        return restarted;
    }

    /**
     * Waits until the instance took its shard and resumed (it logs how many messages it read again and did not send),
     * or the load is over.
     */
    private static void awaitResumed(LocalRunnerSource source, String what, BooleanSupplier loadDone) {
        await(what).atMost(FaultScenario.FIRST_DELIVERY).pollInterval(Duration.ofMillis(500))
                .failFast("the LocalRunner exited; its errors:\n" + source.errors(), () -> !source.jvm().isAlive())
                .until(() -> NOT_SENT_AGAIN.matcher(source.jvm().logText()).find() || loadDone.getAsBoolean());
    }

    /** How many messages the instance read again after its checkpoint and did not send, as its log says. */
    private static int notSentAgain(LocalRunnerSource source) {
        Matcher matcher = NOT_SENT_AGAIN.matcher(source.jvm().logText());
        int total = 0;
        while (matcher.find()) {
            total += Integer.parseInt(matcher.group(1));
        }
        return total;
    }

    @Test
    @Order(1)
    void crashKilledFiveTimesUnderLoadLeavesEveryChangeInTheTopicExactlyOnce() throws Exception {
        long started = System.nanoTime();
        try (FaultScenario s = scenario("eo-crash")) {
            LocalRunnerSource source = s.startSource(0);
            s.warmUp();
            Random random = new Random(20261202L);
            int kills = 5;
            List<LocalRunnerSource> restarts = new ArrayList<>();
            try (ChangeWorkload workload = s.workload(15_000, 150, 11L)) {
                for (int kill = 1; kill <= kills; kill++) {
                    source = killAtWorkAndRestart(s, source, kill, random, workload::done);
                    restarts.add(source);
                }
                // the last restart has taken the shard: the load (15,000 at most) ends TAIL changes later
                workload.endAfter(FaultScenario.TAIL);
                // counted once all is in the topic: the last restart may still be taking the shard at the end
                StreamAudit.Result result = s.finish(workload, "1. crash, effectively-once", () -> kills
                        + " × SIGKILL of the LocalRunner at random moments (seeded), restarted each time;"
                        + " checkpointInterval " + CHECKPOINT_INTERVAL_MS + " ms; messages read again after each"
                        + " restart and not sent"
                        + " again (already in Pulsar): " + restarts.stream().map(EffectivelyOnceFaultIT::notSentAgain)
                        .toList(), 0, started);
                List<Integer> skipped = restarts.stream().map(EffectivelyOnceFaultIT::notSentAgain).toList();
                assertThat(result.duplicates()).as("duplicates: %s", result).isZero();
                assertThat(skipped).as("restarts that read again what Pulsar already held").anyMatch(n -> n > 0);
            }
        }
    }

    @Test
    @Order(2)
    void handoffTheSurvivorResumesAfterWhatTheBrokerHoldsExactlyOnce() throws Exception {
        long started = System.nanoTime();
        try (FaultScenario s = scenario("eo-handoff")) {
            List<LocalRunnerSource> instances = s.startWarmInstances(2);
            try (ChangeWorkload workload = s.workload(10_000, 200, 14L)) {
                workload.awaitWritten(FaultScenario.FAULT_AT);
                FaultScenario.Takeover takeover = s.killLeaseHolderAndAwaitTakeover(instances);
                LocalRunnerSource survivor = takeover.survivor();
                awaitResumed(survivor, "the survivor publishing", workload::done);
                workload.endAfter(FaultScenario.TAIL);
                StreamAudit.Result result = s.finish(workload, "2. handoff, effectively-once", () -> "2 instances, same"
                        + " applicationName; lease holder (instance " + takeover.holder() + ") SIGKILLed at "
                        + FaultScenario.FAULT_AT + " writes; the other took the lease over " + takeover.seconds()
                        + " s later and did not send"
                        + " again "
                        + notSentAgain(survivor) + " messages already in Pulsar", 0, started);
                assertThat(result.duplicates()).as("duplicates: %s", result).isZero();
                assertThat(survivor.jvm().isAlive()).isTrue();
            }
        }
    }

    /**
     * Three tables, each to its own topic by topicPattern, under load, with two kills: every shard is probed on its
     * table's topic and resumes after what the broker holds there, so each topic holds its table's changes once.
     */
    @Test
    @Order(3)
    void perTableTopicsThroughKillsUnderLoadHoldEachTablesChangesExactlyOnce() throws Exception {
        long started = System.nanoTime();
        try (FaultScenario s = new FaultScenario(env, "eo-topics", false, CHECKPOINT_INTERVAL_MS, NAMESPACE, 3)
                .guarantees(ProcessingGuarantees.EFFECTIVELY_ONCE)) {
            LocalRunnerSource source = s.startSource(0);
            s.warmUp();
            Random random = new Random(20261203L);
            int kills = 2;
            List<LocalRunnerSource> restarts = new ArrayList<>();
            Map<String, ChangeWorkload> workloads = s.workloads(5_000, 60, 21L);
            try {
                BooleanSupplier loadDone = () -> workloads.values().stream().allMatch(ChangeWorkload::done);
                for (int kill = 1; kill <= kills; kill++) {
                    source = killAtWorkAndRestart(s, source, kill, random, loadDone);
                    restarts.add(source);
                }
                // the last restart has taken its shards: the loads (5,000 a table at most) end TAIL changes later
                workloads.values().forEach(w -> w.endAfter(FaultScenario.TAIL / workloads.size()));
                Map<String, StreamAudit.Result> results = s.finish(workloads, "3. topicPattern, effectively-once",
                        () -> "3 tables, tables + topicPattern (a topic per table); " + kills + " × SIGKILL of the"
                                + " LocalRunner at random moments (seeded), restarted each time; checkpointInterval "
                                + CHECKPOINT_INTERVAL_MS + " ms; messages read again after each restart and not sent"
                                + " again, per table: " + restarts.stream()
                                .map(EffectivelyOnceFaultIT::notSentAgainByTable).toList(), 0, started);
                assertThat(results).hasSize(3).allSatisfy((table, result) ->
                        assertThat(result.duplicates()).as("duplicates of %s: %s", table, result).isZero());
                assertThat(restarts).as("restarts that read again what Pulsar already held")
                        .anyMatch(restart -> notSentAgain(restart) > 0);
                LocalRunnerSource last = source;
                for (String table : s.topics.keySet()) {
                    Pattern probedOnItsTopic = Pattern.compile("effectively-once as producer '" + Pattern.quote(s.app
                            + "/" + table + "/") + "[^']+' on " + Pattern.quote(s.topics.get(table)) + ";");
                    await("the last instance taking " + table + "'s shard on its own topic")
                            .atMost(FaultScenario.FIRST_DELIVERY).pollInterval(Duration.ofMillis(500))
                            .until(() -> probedOnItsTopic.matcher(last.jvm().logText()).find());
                }
            } finally {
                for (ChangeWorkload workload : workloads.values()) {
                    workload.close();
                }
            }
        }
    }

    /**
     * Graceful stops (SIGTERM: Pulsar closes the instance, interrupting its thread) while the restarted instance
     * drains what was written while none ran: the interrupt may fail one publish while messages of the same shard
     * are queued behind it. None of those may be sent (the broker would store them and its last id would hide the
     * failed record from the next instance), so the topic still holds every change exactly once.
     */
    @Test
    @Order(4)
    void gracefulStopsWhileDrainingLeaveEveryChangeInTheTopicExactlyOnce() throws Exception {
        long started = System.nanoTime();
        try (FaultScenario s = scenario("eo-stop")) {
            LocalRunnerSource source = s.startSource(0);
            s.warmUp();
            Random random = new Random(20261204L);
            int stops = 4;
            List<LocalRunnerSource> restarts = new ArrayList<>();
            List<Integer> exits = new ArrayList<>();
            try (ChangeWorkload workload = s.workload(12_000, 300, 17L)) {
                for (int stop = 1; stop <= stops; stop++) {
                    LocalRunnerSource running = source;
                    await("connector " + stop + " taking the shard").atMost(FaultScenario.FIRST_DELIVERY)
                            .pollInterval(Duration.ofMillis(100))
                            .failFast("the LocalRunner exited; its errors:\n" + running.errors(),
                                    () -> !running.jvm().isAlive())
                            .until(() -> running.jvm().logText().contains("effectively-once as producer")
                                    || workload.done());
                    // within the drain of what was written while no instance ran (the first: after the warm-up)
                    Thread.sleep(random.nextInt(1_500));
                    exits.add(running.stop());
                    source = s.startSource(0);
                    restarts.add(source);
                }
                awaitResumed(source, "the last restart taking the shard", workload::done);
                workload.endAfter(FaultScenario.TAIL);
                StreamAudit.Result result = s.finish(workload, "4. graceful stops, effectively-once", () -> stops
                        + " × SIGTERM of the LocalRunner 0 to 1.5 s (seeded) after the restarted one took the shard,"
                        + " while it drained the changes written meanwhile (300/s); exit codes " + exits
                        + "; messages read again after each restart and not sent again: "
                        + restarts.stream().map(EffectivelyOnceFaultIT::notSentAgain).toList(), 0, started);
                assertThat(result.duplicates()).as("duplicates: %s", result).isZero();
            }
        }
    }

    /**
     * Measures a handoff to a live owner (no timed assertion): the lease is moved to the other instance while its
     * holder keeps running, so the holder's cached producer (PulsarSink's producer cache closes it
     * PRODUCER_CACHE_TIMEOUT_SECONDS, 300 s by default, after its last use) keeps the shard's producer name; the new
     * owner waits for the name, then resumes after what the broker holds. Opt-in, as it lasts over five minutes:
     * {@code -Deo.liveHandoff=true}.
     */
    @Test
    @Order(5)
    @EnabledIfSystemProperty(named = "eo.liveHandoff", matches = "true")
    void liveHandoffTheNewOwnerWaitsForTheOldOwnersProducerThenResumesExactlyOnce() throws Exception {
        long started = System.nanoTime();
        try (FaultScenario s = scenario("eo-live-handoff")) {
            List<LocalRunnerSource> instances = s.startWarmInstances(2);
            try (ChangeWorkload workload = s.workload(3_000, 50, 15L)) {
                workload.awaitWritten(1_000);
                int holder = s.singleLeaseOwner().contains("/0@") ? 0 : 1;
                LocalRunnerSource oldOwner = instances.get(holder);
                LocalRunnerSource newOwner = instances.get(1 - holder);
                s.moveLeaseTo(1 - holder);
                long moved = System.nanoTime();
                await("instance " + (1 - holder) + " taking the shard once the old owner's producer closed")
                        .atMost(Duration.ofMinutes(12)).pollInterval(Duration.ofMillis(500))
                        .failFast("the new owner exited:\n" + newOwner.errors(), () -> !newOwner.jvm().isAlive())
                        .until(() -> newOwner.jvm().logText().contains("effectively-once as producer"));
                long publishedAfter = FaultScenario.seconds(moved);
                StreamAudit.Result result = s.finish(workload, "4. live handoff, effectively-once", () -> "2"
                        + " instances; the lease moved from instance " + holder + " to instance " + (1 - holder)
                        + " at 1,000 writes while both ran; the new owner "
                        + (newOwner.jvm().logText().contains("Waiting for the previous owner's producer")
                        ? "waited for the old owner's producer name and " : "") + "took the shard "
                        + publishedAfter + " s after the move and did not send again " + notSentAgain(newOwner)
                        + " messages already in Pulsar", 0, started);
                assertThat(result.duplicates()).as("duplicates: %s", result).isZero();
                assertThat(oldOwner.jvm().isAlive()).as("the old owner ran throughout").isTrue();
            }
        }
    }

    /** Per table, how many messages the instance read again after its checkpoint and did not send. */
    private static Map<String, Integer> notSentAgainByTable(LocalRunnerSource source) {
        Matcher matcher = NOT_SENT_AGAIN_BY_TABLE.matcher(source.jvm().logText());
        Map<String, Integer> byTable = new TreeMap<>();
        while (matcher.find()) {
            byTable.merge(matcher.group(1), Integer.parseInt(matcher.group(2)), Integer::sum);
        }
        return byTable;
    }
}
