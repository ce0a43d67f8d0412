package org.apache.pulsar.io.dynamodb.kcl;

import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.pulsar.functions.api.Record;
import org.apache.pulsar.io.dynamodb.convert.RecordConverter;

/**
 * What every shard processor of one source shares.
 *
 * @param converter   stream record to Pulsar record
 * @param sink        where records go to be published (the source's queue)
 * @param heldRecords one permit per record held anywhere in the connector, so receiveQueueSize bounds memory
 * @param settings    checkpoint and shutdown pacing
 * @param stopping    true once the source is closing: blocked processors give up instead of waiting
 * @param fatal       fails the source, so that Pulsar reports and restarts the instance
 */
record ProcessorContext(
        RecordConverter converter,
        Consumer<Record<byte[]>> sink,
        Semaphore heldRecords,
        ProcessorSettings settings,
        BooleanSupplier stopping,
        Consumer<Throwable> fatal) {
}
