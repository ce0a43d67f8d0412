package org.apache.pulsar.io.dynamodb.config;

/** Whether the table's items are published before its changes. */
public enum SnapshotMode {
    /** Changes only, from initialPositionInStream: a new consumer never sees items unchanged for 24 hours. */
    NONE,
    /** Every item of the table once (a parallel Scan), then the changes; never again once complete. */
    INITIAL,
    /** As INITIAL, and again whenever the stream can no longer continue from the checkpoints (records were trimmed). */
    WHEN_NEEDED
}
