package org.apache.pulsar.io.dynamodb.stream;

import java.time.Duration;
import java.time.Instant;

/**
 * Records the stream no longer holds: a DynamoDB stream keeps 24 hours of changes, and the changes after a
 * checkpoint (or after a snapshot's start) that are older than that were trimmed before they were published.
 *
 * @param streamArn      the stream
 * @param shardId        the shard whose checkpoint is too old; null when a snapshot outlived the retention
 * @param checkpoint     the shard's checkpoint (sequence number), or the snapshot's start time
 * @param oldestSequence the oldest record still in the shard, if it could be read
 * @param oldestCreated  that record's ApproximateCreationDateTime, if it could be read
 */
public record RetentionGap(String streamArn, String shardId, String checkpoint, String oldestSequence,
                           Instant oldestCreated) {

    /** How long DynamoDB Streams keeps a record. */
    public static final Duration STREAM_RETENTION = Duration.ofHours(24);

    /** A snapshot begun at t0 completed after the stream's retention ran out on its start. */
    public static RetentionGap snapshotOutlived(String streamArn, Instant t0, Instant completed) {
        return new RetentionGap(streamArn, null, "the snapshot's start " + t0 + " (it completed " + completed
                + ", " + Duration.between(t0, completed).toHours() + " h later)", null, null);
    }

    /** One line on what was lost, for the ERROR. */
    public String describe() {
        String oldest = oldestSequence == null ? "the oldest record still in the stream"
                : "the oldest record still in the shard (sequence number " + oldestSequence
                + (oldestCreated == null ? "" : ", created " + oldestCreated) + ")";
        if (shardId == null) {
            return "DynamoDB stream " + streamArn + " keeps " + STREAM_RETENTION.toHours() + " hours of changes, and "
                    + "the snapshot took longer: the changes made between " + checkpoint + " and " + oldest
                    + " may have been trimmed before they were published";
        }
        return "Shard " + shardId + " of DynamoDB stream " + streamArn + ": its checkpoint (sequence number "
                + checkpoint + ") is older than the stream's " + STREAM_RETENTION.toHours() + "-hour retention: the "
                + "changes after it up to " + oldest + " were trimmed and are not in the topic";
    }
}
