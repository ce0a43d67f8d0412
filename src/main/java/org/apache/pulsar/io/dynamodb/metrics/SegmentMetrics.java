package org.apache.pulsar.io.dynamodb.metrics;

/**
 * One snapshot segment reader's records: counted like a shard's, and what it holds counts as pending, but it has no
 * lag and holds no shard lease. A snapshot item's creation time is when it was read.
 */
final class SegmentMetrics extends ReaderMetrics {

    SegmentMetrics(SourceMetrics owner) {
        super(owner);
    }

    @Override
    public void held(long createdMillis) {
        owner.snapshotHeld(1);
    }

    @Override
    public void released(int entries) {
        owner.snapshotHeld(-entries);
    }
}
