package org.apache.pulsar.io.dynamodb.convert;

/**
 * Where a stream record was read: what ENVELOPE's {@code source} names besides the record's own fields.
 *
 * @param table     the table's name
 * @param region    the table's region as its stream ARN names it ("ddblocal" for DynamoDB Local)
 * @param streamArn the stream's ARN as configured
 * @param shardId   the shard the record was read from; null when it came from no shard (a snapshot read)
 */
public record RecordOrigin(String table, String region, String streamArn, String shardId) {

    /** The same stream, another shard. */
    public RecordOrigin withShard(String shard) {
        return new RecordOrigin(table, region, streamArn, shard);
    }
}
