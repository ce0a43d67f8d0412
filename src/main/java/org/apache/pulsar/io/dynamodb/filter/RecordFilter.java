package org.apache.pulsar.io.dynamodb.filter;

import software.amazon.awssdk.services.dynamodb.model.Record;

/** Decides which stream records are published; pure and thread-safe. */
@FunctionalInterface
public interface RecordFilter {

    /** Publishes every record. */
    RecordFilter ALL = record -> true;

    /** Whether the record is published. */
    boolean accepts(Record record);
}
