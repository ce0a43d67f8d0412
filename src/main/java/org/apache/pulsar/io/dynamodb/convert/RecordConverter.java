package org.apache.pulsar.io.dynamodb.convert;

import java.util.List;
import software.amazon.awssdk.services.dynamodb.model.Record;

/** Turns a DynamoDB stream record into the messages published for it; pure and thread-safe. */
@FunctionalInterface
public interface RecordConverter {

    /**
     * The messages for one stream record, in publish order: one, or a delete followed by its tombstone.
     *
     * @param origin         table, stream and shard the record was read from
     * @param readTimeMillis when the connector read it, epoch milliseconds
     */
    List<ChangeRecord> convert(Record streamRecord, RecordOrigin origin, long readTimeMillis);
}
