package org.apache.pulsar.io.dynamodb.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pulsar.io.dynamodb.publish.PublishListener;
import org.apache.pulsar.io.dynamodb.publish.Skip;
import org.apache.pulsar.io.dynamodb.metrics.SourceMetrics.Reading;
import org.junit.jupiter.api.Test;

/** Counting and lag bookkeeping, without a reporter. */
class SourceMetricsTest {

    private static final long T = 1_700_000_000_000L;

    private final AtomicLong retentionGaps = new AtomicLong();
    private final SourceMetrics metrics = new SourceMetrics(retentionGaps::get);

    @Test
    void lagIsTheAgeOfTheOldestRecordHeldUntilPulsarAcknowledgesIt() {
        ShardMetrics shard = metrics.shard("shard-a");
        shard.polled(3);
        shard.held(T);
        shard.held(T + 1_000);
        shard.held(T + 1_000);

        assertThat(shard.lagMillis(T + 5_000)).isEqualTo(5_000);
        assertThat(shard.lagMillis(T + 9_000)).as("grows while nothing is acknowledged").isEqualTo(9_000);
        shard.released(1);
        assertThat(shard.lagMillis(T + 9_000)).as("the next oldest").isEqualTo(8_000);
        assertThat(shard.heldCount()).isEqualTo(2);
    }

    @Test
    void aCaughtUpShardReadsZeroHoweverOldItsLastRecord() {
        ShardMetrics shard = metrics.shard("shard-a");
        assertThat(shard.lagMillis(T)).as("before the first poll").isZero();
        shard.polled(2);
        shard.held(T);
        shard.held(T + 2_000);
        shard.released(2);

        assertThat(shard.lagMillis(T + 3_000)).as("all acknowledged, but the last poll was full: the newest record's age")
                .isEqualTo(1_000);
        shard.polled(0);
        assertThat(shard.lagMillis(T + 3_000)).as("an empty poll: read to the end").isZero();
        assertThat(shard.lagMillis(T + 3_600_000)).as("idle for an hour").isZero();
        shard.polled(1);
        shard.held(T + 3_600_000);
        assertThat(shard.lagMillis(T + 3_601_500)).isEqualTo(1_500);
    }

    @Test
    void recordsSkippedOrFilteredMoveTheLagAsTheyLeave() {
        // AT_TIMESTAMP reading a day-old stream: every record leaves at once, yet the shard is a day behind
        ShardMetrics shard = metrics.shard("shard-a");
        shard.polled(1000);
        for (int i = 0; i < 1000; i++) {
            shard.held(T + i);
            shard.released(1);
        }
        assertThat(shard.heldCount()).isZero();
        assertThat(shard.lagMillis(T + 86_400_000)).isEqualTo(86_400_000 - 999);
    }

    @Test
    void releasingMoreThanHeldEmptiesTheShardWithoutFailing() {
        ShardMetrics shard = metrics.shard("shard-a");
        shard.held(T);
        shard.released(5);
        assertThat(shard.heldCount()).isZero();
        shard.held(T + 10);
        assertThat(shard.lagMillis(T + 20)).isEqualTo(10);
    }

    @Test
    void sourceWideGaugesSumAndMaximiseOverHeldShards() {
        ShardMetrics a = metrics.shard("shard-a");
        ShardMetrics b = metrics.shard("shard-b");
        a.held(T);
        b.held(T + 4_000);
        b.held(T + 4_000);

        Reading reading = metrics.read(T + 10_000);
        assertThat(reading.value(Metric.LAG_MS_MAX)).isEqualTo(10_000);
        assertThat(reading.value(Metric.RECORDS_PENDING)).isEqualTo(3);
        assertThat(reading.value(Metric.LEASES_HELD)).isEqualTo(2);
        assertThat(reading.shards()).extracting(SourceMetrics.ShardReading::lagMillis).containsExactly(10_000L, 6_000L);

        a.close();
        reading = metrics.read(T + 10_000);
        assertThat(reading.value(Metric.LAG_MS_MAX)).as("a lost lease no longer counts").isEqualTo(6_000);
        assertThat(reading.value(Metric.LEASES_HELD)).isEqualTo(1);
        b.close();
        b.close();
        reading = metrics.read(T + 10_000);
        assertThat(reading.value(Metric.LAG_MS_MAX)).isZero();
        assertThat(reading.value(Metric.LEASES_HELD)).isZero();
        assertThat(reading.shards()).isEmpty();
    }

    @Test
    void slotsAreReusedSoPerShardSeriesStayBoundedAsShardsComeAndGo() {
        ShardMetrics a = metrics.shard("shard-a");
        ShardMetrics b = metrics.shard("shard-b");
        assertThat(List.of(a.slot(), b.slot())).containsExactly(0, 1);
        a.close();
        ShardMetrics child = metrics.shard("shard-a-child");
        assertThat(child.slot()).as("the lowest free slot").isZero();
        for (int i = 0; i < 100; i++) {
            metrics.shard("shard-" + i).close();
        }
        assertThat(metrics.shard("shard-c").slot()).isEqualTo(2);
    }

    @Test
    void aShardTakenAgainReplacesItsOldEntryAndTheOldCloseLeavesTheNewOne() {
        ShardMetrics first = metrics.shard("shard-a");
        ShardMetrics again = metrics.shard("shard-a");
        first.close();
        again.held(T);
        Reading reading = metrics.read(T + 1);
        assertThat(reading.value(Metric.LEASES_HELD)).isEqualTo(1);
        assertThat(reading.shards()).singleElement().satisfies(shard -> {
            assertThat(shard.slot()).isEqualTo(again.slot());
            assertThat(shard.held()).isEqualTo(1);
        });
    }

    @Test
    void countersAddUpExactlyWhenManyThreadsCountAtOnce() throws Exception {
        int threads = 8;
        int each = 50_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    ShardMetrics shard = metrics.shard("shard-" + Thread.currentThread().getName());
                    for (int i = 0; i < each; i++) {
                        shard.published();
                        shard.acknowledged();
                        shard.polled(1);
                        shard.held(T + i);
                        shard.released(1);
                    }
                    metrics.checkpointWritten();
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
        Reading reading = metrics.read(T);
        assertThat(reading.value(Metric.RECORDS_PUBLISHED)).isEqualTo((long) threads * each);
        assertThat(reading.value(Metric.RECORDS_ACKNOWLEDGED)).isEqualTo((long) threads * each);
        assertThat(reading.value(Metric.RECORDS_READ)).isEqualTo((long) threads * each);
        assertThat(reading.value(Metric.CHECKPOINTS_WRITTEN)).isEqualTo(threads);
        assertThat(reading.value(Metric.RECORDS_PENDING)).isZero();
    }

    @Test
    void everyCounterHookCountsItsOwnMetric() {
        // a shard's and a snapshot segment's publishers count into the same source-wide counters
        for (PublishListener reader : List.of(metrics.shard("shard-a"), metrics.segment())) {
            reader.published();
            reader.acknowledged();
            reader.acknowledged();
            reader.failed();
            reader.failed();
            reader.failed();
            reader.resent();
            reader.passedOver(Skip.BEFORE_START);
            reader.passedOver(Skip.FILTERED);
            reader.passedOver(Skip.FILTERED);
        }
        metrics.checkpointWritten();
        metrics.checkpointFailed();
        metrics.checkpointFailed();
        metrics.snapshotItems(1_000);
        metrics.snapshotSegments(3, 16);
        retentionGaps.set(4);

        Reading reading = metrics.read(T);
        assertThat(reading.values()).containsEntry(Metric.RECORDS_PUBLISHED, 2L)
                .containsEntry(Metric.RECORDS_ACKNOWLEDGED, 4L)
                .containsEntry(Metric.RECORDS_FAILED, 6L)
                .containsEntry(Metric.RECORDS_RESENT, 2L)
                .containsEntry(Metric.RECORDS_SKIPPED, 2L)
                .containsEntry(Metric.RECORDS_FILTERED, 4L)
                .containsEntry(Metric.CHECKPOINTS_WRITTEN, 1L)
                .containsEntry(Metric.CHECKPOINTS_FAILED, 2L)
                .containsEntry(Metric.SNAPSHOT_ITEMS, 1_000L)
                .containsEntry(Metric.SNAPSHOT_SEGMENTS_DONE, 3L)
                .containsEntry(Metric.SNAPSHOT_SEGMENTS_TOTAL, 16L)
                .containsEntry(Metric.RETENTION_GAPS, 4L)
                .containsEntry(Metric.RECORDS_READ, 0L)
                .containsEntry(Metric.LEASES_HELD, 1L);
        assertThat(metrics.total(Metric.SNAPSHOT_ITEMS)).isEqualTo(1_000);
        assertThat(metrics.total(Metric.RETENTION_GAPS)).isEqualTo(4);
        assertThat(reading.values().keySet()).as("every metric but the per-shard one")
                .containsExactlyInAnyOrder(java.util.Arrays.stream(Metric.values())
                        .filter(m -> m != Metric.LAG_MS_SHARD).toArray(Metric[]::new));

        metrics.snapshotSegments(0, 0);
        assertThat(metrics.read(T).value(Metric.SNAPSHOT_SEGMENTS_TOTAL)).as("no snapshot running").isZero();
    }

    @Test
    void aSnapshotSegmentsHeldRecordsArePendingButNeitherLagNorLease() {
        PublishListener segment = metrics.segment();
        segment.held(T);
        segment.held(T);
        segment.held(T);
        segment.released(2);

        Reading reading = metrics.read(T + 600_000);
        assertThat(reading.value(Metric.RECORDS_PENDING)).isEqualTo(1);
        assertThat(reading.value(Metric.LAG_MS_MAX)).isZero();
        assertThat(reading.value(Metric.LEASES_HELD)).isZero();
        assertThat(reading.shards()).isEmpty();
    }
}
