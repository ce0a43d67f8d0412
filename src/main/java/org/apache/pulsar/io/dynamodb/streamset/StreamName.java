package org.apache.pulsar.io.dynamodb.streamset;

import com.amazonaws.services.dynamodbv2.streamsadapter.util.KinesisMapperUtil;

/**
 * One DynamoDB stream as KCL names it in multi-stream mode. The identifier
 * {@code account:region$account$table$label:1} is the lease keys' prefix; the label (the stream's creation time)
 * tells two streams of one table apart, and sorts them by age.
 *
 * @param identifier KCL's serialized stream identifier
 * @param kclArn     the ARN KCL reads (an alias region for DynamoDB Local)
 * @param table      the table's name
 * @param label      the stream's label, as in the identifier ({@code :} written {@code _})
 */
public record StreamName(String identifier, String kclArn, String table, String label) {

    /** From the ARN KCL is handed. */
    public static StreamName ofArn(String kclArn) {
        String identifier = KinesisMapperUtil.createKinesisStreamIdentifierFromDynamoDBStreamsArn(kclArn, true);
        return ofIdentifier(identifier);
    }

    /** From a serialized identifier, as the lease table's {@code streamName} holds it. */
    public static StreamName ofIdentifier(String identifier) {
        String[] parts = identifier.split(":", 2);
        String streamName = parts[1].substring(0, parts[1].lastIndexOf(':'));
        String[] names = streamName.split("\\$");
        if (names.length != 4) {
            throw new IllegalArgumentException("not a DynamoDB stream identifier: " + identifier);
        }
        return new StreamName(identifier, KinesisMapperUtil.createDynamoDBStreamsArnFromKinesisStreamName(streamName),
                names[2], names[3]);
    }
}
