package org.apache.pulsar.io.dynamodb.convert;

import java.util.Map;
import java.util.Optional;

/**
 * One stream record as it goes to Pulsar: key, JSON value, properties and event time.
 *
 * @param key            message key
 * @param value          UTF-8 JSON, the builtin connector's format
 * @param properties     message properties (EVENT_NAME, SEQUENCE_NUMBER)
 * @param eventTimeMillis epoch milliseconds of ApproximateCreationDateTime, empty when the record has none
 * @param sequenceNumber the stream record's sequence number
 */
public record ChangeRecord(
        String key,
        byte[] value,
        Map<String, String> properties,
        Optional<Long> eventTimeMillis,
        String sequenceNumber) {
}
