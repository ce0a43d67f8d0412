package org.apache.pulsar.io.dynamodb.kcl;

import java.util.HashSet;
import java.util.Set;
import org.apache.pulsar.io.dynamodb.aws.StreamCheck;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.StreamDescription;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * The shard ids of one stream, listed with DescribeStream (every page) and listed again only when asked about a shard
 * it does not know: in single-stream mode a lease key is a bare shard id, and this tells the leases of a table's
 * stream from those of its next stream. A disabled stream's list is final.
 */
final class StreamShards {

    private final DynamoDbStreamsClient streams;
    private final String streamArn;
    private final Set<String> known = new HashSet<>();
    private boolean disabled;

    StreamShards(DynamoDbStreamsClient streams, String streamArn) {
        this.streams = streams;
        this.streamArn = streamArn;
    }

    String streamArn() {
        return streamArn;
    }

    /** Every shard id of the stream, as of now (listed again unless the stream was already seen disabled). */
    synchronized Set<String> all() {
        if (!disabled || known.isEmpty()) {
            list();
        }
        return Set.copyOf(known);
    }

    /**
     * True unless the stream is disabled and has no such shard: the shard then belongs to another stream (a lease of
     * the table's next stream, made by an instance that already follows it). An enabled stream may have a shard
     * newer than the last listing, so an unknown shard of an enabled stream is not refused.
     */
    synchronized boolean mayHold(String shardId) {
        if (known.contains(shardId)) {
            return true;
        }
        if (!disabled) {
            list();
        }
        return known.contains(shardId) || !disabled;
    }

    /** Lists every page; remembers whether the stream is disabled (then its shards are final). */
    private void list() {
        String after = null;
        do {
            String start = after;
            StreamDescription page = streams.describeStream(b -> b.streamArn(streamArn).exclusiveStartShardId(start))
                    .streamDescription();
            page.shards().stream().map(Shard::shardId).forEach(known::add);
            disabled = StreamCheck.isDisabled(page);
            after = page.lastEvaluatedShardId();
        } while (after != null);
    }
}
