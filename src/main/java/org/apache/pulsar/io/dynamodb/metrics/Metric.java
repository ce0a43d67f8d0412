package org.apache.pulsar.io.dynamodb.metrics;

/**
 * The connector's metrics, each reported to Pulsar under its {@link #metricName()} (the {@code metric} label of
 * {@code pulsar_source_user_metric_}). A counter reports its increase since the previous report, so Pulsar's
 * {@code _sum} is its total; a gauge reports its current value every period.
 */
public enum Metric {
    /** Stream records GetRecords returned. */
    RECORDS_READ("records_read", Kind.COUNTER),
    /** Records handed to Pulsar the first time; a REMOVE and its tombstone are two. */
    RECORDS_PUBLISHED("records_published", Kind.COUNTER),
    /** Acknowledgements from Pulsar: the record is stored. */
    RECORDS_ACKNOWLEDGED("records_acknowledged", Kind.COUNTER),
    /** Failures from Pulsar: the record is published again. */
    RECORDS_FAILED("records_failed", Kind.COUNTER),
    /** Records handed to Pulsar again after a failure (the failed one and those after it). */
    RECORDS_RESENT("records_resent", Kind.COUNTER),
    /** Stream records never published because they came before the start (AT_TIMESTAMP, a snapshot's T0). */
    RECORDS_SKIPPED("records_skipped", Kind.COUNTER),
    /** Stream records never published because eventNames or filterCriteria left them out. */
    RECORDS_FILTERED("records_filtered", Kind.COUNTER),
    /** Checkpoints stored: shards' in KCL's lease table, snapshot segments' cursors in the snapshot table. */
    CHECKPOINTS_WRITTEN("checkpoints_written", Kind.COUNTER),
    /** Checkpoints that could not be stored (a shard's after its retries); the next one covers them. */
    CHECKPOINTS_FAILED("checkpoints_failed", Kind.COUNTER),
    /** Table items this instance's snapshot readers read and handed on (published, or left out by the filters). */
    SNAPSHOT_ITEMS("snapshot_items", Kind.COUNTER),
    /** Checkpoints found older than the stream's retention: changes between them and the oldest record are gone. */
    RETENTION_GAPS("retention_gaps", Kind.COUNTER),
    /** How far behind the stream the connector is, in milliseconds: the largest of its shards' lag. */
    LAG_MS_MAX("lag_ms_max", Kind.GAUGE),
    /** One shard's lag; one series per slot ({@code lag_ms_shard0}, ...), see {@link SourceMetrics#shard}. */
    LAG_MS_SHARD("lag_ms_shard", Kind.GAUGE),
    /** Records held in the connector, not yet acknowledged by Pulsar (receiveQueueSize bounds each reader kind). */
    RECORDS_PENDING("records_pending", Kind.GAUGE),
    /** Shard leases this instance holds. */
    LEASES_HELD("leases_held", Kind.GAUGE),
    /** Segments of the running snapshot done, by any instance (read from the snapshot table); 0 when none runs. */
    SNAPSHOT_SEGMENTS_DONE("snapshot_segments_done", Kind.GAUGE),
    /** Segments the running snapshot has in all; 0 when none runs. */
    SNAPSHOT_SEGMENTS_TOTAL("snapshot_segments_total", Kind.GAUGE);

    /** How a metric is reported. */
    public enum Kind { COUNTER, GAUGE }

    private final String metricName;
    private final Kind kind;

    Metric(String metricName, Kind kind) {
        this.metricName = metricName;
        this.kind = kind;
    }

    /** The name Pulsar shows in the {@code metric} label; per-shard metrics append the shard's slot. */
    public String metricName() {
        return metricName;
    }

    public Kind kind() {
        return kind;
    }

    /** The name of a per-shard metric's series for a slot. */
    String forSlot(int slot) {
        return metricName + slot;
    }
}
