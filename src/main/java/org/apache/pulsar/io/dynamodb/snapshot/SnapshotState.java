package org.apache.pulsar.io.dynamodb.snapshot;

import java.time.Instant;

/**
 * The snapshot row of {@code <applicationName>-Snapshot}: the current generation of the application's snapshot.
 *
 * @param generation        1 for the first snapshot, one more for each snapshot WHEN_NEEDED starts again
 * @param t0                recorded before any item was read: stream records created before it minus the handoff
 *                          margin are reflected in the snapshot
 * @param segments          the parallel Scan's TotalSegments for this generation
 * @param status            RUNNING until every segment is read and acknowledged, then COMPLETE
 * @param startedAt         when the generation was begun
 * @param completedAt       when it completed; null while RUNNING
 * @param items             items published, counted at completion; 0 while RUNNING
 * @param itemCountEstimate the table's ItemCount when the generation began (DynamoDB updates it every 6 hours or so)
 */
record SnapshotState(long generation, Instant t0, int segments, Status status, Instant startedAt,
                     Instant completedAt, long items, long itemCountEstimate) {

    /** Where a generation is. */
    enum Status { RUNNING, COMPLETE }

    boolean complete() {
        return status == Status.COMPLETE;
    }
}
