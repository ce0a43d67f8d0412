package org.apache.pulsar.io.dynamodb.streamset;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.pulsar.io.dynamodb.discovery.TableState;
import org.apache.pulsar.io.dynamodb.streamset.StreamEvent.Kind;
import org.junit.jupiter.api.Test;
import software.amazon.kinesis.common.InitialPositionInStream;

/** Which streams a source reads, table by table, from DescribeTable and the lease table. */
class StreamPlannerTest {

    private static final String OLD_A = arn("ta", "2026-12-01T22:00:00.000");
    private static final String NEW_A = arn("ta", "2026-12-01T23:00:00.000");
    private static final String B = arn("tb", "2026-12-01T22:00:00.000");

    private final StreamPlanner planner = new StreamPlanner(InitialPositionInStream.LATEST, Function.identity());

    private static String arn(String table, String label) {
        return "arn:aws:dynamodb:us-east-1:000000000000:table/" + table + "/stream/" + label;
    }

    private static String id(String arn) {
        return StreamName.ofArn(arn).identifier();
    }

    private static TableState enabled(String table, String stream) {
        return new TableState(table, true, "arn:aws:dynamodb:us-east-1:000000000000:table/" + table, stream);
    }

    private static TableState disabled(String table) {
        return new TableState(table, true, "arn:aws:dynamodb:us-east-1:000000000000:table/" + table, null);
    }

    private static ActiveStream reading(String arn, InitialPositionInStream position) {
        return new ActiveStream(StreamName.ofArn(arn), position, 0);
    }

    private static List<String> arns(StreamPlanner.Plan plan) {
        return plan.streams().stream().map(s -> s.name().kclArn()).toList();
    }

    @Test
    void theStreamNameComesBackFromItsIdentifier() {
        StreamName name = StreamName.ofArn(OLD_A);

        assertThat(name.identifier()).isEqualTo("000000000000:us-east-1$000000000000$ta$2026-12-01T22_00_00.000:1");
        assertThat(StreamName.ofIdentifier(name.identifier())).isEqualTo(name);
        assertThat(name.table()).isEqualTo("ta");
        assertThat(name.kclArn()).isEqualTo(OLD_A);
    }

    @Test
    void aTableNewToTheSourceStartsAtTheConfiguredPosition() {
        StreamPlanner.Plan plan = planner.plan(Set.of("ta", "tb"),
                Map.of("ta", enabled("ta", OLD_A), "tb", enabled("tb", B)), Map.of(), List.of());

        assertThat(arns(plan)).containsExactly(OLD_A, B);
        assertThat(plan.streams()).allSatisfy(s -> assertThat(s.position()).isEqualTo(InitialPositionInStream.LATEST));
        assertThat(plan.events()).extracting(StreamEvent::kind).containsExactly(Kind.ADDED, Kind.ADDED);
    }

    @Test
    void aReEnabledStreamWaitsUntilTheOldOneIsReadToItsEndThenStartsFromItsFirstRecord() {
        List<ActiveStream> before = List.of(reading(OLD_A, InitialPositionInStream.LATEST));
        Map<String, TableState> reEnabled = Map.of("ta", enabled("ta", NEW_A));

        StreamPlanner.Plan draining = planner.plan(Set.of("ta"), reEnabled,
                Map.of(id(OLD_A), new StreamLeases(2, 1)), before);
        assertThat(arns(draining)).containsExactly(OLD_A);
        assertThat(draining.events()).isEmpty();

        StreamPlanner.Plan followed = planner.plan(Set.of("ta"), reEnabled,
                Map.of(id(OLD_A), new StreamLeases(2, 2)), draining.streams());
        assertThat(arns(followed)).containsExactly(NEW_A);
        assertThat(followed.streams().get(0).position()).isEqualTo(InitialPositionInStream.TRIM_HORIZON);
        assertThat(followed.events()).extracting(StreamEvent::kind).containsExactly(Kind.FINISHED, Kind.FOLLOWED);
        assertThat(followed.events().get(1).before().kclArn()).isEqualTo(OLD_A);

        // once its leases exist, the next pass changes nothing and reports nothing
        StreamPlanner.Plan steady = planner.plan(Set.of("ta"), reEnabled,
                Map.of(id(OLD_A), new StreamLeases(2, 2), id(NEW_A), new StreamLeases(1, 0)), followed.streams());
        assertThat(steady.streams()).isEqualTo(followed.streams());
        assertThat(steady.events()).isEmpty();
    }

    @Test
    void aDisabledStreamIsReadToItsEndAndTheTableReportedWithoutStream() {
        List<ActiveStream> before = List.of(reading(OLD_A, InitialPositionInStream.LATEST));

        StreamPlanner.Plan plan = planner.plan(Set.of("ta"), Map.of("ta", disabled("ta")),
                Map.of(id(OLD_A), new StreamLeases(1, 1)), before);

        assertThat(plan.streams()).isEmpty();
        assertThat(plan.events()).extracting(StreamEvent::kind).containsExactly(Kind.FINISHED, Kind.NO_STREAM);
    }

    @Test
    void aDeletedTableFinishesWhileTheOthersGoOn() {
        List<ActiveStream> before = List.of(reading(OLD_A, InitialPositionInStream.LATEST),
                reading(B, InitialPositionInStream.LATEST));
        Map<String, TableState> states = Map.of("ta", TableState.missing("ta"), "tb", enabled("tb", B));

        StreamPlanner.Plan reading = planner.plan(Set.of("tb"), states,
                Map.of(id(OLD_A), new StreamLeases(1, 0), id(B), new StreamLeases(1, 0)), before);
        assertThat(arns(reading)).containsExactly(OLD_A, B);

        StreamPlanner.Plan finished = planner.plan(Set.of("tb"), states,
                Map.of(id(OLD_A), new StreamLeases(1, 1), id(B), new StreamLeases(1, 0)), reading.streams());
        assertThat(arns(finished)).containsExactly(B);
        assertThat(finished.events()).extracting(StreamEvent::kind).containsExactly(Kind.FINISHED);
    }

    @Test
    void aStreamWhoseLeasesVanishedIsDroppedAfterTwoPasses() {
        List<ActiveStream> before = List.of(reading(OLD_A, InitialPositionInStream.LATEST));
        Map<String, TableState> states = Map.of("ta", disabled("ta"));

        StreamPlanner.Plan once = planner.plan(Set.of("ta"), states, Map.of(), before);
        assertThat(arns(once)).containsExactly(OLD_A);
        StreamPlanner.Plan twice = planner.plan(Set.of("ta"), states, Map.of(), once.streams());
        assertThat(twice.streams()).isEmpty();
        assertThat(twice.events()).extracting(StreamEvent::kind).containsExactly(Kind.VANISHED, Kind.NO_STREAM);
    }

    @Test
    void afterARestartTheLeasesSayWhatIsStillToRead() {
        // the old stream has a shard not at its end: it is read first, even though the table has a new stream
        StreamPlanner.Plan plan = planner.plan(Set.of("ta"), Map.of("ta", enabled("ta", NEW_A)),
                Map.of(id(OLD_A), new StreamLeases(1, 0)), List.of());
        assertThat(arns(plan)).containsExactly(OLD_A);
        assertThat(plan.streams().get(0).position()).isEqualTo(InitialPositionInStream.TRIM_HORIZON);

        // a stream with leases is resumed, not announced as following
        StreamPlanner.Plan resumed = planner.plan(Set.of("ta"), Map.of("ta", enabled("ta", NEW_A)),
                Map.of(id(OLD_A), new StreamLeases(1, 1), id(NEW_A), new StreamLeases(1, 0)), List.of());
        assertThat(arns(resumed)).containsExactly(NEW_A);
        assertThat(resumed.events()).extracting(StreamEvent::kind).containsExactly(Kind.ADDED);
    }

    @Test
    void aTableNotDescribedThisPassIsLeftAsItWasAndAMissingTableIsReported() {
        List<ActiveStream> before = List.of(reading(OLD_A, InitialPositionInStream.LATEST));

        StreamPlanner.Plan plan = planner.plan(Set.of("ta", "tz"), Map.of("tz", TableState.missing("tz")),
                Map.of(), before);

        assertThat(plan.streams()).isEqualTo(before);
        assertThat(plan.events()).extracting(StreamEvent::kind).containsExactly(Kind.MISSING_TABLE);
    }

    @Test
    void aTableThatStopsMatchingIsDroppedLikeADeletedOneAndItsLeasesAreForDeletion() {
        List<ActiveStream> before = List.of(reading(OLD_A, InitialPositionInStream.LATEST),
                reading(B, InitialPositionInStream.LATEST));
        Map<String, TableState> states = Map.of("ta", enabled("ta", OLD_A), "tb", enabled("tb", B));
        Map<String, StreamLeases> leases = Map.of(id(OLD_A), new StreamLeases(1, 0), id(B), new StreamLeases(1, 0));

        // ta exists, its stream open, but discovery no longer selects it
        StreamPlanner.Plan dropped = planner.plan(Set.of("tb"), states, leases, before);
        assertThat(arns(dropped)).containsExactly(B);
        assertThat(dropped.events()).extracting(StreamEvent::kind, StreamEvent::table)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Kind.DESELECTED, "ta"));
        assertThat(dropped.dropped()).extracting(StreamName::kclArn).containsExactly(OLD_A);

        // the next pass, its leases still there: still not read, reported no more, its leases still to delete
        StreamPlanner.Plan next = planner.plan(Set.of("tb"), states, leases, dropped.streams());
        assertThat(arns(next)).containsExactly(B);
        assertThat(next.events()).isEmpty();
        assertThat(next.dropped()).extracting(StreamName::kclArn).containsExactly(OLD_A);

        // matching again before they went: read again from its leases, nothing to delete
        StreamPlanner.Plan again = planner.plan(Set.of("ta", "tb"), states, leases, next.streams());
        assertThat(arns(again)).containsExactly(OLD_A, B);
        assertThat(again.dropped()).isEmpty();
    }

    @Test
    void aStreamWhoseViewTypeTheFormatCannotUseIsSkippedAndReportedWhileTheOthersAreRead() {
        StreamPlanner newImagesOnly = new StreamPlanner(InitialPositionInStream.LATEST, Function.identity(),
                viewType -> viewType.startsWith("NEW"));
        String table = "arn:aws:dynamodb:us-east-1:000000000000:table/";
        Map<String, TableState> states = Map.of("ta", new TableState("ta", true, table + "ta", OLD_A, "KEYS_ONLY"),
                "tb", new TableState("tb", true, table + "tb", B, "NEW_AND_OLD_IMAGES"));

        StreamPlanner.Plan plan = newImagesOnly.plan(Set.of("ta", "tb"), states, Map.of(), List.of());

        assertThat(arns(plan)).containsExactly(B);
        assertThat(plan.events()).extracting(StreamEvent::kind, StreamEvent::table).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Kind.UNUSABLE_VIEW_TYPE, "ta"),
                org.assertj.core.groups.Tuple.tuple(Kind.ADDED, "tb"));
    }

    @Test
    void streamsReadToTheirEndBeforeARestartAreListedSoTheirLeasesGo() {
        // a restarted instance has read nothing yet; the lease table remembers ta's old stream, finished
        StreamPlanner.Plan plan = planner.plan(Set.of("ta", "tb"),
                Map.of("ta", enabled("ta", NEW_A), "tb", enabled("tb", B)),
                Map.of(id(OLD_A), new StreamLeases(2, 2), id(NEW_A), new StreamLeases(1, 0),
                        id(B), new StreamLeases(1, 1)),
                List.of());

        assertThat(arns(plan)).containsExactly(NEW_A, B);
        // tb's current stream is still read (its one shard ended, a new one may follow): not for deletion
        assertThat(plan.ended()).extracting(StreamName::kclArn).containsExactly(OLD_A);
    }

    @Test
    void aTableWaitingForItsSnapshotIsNotReadAndOnceSnapshottedStartsFromItsFirstRecord() {
        Map<String, TableState> states = Map.of("ta", enabled("ta", OLD_A), "tb", enabled("tb", B));

        StreamPlanner.Plan held = planner.plan(Set.of("ta", "tb"), states, Map.of(), List.of(),
                Map.of("ta", TableAdmission.HELD, "tb", TableAdmission.OPEN));
        assertThat(arns(held)).as("the other table streams meanwhile").containsExactly(B);
        assertThat(held.streams().get(0).position()).isEqualTo(InitialPositionInStream.LATEST);
        assertThat(held.events()).extracting(StreamEvent::table).containsExactly("tb");

        StreamPlanner.Plan admitted = planner.plan(Set.of("ta", "tb"), states, Map.of(), held.streams(),
                Map.of("ta", TableAdmission.afterSnapshot(java.time.Instant.parse("2026-12-01T21:58:00Z")),
                        "tb", TableAdmission.OPEN));
        assertThat(arns(admitted)).containsExactly(OLD_A, B);
        assertThat(admitted.streams().get(0).position()).as("whatever initialPositionInStream says")
                .isEqualTo(InitialPositionInStream.TRIM_HORIZON);
        assertThat(admitted.events()).extracting(StreamEvent::kind, StreamEvent::table)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Kind.ADDED, "ta"));
    }

    @Test
    void aTableHeldAgainForItsNextSnapshotIsNoLongerReadAndItsLeasesAreForDeletionThenItStartsOver() {
        java.time.Instant gen1 = java.time.Instant.parse("2026-12-01T21:58:00Z");
        Map<String, TableState> states = Map.of("ta", enabled("ta", NEW_A), "tb", enabled("tb", B));
        // ta read after its first snapshot; it still has an older stream being drained, and leases on both
        List<ActiveStream> before = List.of(reading(OLD_A, InitialPositionInStream.TRIM_HORIZON),
                reading(B, InitialPositionInStream.LATEST));
        Map<String, StreamLeases> leases = Map.of(id(OLD_A), new StreamLeases(2, 1), id(NEW_A),
                new StreamLeases(1, 0), id(B), new StreamLeases(1, 0));

        StreamPlanner.Plan held = planner.plan(Set.of("ta", "tb"), states, leases, before,
                Map.of("ta", TableAdmission.HELD, "tb", TableAdmission.OPEN));

        assertThat(arns(held)).as("none of ta's streams, tb on").containsExactly(B);
        assertThat(held.held()).extracting(StreamName::kclArn).containsExactly(OLD_A, NEW_A);
        assertThat(held.dropped()).isEmpty();
        assertThat(held.events()).extracting(StreamEvent::kind, StreamEvent::table)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Kind.HELD, "ta"));

        // its leases deleted, its snapshot complete: the current stream from its first record
        StreamPlanner.Plan admitted = planner.plan(Set.of("ta", "tb"), states, Map.of(id(B), new StreamLeases(1, 0)),
                held.streams(), Map.of("ta", TableAdmission.afterSnapshot(gen1.plusSeconds(3600)),
                        "tb", TableAdmission.OPEN));
        assertThat(arns(admitted)).containsExactly(NEW_A, B);
        assertThat(admitted.streams().get(0).position()).isEqualTo(InitialPositionInStream.TRIM_HORIZON);
        assertThat(admitted.held()).isEmpty();
    }
}
