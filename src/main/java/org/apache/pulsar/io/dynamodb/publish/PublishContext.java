package org.apache.pulsar.io.dynamodb.publish;

import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.pulsar.functions.api.Record;
import org.apache.pulsar.io.dynamodb.convert.RecordConverter;
import org.apache.pulsar.io.dynamodb.exactlyonce.Sequencing;

/**
 * What every ordered publisher of one source shares.
 *
 * @param converter   record to Pulsar messages
 * @param sink        where messages go to be published (the source's queue)
 * @param heldRecords one permit per message held anywhere in the connector, so receiveQueueSize bounds memory
 * @param stopping    true once the source is closing: a publisher waiting for room gives up instead
 * @param sequencing  how each reader numbers its messages (at-least-once: not at all)
 */
public record PublishContext(
        RecordConverter converter,
        Consumer<Record<byte[]>> sink,
        Semaphore heldRecords,
        BooleanSupplier stopping,
        Sequencing sequencing) {

    /** At-least-once. */
    public PublishContext(RecordConverter converter, Consumer<Record<byte[]>> sink, Semaphore heldRecords,
                          BooleanSupplier stopping) {
        this(converter, sink, heldRecords, stopping, Sequencing.AT_LEAST_ONCE);
    }
}
