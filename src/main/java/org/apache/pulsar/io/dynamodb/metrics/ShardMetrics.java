package org.apache.pulsar.io.dynamodb.metrics;

import java.util.ArrayDeque;

/**
 * One shard's progress while this instance holds its lease: the records it holds, in stream order, with their
 * creation times, from which its lag is read; and, as the shard's publisher's listener, its records counted.
 *
 * <p>The shard's processor calls {@link #polled} once per GetRecords result; its publisher calls {@link #held}
 * before each record (or message) it adds to its checkpoint bookkeeping, and {@link #released} with every count of
 * entries that left it (acknowledged, skipped or dropped). Entries leave in the order they came, so the oldest held
 * record is always at the head. Thread-safe: the processor's thread, Pulsar's threads and the reporter all call it.
 */
public final class ShardMetrics extends ReaderMetrics {

    private static final long NONE = Long.MIN_VALUE;

    private final String shardId;
    private final int slot;
    // Runs of held entries with one creation time, oldest first: [creationMillis, count]. Stream records carry
    // second (AWS) or minute (DynamoDB Local) precision, so a run usually covers many records.
    private final ArrayDeque<long[]> heldRuns = new ArrayDeque<>();
    private long heldCount;
    private long newestReleasedCreationMillis = NONE;
    private boolean caughtUp;
    private boolean closed;

    ShardMetrics(SourceMetrics owner, String shardId, int slot) {
        super(owner);
        this.shardId = shardId;
        this.slot = slot;
    }

    /** A GetRecords result with this many records arrived; an empty one means the shard was read to its end. */
    public void polled(int records) {
        owner.add(Metric.RECORDS_READ, records);
        synchronized (this) {
            caughtUp = records == 0;
        }
    }

    /** One entry is now held: a record (or one of its messages) created at this time, epoch milliseconds. */
    @Override
    public synchronized void held(long creationMillis) {
        long[] newest = heldRuns.peekLast();
        if (newest != null && newest[0] == creationMillis) {
            newest[1]++;
        } else {
            heldRuns.addLast(new long[] {creationMillis, 1});
        }
        heldCount++;
    }

    /** This many of the oldest held entries left: acknowledged by Pulsar, skipped, or dropped with the lease. */
    @Override
    public synchronized void released(int entries) {
        long left = Math.min(entries, heldCount);
        heldCount -= left;
        while (left > 0) {
            long[] oldest = heldRuns.peekFirst();
            long taken = Math.min(left, oldest[1]);
            oldest[1] -= taken;
            left -= taken;
            if (oldest[1] == 0) {
                heldRuns.removeFirst();
                newestReleasedCreationMillis = oldest[0];
            }
        }
    }

    /** The lease is gone (lost, shard ended, shutdown): the shard leaves the metrics and frees its slot. */
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        owner.remove(this);
    }

    /**
     * How far behind the stream this shard's delivery is, in milliseconds at {@code nowMillis}: the age of the
     * oldest record held (read, not yet acknowledged); with none held, 0 once a poll found nothing new, else the
     * age of the newest record that left (the next poll tells whether more wait). 0 before the first record.
     */
    public synchronized long lagMillis(long nowMillis) {
        long[] oldest = heldRuns.peekFirst();
        if (oldest != null) {
            return Math.max(0, nowMillis - oldest[0]);
        }
        if (caughtUp || newestReleasedCreationMillis == NONE) {
            return 0;
        }
        return Math.max(0, nowMillis - newestReleasedCreationMillis);
    }

    /** Entries held now: records read and not yet acknowledged or skipped. */
    public synchronized long heldCount() {
        return heldCount;
    }

    public String shardId() {
        return shardId;
    }

    /** The number in this shard's per-shard metric names, reused by a later shard once this one closes. */
    public int slot() {
        return slot;
    }
}
