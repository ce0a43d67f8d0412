package org.apache.pulsar.io.dynamodb.stream;

/** Decides what follows a {@link RetentionGap}: never silence. */
@FunctionalInterface
public interface RetentionGapHandler {

    /**
     * Called where the gap is met (a shard's reader, a snapshot's completion). Returns to go on from the oldest
     * record still in the stream; throws to stop reading (the source then fails and is restarted).
     */
    void onGap(RetentionGap gap);

    /**
     * Whether stopping a shard at a gap stops the source (it then closes without waiting for that shard); false when
     * only the gap's table stops being read and the other tables go on.
     */
    default boolean stopsSource() {
        return true;
    }
}
