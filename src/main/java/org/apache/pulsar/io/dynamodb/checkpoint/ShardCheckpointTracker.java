package org.apache.pulsar.io.dynamodb.checkpoint;

import java.util.List;
import java.util.Optional;

/**
 * SKELETON: the checkpoint helper implements it.
 * Per-shard bookkeeping of dispatched records: which Pulsar acknowledged, which failed, and the highest
 * sequence number that is safe to checkpoint.
 */
public final class ShardCheckpointTracker<T> {
    public long add(String sequenceNumber, T payload) { throw new UnsupportedOperationException(); }
    public int addAcknowledged(String sequenceNumber) { throw new UnsupportedOperationException(); }
    public int ack(long position) { throw new UnsupportedOperationException(); }
    public void fail(long position) { throw new UnsupportedOperationException(); }
    public List<Redelivery<T>> takeRedeliveries() { throw new UnsupportedOperationException(); }
    public Optional<String> checkpointable() { throw new UnsupportedOperationException(); }
    public void checkpointed(String sequenceNumber) { throw new UnsupportedOperationException(); }
    public int size() { throw new UnsupportedOperationException(); }
    public int clear() { throw new UnsupportedOperationException(); }

    /** A record to publish again, with the position its acknowledgement must name. */
    public record Redelivery<T>(long position, T payload) { }
}
