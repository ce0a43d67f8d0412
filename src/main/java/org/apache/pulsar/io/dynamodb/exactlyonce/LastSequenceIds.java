package org.apache.pulsar.io.dynamodb.exactlyonce;

import java.util.function.BooleanSupplier;

/** The broker's last stored sequence id of a producer name on a topic (-1 when it holds none). */
@FunctionalInterface
public interface LastSequenceIds {

    /**
     * Waits while another producer holds the name (the previous owner's), then returns the broker's last id.
     *
     * @param stopping true once the source is closing: the wait ends with an {@link IllegalStateException}
     */
    long lastSequenceId(String topic, String producerName, BooleanSupplier stopping) throws InterruptedException;
}
