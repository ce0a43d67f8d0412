package org.apache.pulsar.io.dynamodb.kcl;

import software.amazon.kinesis.coordinator.Scheduler;
import software.amazon.kinesis.processor.ShardRecordProcessorFactory;
import software.amazon.kinesis.processor.StreamTracker;

/** What a KCL scheduler reads: one stream named by its ARN, or the streams of tables. */
interface KclStreams {

    StreamTracker tracker();

    /** Builds each shard's processor. */
    ShardRecordProcessorFactory processors();

    /** Once KCL's tables are prepared, before the scheduler runs: e.g. creates leases the scheduler would wait for. */
    void beforeRun(Scheduler scheduler);

    /** Starts watching the streams while the scheduler runs; closed before the scheduler stops. */
    AutoCloseable watch(Scheduler scheduler);

    /** What is read, for log lines. */
    String describe();
}
