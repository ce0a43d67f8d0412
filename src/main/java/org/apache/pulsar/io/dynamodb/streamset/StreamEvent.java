package org.apache.pulsar.io.dynamodb.streamset;

/**
 * Something a pass over the tables found, for the log.
 *
 * @param kind   what happened
 * @param table  the table
 * @param stream the stream it is about; null for NO_STREAM and MISSING_TABLE
 * @param before the stream a FOLLOWED stream follows; null otherwise
 */
public record StreamEvent(Kind kind, String table, StreamName stream, StreamName before) {

    /** What a pass found. */
    public enum Kind {
        /** A table's stream is read for the first time. */
        ADDED,
        /** A table's new stream is read after its old one finished (stream re-enabled, or table created again). */
        FOLLOWED,
        /** A stream was read to its end (stream disabled, or table deleted) and is no longer read. */
        FINISHED,
        /** A stream ended without its leases reaching SHARD_END: KCL found it no longer exists. */
        VANISHED,
        /** A table to read has no enabled stream. */
        NO_STREAM,
        /** A listed table does not exist. */
        MISSING_TABLE,
        /** A table read until now exists but is no longer selected (tableNamePrefix, tableTag): its stream is dropped. */
        DESELECTED,
        /** A table read until now is held for its snapshot (snapshotMode WHEN_NEEDED after a retention gap). */
        HELD,
        /** A table's stream has a view type the output format cannot be made from: the table is not read. */
        UNUSABLE_VIEW_TYPE
    }
}
