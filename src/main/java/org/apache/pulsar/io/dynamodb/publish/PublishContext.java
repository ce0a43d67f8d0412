package org.apache.pulsar.io.dynamodb.publish;

import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.pulsar.functions.api.Record;
import org.apache.pulsar.io.dynamodb.convert.RecordConverter;

/**
 * What every ordered publisher of one source shares.
 *
 * @param converter   record to Pulsar messages
 * @param sink        where messages go to be published (the source's queue)
 * @param heldRecords one permit per message held anywhere in the connector, so receiveQueueSize bounds memory
 * @param stopping    true once the source is closing: a publisher waiting for room gives up instead
 */
public record PublishContext(
        RecordConverter converter,
        Consumer<Record<byte[]>> sink,
        Semaphore heldRecords,
        BooleanSupplier stopping) {
}
