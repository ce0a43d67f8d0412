package org.apache.pulsar.io.dynamodb.snapshot;

import java.time.Duration;
import java.util.UUID;

/**
 * This instance's claim on one segment, as its reader and the coordinator that renews it see it. The reader
 * publishes only while the lease has {@link #SAFETY} left: an instance stalled past its lease stops before another
 * that took the segment over can have completed the snapshot.
 */
final class SegmentLease {

    static final Duration SAFETY = Duration.ofSeconds(10);

    private final int segment;
    private final String claim = UUID.randomUUID().toString();
    private volatile long validUntilMillis;
    private volatile boolean lost;

    SegmentLease(int segment) {
        this.segment = segment;
    }

    int segment() {
        return segment;
    }

    /** The token of this claim, written with it: the snapshot table accepts progress only with it. */
    String claim() {
        return claim;
    }

    /** The lease was written (claim, renewal or progress) at {@code writtenAtMillis}. */
    void extended(long writtenAtMillis) {
        validUntilMillis = Math.max(validUntilMillis, writtenAtMillis + SnapshotTable.SEGMENT_LEASE.toMillis());
    }

    /** Another instance took the segment over: nothing more may be published or stored for it. */
    void lose() {
        lost = true;
    }

    boolean lost() {
        return lost;
    }

    /** Whether a page may be published now. */
    boolean safeToPublish(long nowMillis) {
        return !lost && validUntilMillis - nowMillis > SAFETY.toMillis();
    }
}
