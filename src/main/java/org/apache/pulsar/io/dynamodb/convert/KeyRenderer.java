package org.apache.pulsar.io.dynamodb.convert;

import software.amazon.awssdk.services.dynamodb.model.Record;

/** Renders the Pulsar message key of a stream record; pure and thread-safe. */
@FunctionalInterface
public interface KeyRenderer {
    String render(Record streamRecord);
}
