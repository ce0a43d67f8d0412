package org.apache.pulsar.io.dynamodb.metrics;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.apache.pulsar.io.dynamodb.publish.PublishListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one source instance counts and measures. Updated from any thread (KCL's shard threads, Pulsar's
 * acknowledgement threads, a snapshot's workers) without locks on the counting paths; read by the one reporter
 * ({@link MetricsReporter}). Kept whether or not anything reports it. Each reader's publisher counts its records
 * through the reader's listener: {@link #shard} for a shard, {@link #segment} for a snapshot segment.
 */
public final class SourceMetrics {

    private static final Logger log = LoggerFactory.getLogger(SourceMetrics.class);

    private final Map<Metric, LongAdder> counters = new EnumMap<>(Metric.class);
    private final ConcurrentMap<String, ShardMetrics> shards = new ConcurrentHashMap<>();
    private final BitSet slots = new BitSet(); // guarded by itself
    private final LongAdder snapshotHeld = new LongAdder();
    // done and total, set together
    private volatile long[] snapshotSegments = {0, 0};
    private final LongSupplier retentionGaps;

    /** @param retentionGaps the retention gaps met since the source opened, counted by the stream's gap handler */
    public SourceMetrics(LongSupplier retentionGaps) {
        this.retentionGaps = retentionGaps;
        for (Metric metric : Metric.values()) {
            if (metric.kind() == Metric.Kind.COUNTER && metric != Metric.RETENTION_GAPS) {
                counters.put(metric, new LongAdder());
            }
        }
    }

    /**
     * Starts measuring a shard whose lease this instance now holds (until {@link ShardMetrics#close}). It takes the
     * lowest free slot, so per-shard series are bounded by the shards held at once, not by the shards over time
     * (DynamoDB replaces a table's shards every few hours).
     */
    public ShardMetrics shard(String shardId) {
        int slot;
        synchronized (slots) {
            slot = slots.nextClearBit(0);
            slots.set(slot);
        }
        ShardMetrics shard = new ShardMetrics(this, shardId, slot);
        ShardMetrics previous = shards.put(shardId, shard);
        if (previous != null) {
            previous.close();
        }
        log.info("Shard {}: its lag is reported as {}", shardId, Metric.LAG_MS_SHARD.forSlot(slot));
        return shard;
    }

    void remove(ShardMetrics shard) {
        shards.remove(shard.shardId(), shard);
        synchronized (slots) {
            slots.clear(shard.slot());
        }
    }

    /** The listener of one snapshot segment reader's publisher: its records counted, and held as pending. */
    public PublishListener segment() {
        return new SegmentMetrics(this);
    }

    void snapshotHeld(long entries) {
        snapshotHeld.add(entries);
    }

    /** A checkpoint stored: a shard's in KCL's lease table, a snapshot segment's cursor in the snapshot table. */
    public void checkpointWritten() {
        add(Metric.CHECKPOINTS_WRITTEN, 1);
    }

    /** A checkpoint that could not be stored (after its retries, for a shard's). */
    public void checkpointFailed() {
        add(Metric.CHECKPOINTS_FAILED, 1);
    }

    /** The running snapshot's segments: done (by any instance) and in all; both 0 once none runs. */
    public void snapshotSegments(int done, int total) {
        snapshotSegments = new long[] {done, total};
    }

    /** Table items this instance's snapshot readers read and handed on (published or filtered). */
    public void snapshotItems(long items) {
        add(Metric.SNAPSHOT_ITEMS, items);
    }

    /** A counter's total so far. */
    public long total(Metric counter) {
        return counter == Metric.RETENTION_GAPS ? retentionGaps.getAsLong() : counters.get(counter).sum();
    }

    void add(Metric counter, long amount) {
        if (amount != 0) {
            counters.get(counter).add(amount);
        }
    }

    /** Every metric now: counters' totals since the instance started, gauges' current values, and each shard. */
    public Reading read(long nowMillis) {
        Map<Metric, Long> values = new EnumMap<>(Metric.class);
        counters.forEach((metric, adder) -> values.put(metric, adder.sum()));
        values.put(Metric.RETENTION_GAPS, retentionGaps.getAsLong());
        List<ShardReading> held = new ArrayList<>();
        long lagMax = 0;
        long pending = 0;
        for (ShardMetrics shard : shards.values()) {
            long lag = shard.lagMillis(nowMillis);
            long shardHeld = shard.heldCount();
            held.add(new ShardReading(shard.shardId(), shard.slot(), lag, shardHeld));
            lagMax = Math.max(lagMax, lag);
            pending += shardHeld;
        }
        held.sort(Comparator.comparingInt(ShardReading::slot));
        values.put(Metric.LAG_MS_MAX, lagMax);
        values.put(Metric.RECORDS_PENDING, pending + snapshotHeld.sum());
        values.put(Metric.LEASES_HELD, (long) held.size());
        long[] segments = snapshotSegments;
        values.put(Metric.SNAPSHOT_SEGMENTS_DONE, segments[0]);
        values.put(Metric.SNAPSHOT_SEGMENTS_TOTAL, segments[1]);
        return new Reading(values, List.copyOf(held));
    }

    /** A read of every metric; {@code values} has one entry per metric except {@link Metric#LAG_MS_SHARD}. */
    public record Reading(Map<Metric, Long> values, List<ShardReading> shards) {
        public long value(Metric metric) {
            return values.get(metric);
        }
    }

    /** One held shard: its slot, lag in milliseconds, and entries held. */
    public record ShardReading(String shardId, int slot, long lagMillis, long held) {
    }
}
