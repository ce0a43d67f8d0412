package org.apache.pulsar.io.dynamodb.convert;

import software.amazon.awssdk.services.dynamodb.model.Record;

/** Turns a DynamoDB stream record into what is published to Pulsar; pure and thread-safe. */
@FunctionalInterface
public interface RecordConverter {
    ChangeRecord convert(Record streamRecord);
}
