package org.apache.pulsar.io.dynamodb.snapshot;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pulsar.io.dynamodb.publish.OrderedPublisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Stores one segment reader's progress in the snapshot table without stopping its reading: one write at a time, of
 * the newest position Pulsar acknowledged with everything before it, once that position covers the reader's share of
 * the instance's unstored window ({@link SegmentReader.Shared#storeAfterItems}) or {@link #IDLE} has passed, sooner
 * when the reader waits for it ({@link Urgency}). Holds the reader's permits of the instance's unstored window and
 * returns them as writes store the items. Used by the reader's thread only.
 */
final class SegmentProgressWrites {

    private static final Logger log = LoggerFactory.getLogger(SegmentProgressWrites.class);
    /** At most ten writes a second per segment: DynamoDB bills each. */
    static final Duration EVERY = Duration.ofMillis(100);
    /**
     * A write at least this often while anything acknowledged is unstored, however few items: a slow segment's
     * progress is visible and its restart short. Writing every {@link #EVERY} instead cost a write per 17 items at
     * 1,400 items/s over 8 segments, a sixth of the connector's CPU and as much again in DynamoDB.
     */
    static final Duration IDLE = Duration.ofSeconds(1);
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(1);

    private final SegmentReader.Shared shared;
    private final SegmentLease lease;
    private final OrderedPublisher publisher;
    private final SegmentPositions positions;
    /** The cursor stored last, and the segment's items up to it. */
    private String cursor;
    private long stored;
    /** Permits of the unstored window this reader holds: items it dispatched that no stored cursor covers yet. */
    private long unstored;
    private boolean done;
    /** The write under way, if any: its position, what it stores, and when it started. */
    private CompletableFuture<Boolean> writing;
    private String writingPosition;
    private SegmentPositions.Resume writingResume;
    private long writingAt;
    /** When the last write began, or the reader began. */
    private long writtenAt;
    private long nextWriteAt;
    /** After a failed write, how long after its start the next may begin. */
    private long failedBackoff;

    SegmentProgressWrites(SegmentReader.Shared shared, SegmentLease lease, OrderedPublisher publisher,
                          SegmentPositions positions, SegmentRow claimed) {
        this.shared = shared;
        this.lease = lease;
        this.publisher = publisher;
        this.positions = positions;
        this.cursor = claimed.cursor();
        this.stored = claimed.items();
        this.writtenAt = shared.clock().millis();
    }

    /** The cursor stored last; null before the segment's first. */
    String cursor() {
        return cursor;
    }

    /** The segment's items up to the cursor stored last. */
    long stored() {
        return stored;
    }

    /** Permits of the unstored window held, to give back when the reader ends. */
    long unstored() {
        return unstored;
    }

    /** An item took a permit of the unstored window. */
    void dispatched() {
        unstored++;
    }

    /** How soon a reader wants its progress stored. */
    enum Urgency {
        /** Reading goes on: once its share of the window is acknowledged, or after {@link #IDLE}. */
        ROUTINE,
        /** The reader waits for room in the window: whatever is acknowledged, still at most every {@link #EVERY}. */
        WAITING,
        /** The reader waits for nothing else (its end, its lease): at once. */
        NOW
    }

    /**
     * Takes the result of the write under way once it is done, and starts a write of the newest acknowledged
     * position if none is under way and the urgency asks for one.
     *
     * @return true once the segment's end is stored
     */
    boolean poll(Urgency urgency) {
        if (writing != null) {
            if (!writing.isDone()) {
                return done;
            }
            take();
        }
        long millis = shared.clock().millis();
        if (done || lease.lost() || millis < nextWriteAt && urgency != Urgency.NOW
                || millis < writingAt + failedBackoff) {
            return done;
        }
        Optional<String> acknowledged = publisher.checkpointable();
        if (acknowledged.isEmpty()) {
            return false;
        }
        if (urgency == Urgency.ROUTINE && millis < writtenAt + IDLE.toMillis()
                && positions.itemsThrough(acknowledged.get()) - stored < shared.storeAfterItems()) {
            nextWriteAt = millis + EVERY.toMillis();  // looked at: too few to write yet
            return false;
        }
        writingPosition = acknowledged.get();
        writingResume = positions.resume(writingPosition);
        writingAt = millis;
        writtenAt = millis;
        nextWriteAt = millis + EVERY.toMillis();
        try {
            writing = shared.state().saveProgressAsync(shared.generation(), lease.segment(), lease.claim(),
                    writingResume.cursor(), writingResume.items());
        } catch (SdkException e) {
            writing = CompletableFuture.failedFuture(e);
        }
        return false;
    }

    private void take() {
        CompletableFuture<Boolean> write = writing;
        writing = null;
        boolean kept;
        try {
            kept = SnapshotTable.join(write);
        } catch (SdkException e) {
            log.warn("Snapshot segment {}: storing its progress failed ({}); trying again", lease.segment(),
                    e.toString());
            shared.metrics().checkpointFailed();
            failedBackoff = RETRY_AFTER_FAILURE.toMillis();
            return;
        }
        failedBackoff = 0;
        if (!kept) {
            lease.lose();
            return;
        }
        shared.metrics().checkpointWritten();
        lease.extended(writingAt);
        publisher.checkpointed(writingPosition);
        long released = Math.min(unstored, writingResume.items() - stored);
        shared.unstored().release((int) released);
        unstored -= released;
        cursor = writingResume.cursor();
        stored = writingResume.items();
        done = ScanCursor.END.equals(cursor);
    }

    /** Waits a bounded time for the write under way; false when there is none. Its result is taken by a poll. */
    boolean awaitWrite(Duration timeout) throws InterruptedException {
        if (writing == null) {
            return false;
        }
        try {
            writing.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // a failure is reported when a poll takes the result; a slow write is looked at again next time
        }
        return true;
    }

    /** The source is closing: the write under way, then one of the newest acknowledged position. */
    void drain(Duration timeout) throws InterruptedException {
        for (int round = 0; round < 3; round++) {
            poll(Urgency.NOW);
            if (!awaitWrite(timeout)) {
                return;
            }
        }
        poll(Urgency.ROUTINE);
    }
}
