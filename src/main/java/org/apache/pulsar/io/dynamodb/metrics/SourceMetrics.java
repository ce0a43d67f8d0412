package org.apache.pulsar.io.dynamodb.metrics;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one source instance counts and measures. Updated from any thread (KCL's shard threads, Pulsar's
 * acknowledgement threads, a snapshot's workers) without locks on the counting paths; read by the one reporter
 * ({@link MetricsReporter}). Kept whether or not anything reports it.
 */
public final class SourceMetrics {

    private static final Logger log = LoggerFactory.getLogger(SourceMetrics.class);

    private final Map<Metric, LongAdder> counters = new EnumMap<>(Metric.class);
    private final ConcurrentMap<String, ShardMetrics> shards = new ConcurrentHashMap<>();
    private final BitSet slots = new BitSet(); // guarded by itself
    private final AtomicLong snapshotSegmentsTotal = new AtomicLong();

    public SourceMetrics() {
        for (Metric metric : Metric.values()) {
            if (metric.kind() == Metric.Kind.COUNTER) {
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

    /** Records handed to Pulsar for the first time. */
    public void published(int records) {
        add(Metric.RECORDS_PUBLISHED, records);
    }

    /** Records Pulsar acknowledged. */
    public void acknowledged(int records) {
        add(Metric.RECORDS_ACKNOWLEDGED, records);
    }

    /** Records Pulsar failed to publish. */
    public void failed(int records) {
        add(Metric.RECORDS_FAILED, records);
    }

    /** Records handed to Pulsar again after a failure. */
    public void resent(int records) {
        add(Metric.RECORDS_RESENT, records);
    }

    /** Stream records passed over because they came before the start (AT_TIMESTAMP's startAtTime, a snapshot's T0). */
    public void skipped(int records) {
        add(Metric.RECORDS_SKIPPED, records);
    }

    /** Stream records passed over because eventNames or filterCriteria left them out. */
    public void filtered(int records) {
        add(Metric.RECORDS_FILTERED, records);
    }

    public void checkpointWritten() {
        add(Metric.CHECKPOINTS_WRITTEN, 1);
    }

    /** A checkpoint that could not be stored after its retries. */
    public void checkpointFailed() {
        add(Metric.CHECKPOINTS_FAILED, 1);
    }

    /** A snapshot starts (or resumes) with this many segments in all; 0 once it has finished. */
    public void snapshotSegmentsTotal(int segments) {
        snapshotSegmentsTotal.set(segments);
    }

    /** Table items a snapshot published. */
    public void snapshotItems(long items) {
        add(Metric.SNAPSHOT_ITEMS, items);
    }

    public void snapshotSegmentDone() {
        add(Metric.SNAPSHOT_SEGMENTS_DONE, 1);
    }

    /** A checkpoint was found older than the stream's retention. */
    public void retentionGap() {
        add(Metric.RETENTION_GAPS, 1);
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
        values.put(Metric.RECORDS_PENDING, pending);
        values.put(Metric.LEASES_HELD, (long) held.size());
        values.put(Metric.SNAPSHOT_SEGMENTS_TOTAL, snapshotSegmentsTotal.get());
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
