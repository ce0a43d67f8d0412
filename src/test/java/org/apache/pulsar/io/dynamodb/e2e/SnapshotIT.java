package org.apache.pulsar.io.dynamodb.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * Snapshot, then stream, end to end: the NAR in two LocalRunners (instances 0 and 1 of one source, child JVMs), the
 * shared Pulsar standalone, DynamoDB Local. A table of 100,000 items; inserts, updates and deletes go on throughout;
 * the two instances share the snapshot's segments; instance 1 is killed (SIGKILL) in the middle of its segments and
 * instance 0 takes them over and finishes; after the handoff the topic, read to its end and compacted, equals a
 * final Scan of the table, item for item, and holds every stream record the snapshot does not cover.
 */
@Timeout(value = 12, unit = TimeUnit.MINUTES)
class SnapshotIT {

    private static final int ITEMS = 100_000;
    private static final Pattern READING = Pattern.compile("Snapshot segment (\\d+)/8: reading from");
    private static final Duration STEP = Duration.ofMinutes(4);
    // slow enough (about a minute for the table) to kill an instance in the middle of its segments
    private static final Map<String, Object> KEYS = Map.of("snapshotSegments", 8,
            "snapshotReadCapacityPerSecond", 30);

    private static SnapshotScenario scenario;

    @BeforeAll
    static void start() throws Exception {
        scenario = SnapshotScenario.start("SnapshotIT", "mirror", "snapshot-mirror");
    }

    @AfterAll
    static void stop() throws Exception {
        if (scenario != null) {
            scenario.close();
        }
    }

    private static List<Integer> segmentsRead(LocalRunnerSource source) {
        Matcher matcher = READING.matcher(source.jvm().logText());
        List<Integer> segments = new ArrayList<>();
        while (matcher.find()) {
            segments.add(Integer.parseInt(matcher.group(1)));
        }
        return segments;
    }

    @Test
    void twoInstancesShareTheSnapshotTheSurvivorFinishesAndTheTopicEndsEqualToTheTable() throws Exception {
        long started = System.nanoTime();
        TableLoad.put(scenario.dynamo.client(), scenario.table, 0, ITEMS, 4, SnapshotScenario::item);
        long loaded = System.nanoTime();
        ChangeWorkload workload = new ChangeWorkload(scenario.dynamo.client(), scenario.table, ITEMS,
                Integer.MAX_VALUE, 100, 11L).start();
        try {
            // instance 1 first: it knows of two instances and claims its share (the odd segments) ...
            LocalRunnerSource one = scenario.startSource(1, KEYS);
            await("instance 1 reading its share").atMost(STEP).pollInterval(Duration.ofMillis(500))
                    .failFast("instance 1 exited:\n" + one.errors(), () -> !one.jvm().isAlive())
                    .until(() -> segmentsRead(one).size() == 4);
            assertThat(segmentsRead(one)).containsExactlyInAnyOrder(1, 3, 5, 7);
            // ... then instance 0 claims what nobody holds: the even ones
            LocalRunnerSource zero = scenario.startSource(0, KEYS);
            await("instance 0 reading the rest").atMost(STEP).pollInterval(Duration.ofMillis(500))
                    .failFast("instance 0 exited:\n" + zero.errors(), () -> !zero.jvm().isAlive())
                    .until(() -> segmentsRead(zero).size() == 4);
            assertThat(segmentsRead(zero)).containsExactlyInAnyOrder(0, 2, 4, 6);

            await("instance 1 storing progress").atMost(STEP).pollInterval(Duration.ofMillis(500))
                    .until(() -> scenario.storedItems(owner -> owner.contains("/1@")).values().stream()
                            .filter(n -> n > 0).count() == 4);
            Map<Integer, Long> atKill = scenario.storedItems(owner -> owner.contains("/1@"));
            one.kill();
            long killed = System.nanoTime();
            assertThat(atKill.values()).allSatisfy(n -> assertThat(n).isBetween(1L, (long) ITEMS / 4));

            await("instance 0 taking the killed instance's segments over").atMost(STEP)
                    .pollInterval(Duration.ofSeconds(1))
                    .failFast("instance 0 exited:\n" + zero.errors(), () -> !zero.jvm().isAlive())
                    .until(() -> zero.jvm().logText().split("taken over from", -1).length - 1 == 4);
            long takenOver = System.nanoTime();
            await("the snapshot completing").atMost(STEP).pollInterval(Duration.ofSeconds(1))
                    .failFast("instance 0 exited:\n" + zero.errors(), () -> !zero.jvm().isAlive())
                    .until(() -> zero.jvm().logText().contains("reading the stream now"));
            long completed = System.nanoTime();
            await("the stream read").atMost(STEP).pollInterval(Duration.ofSeconds(1))
                    .until(() -> zero.jvm().logText().contains("processing from checkpoint"));
            Thread.sleep(5_000);  // changes go on for a while after the handoff
            workload.close();
            List<StreamAudit.ShardRecord> stream = scenario.awaitCaughtUp(STEP);
            long caughtUp = System.nanoTime();

            Map<String, Map<String, AttributeValue>> table = SnapshotAudit.scan(scenario.dynamo, scenario.table);
            SnapshotAudit.Result result = scenario.audit(stream);
            System.out.printf("SNAPSHOT REPORT two instances: %d items loaded in %d s; %d changes written during the "
                    + "test; instance 1 killed %d s after its start with %s items stored; segments taken over %d s "
                    + "later; snapshot completed %d s after the kill; topic caught up %d s after; %s%n", ITEMS,
                    seconds(loaded - started), workload.written(), seconds(killed - loaded), atKill,
                    seconds(takenOver - killed), seconds(completed - killed), seconds(caughtUp - completed), result);

            assertThat(result.wrongSample()).isEmpty();
            assertThat(result.wrong()).isZero();
            assertThat(result.streamMissing()).as("stream records after T0 minus the margin missing").isZero();
            assertThat(result.snapshotReads()).isGreaterThanOrEqualTo(ITEMS - workload.written());
            // what the kill left unstored: at most instance 1's window of 2 x receiveQueueSize; far less, since its
            // read budget (15 units/s) keeps its few items in flight and their cursors are stored item by item
            assertThat(result.snapshotDuplicates()).isLessThanOrEqualTo(1000);

            Map<String, JsonNode> compacted = TopicCompaction.compactAndRead(scenario.pulsar, scenario.client,
                    scenario.name, STEP);
            assertThat(compacted).hasSize(table.size());
            for (Map.Entry<String, Map<String, AttributeValue>> item : table.entrySet()) {
                assertThat(DocumentedFormats.plainItemDifference(item.getKey(), item.getValue(),
                        compacted.get(item.getKey()))).isNull();
            }
        } finally {
            workload.close();
        }
    }

    private static long seconds(long nanos) {
        return TimeUnit.NANOSECONDS.toSeconds(nanos);
    }
}
