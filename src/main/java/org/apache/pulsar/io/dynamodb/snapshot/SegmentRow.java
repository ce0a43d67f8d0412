package org.apache.pulsar.io.dynamodb.snapshot;

/**
 * A segment row of {@code <applicationName>-Snapshot} ({@code segment#<generation>#<index>}): who reads it and how
 * far Pulsar has acknowledged it.
 *
 * @param index      the Scan's Segment
 * @param owner      worker id of the instance that claimed it last; null if never claimed
 * @param claim      a token new with every claim: progress and renewals are conditional on it, so an instance
 *                   that lost the segment (its lease expired, or it was restarted) can no longer write
 * @param leaseUntil epoch milliseconds (the claimer's clock) until which no other instance may claim it
 * @param cursor     where the Scan resumes ({@link ScanCursor}); null for the start
 * @param done       every item read and acknowledged
 * @param items      items of the segment acknowledged so far
 */
record SegmentRow(int index, String owner, String claim, long leaseUntil, String cursor, boolean done, long items) {
}
