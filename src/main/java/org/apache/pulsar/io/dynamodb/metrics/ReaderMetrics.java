package org.apache.pulsar.io.dynamodb.metrics;

import org.apache.pulsar.io.dynamodb.publish.PublishListener;
import org.apache.pulsar.io.dynamodb.publish.Skip;

/**
 * What one reader's publisher counts into its source's metrics, whatever it reads (a shard, a snapshot segment);
 * what it holds, and so its lag, is the subclass's. Lock-free on the counting paths.
 */
abstract sealed class ReaderMetrics implements PublishListener permits ShardMetrics, SegmentMetrics {

    final SourceMetrics owner;

    ReaderMetrics(SourceMetrics owner) {
        this.owner = owner;
    }

    @Override
    public final void published() {
        owner.add(Metric.RECORDS_PUBLISHED, 1);
    }

    @Override
    public final void resent() {
        owner.add(Metric.RECORDS_RESENT, 1);
    }

    @Override
    public final void acknowledged() {
        owner.add(Metric.RECORDS_ACKNOWLEDGED, 1);
    }

    @Override
    public final void failed() {
        owner.add(Metric.RECORDS_FAILED, 1);
    }

    @Override
    public final void passedOver(Skip reason) {
        owner.add(reason == Skip.FILTERED ? Metric.RECORDS_FILTERED : Metric.RECORDS_SKIPPED, 1);
    }
}
