package org.apache.pulsar.io.dynamodb.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pulsar.io.dynamodb.streamset.StreamName;
import org.apache.pulsar.io.dynamodb.testing.DynamoDbLocal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.kinesis.common.DdbTableConfig;
import software.amazon.kinesis.leases.Lease;
import software.amazon.kinesis.leases.dynamodb.DynamoDBLeaseRefresher;
import software.amazon.kinesis.leases.dynamodb.DynamoDBLeaseSerializer;
import software.amazon.kinesis.leases.dynamodb.TableCreatorCallback;
import software.amazon.kinesis.retrieval.kpl.ExtendedSequenceNumber;

/**
 * The snapshot's shared state in DynamoDB Local, as several instances see it: claims, takeovers, progress by the
 * claim holder only, one completer; and what the snapshot does to KCL's lease table (the fence, the reset, and KCL's
 * own refusal to checkpoint a lease that was reset).
 */
class SnapshotStateIT {

    private static DynamoDbLocal dynamo;
    private static DynamoDbAsyncClient client;
    private static final AtomicInteger TABLES = new AtomicInteger();

    /** A clock the test sets: epoch millis. */
    private static final class TestClock extends Clock {
        long millis = Instant.parse("2026-12-01T00:00:00Z").toEpochMilli();

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }

    private final TestClock clock = new TestClock();

    @BeforeAll
    static void start() throws Exception {
        dynamo = DynamoDbLocal.start();
        client = dynamo.newAsyncClient();
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (dynamo != null) {
            dynamo.close();
        }
    }

    private SnapshotTable newTable() throws InterruptedException {
        SnapshotTable table = new SnapshotTable(client, "app" + TABLES.incrementAndGet() + "-Snapshot", clock);
        table.createIfMissing(Duration.ofSeconds(30));
        return table;
    }

    @Test
    void onlyOneInstanceBeginsAGenerationAndEveryOneGetsIt() throws Exception {
        SnapshotTable table = newTable();
        assertThat(table.read()).isEmpty();

        SnapshotState first = table.begin(Optional.empty(), clock.instant(), 8, 1234);
        clock.millis += 5_000;
        SnapshotState late = table.begin(Optional.empty(), clock.instant(), 4, 99);

        assertThat(late).isEqualTo(first);
        assertThat(first.generation()).isEqualTo(1);
        assertThat(first.segments()).isEqualTo(8);
        assertThat(first.status()).isEqualTo(SnapshotState.Status.RUNNING);
        assertThat(first.itemCountEstimate()).isEqualTo(1234);
        SnapshotState second = table.begin(Optional.of(first), clock.instant(), 4, 99);
        assertThat(second.generation()).isEqualTo(2);
        assertThat(second.t0()).isEqualTo(clock.instant());
        assertThat(table.begin(Optional.of(first), clock.instant(), 4, 99))
                .as("a second instance reporting the same gap begins nothing more").isEqualTo(second);
    }

    @Test
    void aSegmentIsHeldByOneClaimUntilItsLeaseExpiresOrItsOwnerComesBack() throws Exception {
        SnapshotTable table = newTable();
        SnapshotState generation = table.begin(Optional.empty(), clock.instant(), 2, 0);

        SegmentRow claimed = table.claim(generation, 0, "worker-a", "claim-1").orElseThrow();
        assertThat(claimed).isEqualTo(new SegmentRow(0, "worker-a", "claim-1", clock.millis() + 30_000, null, false, 0));
        assertThat(table.claim(generation, 0, "worker-b", "claim-2")).as("held by a").isEmpty();

        assertThat(table.saveProgress(generation, 0, "claim-1", "{\"id\":{\"S\":\"k9\"}}", 250)).isTrue();
        clock.millis += 29_000;
        assertThat(table.claim(generation, 0, "worker-b", "claim-2")).as("progress extended a's lease").isEmpty();

        // a restarted instance (same worker id) takes its own segment back at once, with a new claim
        SegmentRow back = table.claim(generation, 0, "worker-a", "claim-3").orElseThrow();
        assertThat(back.cursor()).isEqualTo("{\"id\":{\"S\":\"k9\"}}");
        assertThat(back.items()).isEqualTo(250);
        assertThat(table.saveProgress(generation, 0, "claim-1", "{\"id\":{\"S\":\"k10\"}}", 500))
                .as("the instance before the restart can no longer write").isFalse();
        assertThat(table.renew(generation, 0, "claim-1")).isFalse();

        clock.millis += 31_000;
        SegmentRow taken = table.claim(generation, 0, "worker-b", "claim-4").orElseThrow();
        assertThat(taken.owner()).isEqualTo("worker-b");
        assertThat(taken.cursor()).as("resumes where a's acknowledged pages end").isEqualTo("{\"id\":{\"S\":\"k9\"}}");
        assertThat(table.renew(generation, 0, "claim-3")).isFalse();

        assertThat(table.saveProgress(generation, 0, "claim-4", ScanCursor.END, 700)).isTrue();
        assertThat(table.claim(generation, 0, "worker-b", "claim-5")).as("done").isEmpty();
        clock.millis += 60_000;
        assertThat(table.claim(generation, 0, "worker-c", "claim-6")).as("done, even once expired").isEmpty();
        Map<Integer, SegmentRow> rows = table.segments(generation);
        assertThat(rows).containsOnlyKeys(0);
        assertThat(rows.get(0).done()).isTrue();
        assertThat(rows.get(0).items()).isEqualTo(700);
    }

    @Test
    void oneInstanceCompletesAGenerationAndAnotherMayOnlyOnceItsClaimExpires() throws Exception {
        SnapshotTable table = newTable();
        SnapshotState generation = table.begin(Optional.empty(), clock.instant(), 1, 0);

        assertThat(table.claimCompletion(generation, "worker-a")).isTrue();
        assertThat(table.claimCompletion(generation, "worker-b")).isFalse();
        assertThat(table.complete(generation, "worker-b", 10)).isFalse();
        clock.millis += 31_000;
        assertThat(table.claimCompletion(generation, "worker-b")).as("a died while completing").isTrue();
        assertThat(table.complete(generation, "worker-a", 10)).isFalse();
        assertThat(table.complete(generation, "worker-b", 10)).isTrue();

        SnapshotState complete = table.read().orElseThrow();
        assertThat(complete.complete()).isTrue();
        assertThat(complete.items()).isEqualTo(10);
        assertThat(complete.completedAt()).isEqualTo(clock.instant());
        assertThat(table.claimCompletion(generation, "worker-c")).isFalse();
    }

    @Test
    void theTablesOfASourceOfSeveralKeepTheirOwnRowsInOneStateTable() throws Exception {
        SnapshotTable state = newTable();
        SnapshotTable ta = state.forTable("ta");
        SnapshotTable tb = state.forTable("tb");
        SnapshotState single = state.begin(Optional.empty(), clock.instant(), 2, 1);
        clock.millis += 1_000;
        SnapshotState a = ta.begin(Optional.empty(), clock.instant(), 2, 10);
        clock.millis += 1_000;
        SnapshotState b = tb.begin(Optional.empty(), clock.instant(), 4, 20);

        assertThat(List.of(single.t0(), a.t0(), b.t0())).doesNotHaveDuplicates();
        assertThat(ta.read()).contains(a);
        assertThat(tb.read()).contains(b);
        assertThat(state.read()).contains(single);
        assertThat(ta.claim(a, 0, "worker-a", "claim-a")).isPresent();
        assertThat(tb.claim(b, 0, "worker-b", "claim-b")).as("the same segment of another table").isPresent();
        assertThat(ta.saveProgress(a, 0, "claim-a", ScanCursor.END, 7)).isTrue();
        assertThat(ta.segments(a)).containsOnlyKeys(0).allSatisfy((i, row) -> assertThat(row.done()).isTrue());
        assertThat(tb.segments(b).get(0).done()).isFalse();
        assertThat(state.segments(single)).isEmpty();

        assertThat(ta.claimCompletion(a, "worker-a")).isTrue();
        assertThat(ta.complete(a, "worker-a", 7)).isTrue();
        assertThat(ta.read().orElseThrow().complete()).isTrue();
        assertThat(tb.read().orElseThrow().complete()).isFalse();
        assertThat(state.read().orElseThrow().complete()).isFalse();
    }

    // ---- KCL's lease table ---------------------------------------------------------------------------------

    private static DynamoDBLeaseRefresher leaseRefresher(String table) throws Exception {
        DynamoDBLeaseRefresher refresher = new DynamoDBLeaseRefresher(table, client, new DynamoDBLeaseSerializer(),
                true, TableCreatorCallback.NOOP_TABLE_CREATOR_CALLBACK, Duration.ofSeconds(10), new DdbTableConfig(),
                false, false, java.util.List.of());
        refresher.createLeaseTableIfNotExists();
        refresher.waitUntilLeaseTableExists(1, 30);
        return refresher;
    }

    private static Lease lease(String key, ExtendedSequenceNumber checkpoint) {
        Lease lease = new Lease();
        lease.leaseKey(key);
        lease.checkpoint(checkpoint);
        lease.ownerSwitchesSinceCheckpoint(0L);
        return lease;
    }

    @Test
    void aWorkerStillHoldingAResetLeaseCannotCheckpointIt() throws Exception {
        String app = "kcl-reset-" + TABLES.incrementAndGet();
        DynamoDBLeaseRefresher kcl = leaseRefresher(app);
        Lease held = lease("shardId-1", new ExtendedSequenceNumber("100"));
        assertThat(kcl.createLeaseIfNotExists(held)).isTrue();
        assertThat(kcl.takeLease(held, "worker-a")).isTrue();

        assertThat(new KclLeases(client, app).deleteAll()).isEqualTo(1);
        held.checkpoint(new ExtendedSequenceNumber("200"));
        assertThat(kcl.updateLease(held)).as("checkpoint of a deleted lease").isFalse();
        assertThat(kcl.getLease("shardId-1")).isNull();

        // the start-up preparation (or KCL's shard sync) creates the lease again at TRIM_HORIZON
        assertThat(kcl.createLeaseIfNotExists(lease("shardId-1", ExtendedSequenceNumber.TRIM_HORIZON))).isTrue();
        held.checkpoint(new ExtendedSequenceNumber("300"));
        assertThat(kcl.updateLease(held)).as("checkpoint of the lease created again").isFalse();
        assertThat(kcl.renewLease(held)).isFalse();
        assertThat(kcl.getLease("shardId-1").checkpoint()).isEqualTo(ExtendedSequenceNumber.TRIM_HORIZON);
    }

    @Test
    void theFenceWaitsWhileAWorkerRenewsAndPassesAtOnceWithoutOne() throws Exception {
        String app = "kcl-fence-" + TABLES.incrementAndGet();
        KclLeases leases = new KclLeases(client, app);
        long started = System.nanoTime();
        leases.awaitNoWorkerRenewing(Duration.ofSeconds(5), () -> { });
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("no lease table").isLessThan(Duration.ofSeconds(2));

        DynamoDBLeaseRefresher kcl = leaseRefresher(app);
        Lease held = lease("shardId-1", new ExtendedSequenceNumber("100"));
        kcl.createLeaseIfNotExists(held);
        kcl.takeLease(held, "worker-a");
        AtomicInteger stillWaiting = new AtomicInteger();
        Thread renewer = new Thread(() -> {
            try {
                while (stillWaiting.get() < 2) {
                    kcl.renewLease(held);
                    Thread.sleep(300);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        renewer.start();
        leases.awaitNoWorkerRenewing(Duration.ofSeconds(1), stillWaiting::incrementAndGet);
        renewer.join();

        assertThat(stillWaiting.get()).as("rounds in which the lease was renewed").isGreaterThanOrEqualTo(2);
        assertThat(dynamo.client().getItem(b -> b.tableName(app).key(Map.of("leaseKey",
                AttributeValue.fromS("shardId-1")))).item()).containsKey("leaseOwner");
    }

    @Test
    void aTablesSnapshotFencesAndResetsOnlyTheLeasesOfThatTablesStreams() throws Exception {
        String app = "kcl-tables-" + TABLES.incrementAndGet();
        leaseRefresher(app);
        String ta = StreamName.ofArn("arn:aws:dynamodb:us-east-1:000000000000:table/ta/stream/2026-12-01T22:00:00.000")
                .identifier();
        String tb = StreamName.ofArn("arn:aws:dynamodb:us-east-1:000000000000:table/tb/stream/2026-12-01T22:00:00.000")
                .identifier();
        for (String stream : List.of(ta, tb)) {
            dynamo.client().putItem(b -> b.tableName(app).item(Map.of("leaseKey",
                    AttributeValue.fromS(stream + ":shardId-1"), "streamName", AttributeValue.fromS(stream),
                    "leaseOwner", AttributeValue.fromS("worker-a"), "leaseCounter", AttributeValue.fromN("1"))));
        }

        KclLeases.ofTable(client, app, "tc").awaitNoWorkerRenewing(Duration.ofSeconds(30), () -> { });
        assertThat(KclLeases.ofTable(client, app, "ta").deleteAll()).isEqualTo(1);

        assertThat(dynamo.client().scan(b -> b.tableName(app)).items())
                .extracting(row -> row.get("streamName").s()).containsExactly(tb);
    }
}
