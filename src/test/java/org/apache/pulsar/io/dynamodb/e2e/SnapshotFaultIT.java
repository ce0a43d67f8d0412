package org.apache.pulsar.io.dynamodb.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pulsar.io.dynamodb.testing.TableLoad;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The snapshot under kill -9 (runs with {@code -Pfaults}): the NAR in a LocalRunner (child JVM) snapshotting a table
 * of 30,000 items while inserts, updates and deletes go on, killed with SIGKILL three times during the snapshot and
 * once just after the handoff to the stream, and started again each time. Then the topic is checked against a final
 * Scan and the stream: nothing missing; the duplicates are counted against what was in flight at each kill.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class SnapshotFaultIT {

    private static final int ITEMS = 30_000;
    private static final int RECEIVE_QUEUE_SIZE = 1000;
    private static final int SEGMENTS = 8;
    private static final Pattern RESUMED = Pattern.compile("Snapshot segment \\d+/8: reading from cursor .* \\((\\d+) "
            + "items acknowledged before\\)");
    private static final Duration STEP = Duration.ofMinutes(4);

    private static final Map<String, Object> KEYS = Map.of("snapshotSegments", SEGMENTS,
            "receiveQueueSize", RECEIVE_QUEUE_SIZE,
            // about a minute of reading for the table, so that three kills land in the snapshot
            "snapshotReadCapacityPerSecond", 10);

    private static SnapshotScenario scenario;

    @BeforeAll
    static void start() throws Exception {
        scenario = SnapshotScenario.start("SnapshotFaultIT", "crashed", "snapshot-crash");
    }

    @AfterAll
    static void stop() throws Exception {
        if (scenario != null) {
            scenario.close();
        }
    }

    private static long storedItems() {
        return scenario.storedItems(owner -> true).values().stream().mapToLong(Long::longValue).sum();
    }

    @Test
    void killedThreeTimesDuringTheSnapshotAndOnceAfterTheHandoffNothingIsMissing() throws Exception {
        long started = System.nanoTime();
        TableLoad.put(scenario.dynamo.client(), scenario.table, 0, ITEMS, 4, SnapshotScenario::item);
        Random random = new Random(20261202L);
        List<Long> resumedWith = new ArrayList<>();
        ChangeWorkload workload = new ChangeWorkload(scenario.dynamo.client(), scenario.table, ITEMS,
                Integer.MAX_VALUE, 50, 12L).start();
        try {
            LocalRunnerSource source = scenario.startSource(0, KEYS);
            for (int kill = 1; kill <= 3; kill++) {
                LocalRunnerSource running = source;
                long storedBefore = storedItems();
                // kill a connector at work: once it has stored progress of its own, at a random moment after that
                await("snapshot progress before kill " + kill).atMost(STEP).pollInterval(Duration.ofMillis(250))
                        .failFast("the LocalRunner exited:\n" + running.errors(), () -> !running.jvm().isAlive())
                        .until(() -> storedItems() > storedBefore);
                Thread.sleep(1_000 + random.nextInt(4_000));
                assertThat(running.jvm().logText()).as("kill %d must land in the snapshot", kill)
                        .doesNotContain("reading the stream now");
                running.kill();
                source = scenario.startSource(0, KEYS);
                LocalRunnerSource restarted = source;
                await("restart " + kill + " resuming its segments").atMost(STEP).pollInterval(Duration.ofMillis(250))
                        .failFast("the LocalRunner exited:\n" + restarted.errors(), () -> !restarted.jvm().isAlive())
                        .until(() -> RESUMED.matcher(restarted.jvm().logText()).find());
                Matcher resumed = RESUMED.matcher(restarted.jvm().logText());
                long acknowledgedBefore = 0;
                while (resumed.find()) {
                    acknowledgedBefore += Long.parseLong(resumed.group(1));
                }
                resumedWith.add(acknowledgedBefore);
            }
            LocalRunnerSource afterKills = source;
            await("the snapshot completing").atMost(STEP).pollInterval(Duration.ofSeconds(1))
                    .failFast("the LocalRunner exited:\n" + afterKills.errors(), () -> !afterKills.jvm().isAlive())
                    .until(() -> afterKills.jvm().logText().contains("reading the stream now"));
            await("the stream read").atMost(STEP).pollInterval(Duration.ofMillis(250))
                    .until(() -> scenario.dynamo.checkpoints(scenario.app).values().stream()
                            .anyMatch(c -> c != null && c.matches("\\d+")));
            Thread.sleep(random.nextInt(3_000));
            afterKills.kill();
            LocalRunnerSource last = scenario.startSource(0, KEYS);
            await("the last restart reading the stream").atMost(STEP).pollInterval(Duration.ofMillis(250))
                    .failFast("the LocalRunner exited:\n" + last.errors(), () -> !last.jvm().isAlive())
                    .until(() -> last.jvm().logText().contains("processing from checkpoint"));
            assertThat(last.jvm().logText()).as("no snapshot after completion").doesNotContain("Snapshot segment");
            Thread.sleep(5_000);
            workload.close();
            List<StreamAudit.ShardRecord> stream = scenario.awaitCaughtUp(STEP);
            Map<String, Map<String, AttributeValue>> table = SnapshotAudit.scan(scenario.dynamo, scenario.table);
            SnapshotAudit.Result result = scenario.audit(stream);
            // what one kill can make the snapshot publish again: the instance's window of items published and not
            // yet behind a stored cursor, twice receiveQueueSize (whatever the page size)
            int bound = 3 * 2 * RECEIVE_QUEUE_SIZE;
            String report = "| snapshot crash | " + ITEMS + " items, then " + workload.written() + " writes (put/"
                    + "update/delete) at 50/s during the test | 3 × SIGKILL during the snapshot (the restarts resumed "
                    + "with " + resumedWith + " items acknowledged), 1 × SIGKILL after the handoff | " + stream.size()
                    + " stream records, " + table.size() + " items at the end | "
                    + (result.wrong() + result.streamMissing()) + " | " + result.snapshotDuplicates()
                    + " snapshot reads, " + result.streamDuplicates()
                    + " stream records (" + result.streamBeforeT0() + " records from before T0 published again by "
                    + "the 2-minute margin) | " + bound + " snapshot reads | "
                    + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) + " s |";
            FaultReport.addRow(scenario.runtime.workDir().getParent().resolve("snapshot-fault-report.md"), report);
            System.out.println("SNAPSHOT FAULT REPORT " + result);

            assertThat(resumedWith).as("restarts resumed from stored progress").allSatisfy(n ->
                    assertThat(n).isPositive());
            assertThat(result.wrongSample()).isEmpty();
            assertThat(result.wrong()).isZero();
            assertThat(result.streamMissing()).isZero();
            assertThat(result.snapshotDuplicates()).isLessThanOrEqualTo(bound);
        } finally {
            workload.close();
        }
    }
}
