package org.apache.pulsar.io.dynamodb.kcl;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.pulsar.functions.api.Record;
import org.apache.pulsar.io.dynamodb.convert.RecordConverter;
import org.apache.pulsar.io.dynamodb.convert.RecordOrigin;
import org.apache.pulsar.io.dynamodb.exactlyonce.Sequencing;
import org.apache.pulsar.io.dynamodb.filter.RecordFilter;
import org.apache.pulsar.io.dynamodb.metrics.SourceMetrics;
import org.apache.pulsar.io.dynamodb.publish.PublishContext;

/**
 * What every shard processor of one source shares.
 *
 * @param filter      which records are published; the others are checkpointed past
 * @param converter   stream record to Pulsar records
 * @param origin      the stream's table, region and ARN; each processor adds its shard
 * @param sink        where records go to be published (the source's queue)
 * @param heldRecords one permit per record held anywhere in the connector, so receiveQueueSize bounds memory
 * @param settings    checkpoint and shutdown pacing
 * @param stopping    true once the source is closing: blocked processors give up instead of waiting
 * @param fatal       fails the source, so that Pulsar reports and restarts the instance
 * @param metrics     what the source counts and measures (records, checkpoints, each held shard's lag)
 * @param sequencing  how shards number their messages (at-least-once: not at all)
 */
record ProcessorContext(
        RecordFilter filter,
        RecordConverter converter,
        RecordOrigin origin,
        Consumer<Record<byte[]>> sink,
        Semaphore heldRecords,
        ProcessorSettings settings,
        BooleanSupplier stopping,
        Consumer<Throwable> fatal,
        SourceMetrics metrics,
        Sequencing sequencing) {

    /** At-least-once. */
    ProcessorContext(RecordFilter filter, RecordConverter converter, RecordOrigin origin,
                     Consumer<Record<byte[]>> sink, Semaphore heldRecords, ProcessorSettings settings,
                     BooleanSupplier stopping, Consumer<Throwable> fatal, SourceMetrics metrics) {
        this(filter, converter, origin, sink, heldRecords, settings, stopping, fatal, metrics,
                Sequencing.AT_LEAST_ONCE);
    }

    /**
     * The same for the shards of one stream among several: its origin, its sink (table name, topic) and, when its
     * table was snapshotted, the time before which its records are skipped (the snapshot covers them).
     */
    ProcessorContext forStream(RecordOrigin streamOrigin, Consumer<Record<byte[]>> streamSink,
                               Optional<Instant> skipCreatedBefore) {
        ProcessorSettings streamSettings = skipCreatedBefore.isEmpty() ? settings
                : new ProcessorSettings(settings.checkpointInterval(), settings.checkpointRetries(), settings.backoff(),
                        skipCreatedBefore, settings.shutdownAckWait());
        return new ProcessorContext(filter, converter, streamOrigin, streamSink, heldRecords, streamSettings, stopping,
                fatal, metrics, sequencing);
    }

    /** What each shard's publisher needs of this. */
    PublishContext publishing() {
        return new PublishContext(converter, sink, heldRecords, stopping, sequencing);
    }
}
