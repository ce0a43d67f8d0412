package org.apache.pulsar.io.dynamodb.streamset;

/**
 * A stream's leases in the lease table.
 *
 * @param shards how many
 * @param ended  how many are checkpointed at SHARD_END (every record of the shard acknowledged by Pulsar)
 */
public record StreamLeases(int shards, int ended) {

    /** Every shard read to its end, or no lease at all. */
    public boolean allEnded() {
        return ended == shards;
    }
}
