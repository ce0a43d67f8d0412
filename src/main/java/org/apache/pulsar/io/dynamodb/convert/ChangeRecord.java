package org.apache.pulsar.io.dynamodb.convert;

import java.util.Map;
import java.util.Optional;

/**
 * One message as it goes to Pulsar: key, value, properties and event time.
 *
 * @param key            message key
 * @param value          UTF-8 JSON in the configured output format; empty (zero bytes) for a tombstone
 * @param properties     message properties (EVENT_NAME, SEQUENCE_NUMBER)
 * @param eventTimeMillis epoch milliseconds of ApproximateCreationDateTime, empty when the record has none
 * @param sequenceNumber the stream record's sequence number; null for a record read from no stream (a snapshot)
 */
public record ChangeRecord(
        String key,
        byte[] value,
        Map<String, String> properties,
        Optional<Long> eventTimeMillis,
        String sequenceNumber) {

    /** A tombstone's value; zero bytes, so sharing it is safe. */
    static final byte[] TOMBSTONE_VALUE = new byte[0];

    /**
     * The tombstone of this message's item: same key, properties and event time, a zero-length value. Pulsar
     * publishes it (a null value would not be published at all), and topic compaction drops a key whose latest
     * message has an empty payload.
     */
    public ChangeRecord tombstone() {
        return new ChangeRecord(key, TOMBSTONE_VALUE, properties, eventTimeMillis, sequenceNumber);
    }

    /** Whether this is a tombstone: an empty value. */
    public boolean isTombstone() {
        return value.length == 0;
    }
}
