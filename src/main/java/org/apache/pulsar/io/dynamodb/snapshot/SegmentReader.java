package org.apache.pulsar.io.dynamodb.snapshot;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.pulsar.io.dynamodb.convert.RecordOrigin;
import org.apache.pulsar.io.dynamodb.filter.RecordFilter;
import org.apache.pulsar.io.dynamodb.metrics.SourceMetrics;
import org.apache.pulsar.io.dynamodb.publish.OrderedPublisher;
import org.apache.pulsar.io.dynamodb.publish.PublishContext;
import org.apache.pulsar.io.dynamodb.publish.Skip;
import org.apache.pulsar.io.dynamodb.snapshot.SegmentProgressWrites.Urgency;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * Reads one claimed segment of the table's parallel Scan and publishes each item in order. The next page is read
 * while the current one is published. Every item is a position of the publisher's bookkeeping ({@link
 * SegmentPositions}), so the cursor stored in the snapshot table is always right after an item that Pulsar
 * acknowledged along with every item before it, and is stored while reading goes on ({@link SegmentProgressWrites}).
 * A reader after a crash or takeover resumes there; what it publishes again is bounded by the instance's window of
 * items published and not yet stored ({@link SnapshotPlan#unstoredItems}), whatever the page size.
 */
final class SegmentReader {

    private static final Logger log = LoggerFactory.getLogger(SegmentReader.class);
    private static final Duration POLL = Duration.ofMillis(50);
    private static final Duration ACK_POLL = Duration.ofMillis(200);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Duration SHUTDOWN_ACK_WAIT = Duration.ofSeconds(5);
    private static final double BYTES_PER_READ_UNIT = 4096;

    /** How a reader's work ended. */
    enum Outcome { DONE, LOST, STOPPED }

    /**
     * What every segment reader of one snapshot shares.
     *
     * @param scans           reads the Scan pages
     * @param unstored        one permit per item published and not yet behind a stored cursor, for all of the
     *                        instance's readers: what a crash can make the snapshot publish again
     * @param storeAfterItems a reader stores its progress once this many of its items wait for it
     *                        ({@link SnapshotPlan#storeAfterItems})
     */
    record Shared(ScanPages scans, String table, SnapshotTable state, SnapshotState generation,
                  ReadCapacityBudget budget, SnapshotReads reads, RecordFilter filter, PublishContext publishing,
                  RecordOrigin origin, int pageLimit, boolean consistentRead, SourceMetrics metrics,
                  BooleanSupplier stopping, Clock clock, Semaphore unstored, int storeAfterItems) {
    }

    private final Shared shared;
    private final SegmentLease lease;
    private final OrderedPublisher publisher;
    private final SegmentPositions positions = new SegmentPositions();
    private final SegmentProgressWrites progress;
    /** Items dispatched so far, counting those acknowledged before this claim. */
    private long items;
    /** The Scan under way for the next page. */
    private CompletableFuture<ScanResponse> pending;
    private long backoffMillis;

    SegmentReader(Shared shared, SegmentLease lease, SegmentRow claimed) throws InterruptedException {
        this.shared = shared;
        this.lease = lease;
        this.publisher = new OrderedPublisher(shared.publishing(), "Snapshot segment " + lease.segment(),
                shared.metrics().segment(),
                shared.publishing().sequencing().forSegment(shared.origin(), shared.generation().generation(),
                        lease.segment(), shared.stopping()));
        this.progress = new SegmentProgressWrites(shared, lease, publisher, positions, claimed);
        this.items = claimed.items();
    }

    /** Reads the segment to its end, or until the lease is lost or the source closes. */
    Outcome read() throws InterruptedException {
        try {
            return readSegment();
        } finally {
            if (pending != null) {
                pending.cancel(false);
            }
            shared.unstored().release((int) progress.unstored());
        }
    }

    private Outcome readSegment() throws InterruptedException {
        int segment = lease.segment();
        log.info("Snapshot segment {}/{}: reading from {} ({} items acknowledged before)", segment,
                shared.generation().segments(), progress.cursor() == null ? "the start" : "cursor "
                + progress.cursor(), items);
        Map<String, AttributeValue> start = ScanCursor.startKey(progress.cursor());
        boolean allRead = ScanCursor.END.equals(progress.cursor());
        while (true) {
            if (progress.poll(allRead ? Urgency.NOW : Urgency.ROUTINE)) {
                log.info("Snapshot segment {}/{}: done, {} items", segment, shared.generation().segments(),
                        progress.stored());
                return Outcome.DONE;
            }
            if (lease.lost()) {
                return lost();
            }
            if (shared.stopping().getAsBoolean()) {
                return stop();
            }
            if (allRead || !lease.safeToPublish(shared.clock().millis())) {
                awaitAcknowledgedOrWritten(ACK_POLL);
                continue;
            }
            if (pending == null && !scan(start)) {
                continue;
            }
            ScanResponse page = take();
            if (page == null) {
                continue;
            }
            shared.budget().consume(readUnits(page));
            String after = ScanCursor.after(page.lastEvaluatedKey());
            start = ScanCursor.startKey(after);
            allRead = ScanCursor.END.equals(after);
            if (!allRead && !scan(start)) {
                continue;  // stopping or lost: the next round says which
            }
            if (!dispatch(page.items(), after)) {
                return lease.lost() ? lost() : stop();
            }
        }
    }

    private Outcome lost() {
        publisher.clear();
        log.warn("Snapshot segment {}: another instance took it over; leaving it to that one", lease.segment());
        return Outcome.LOST;
    }

    /** The source is closing: what Pulsar acknowledges in a few seconds is stored, so a restart redoes less. */
    private Outcome stop() throws InterruptedException {
        publisher.awaitAcknowledged(SHUTDOWN_ACK_WAIT);
        progress.drain(SHUTDOWN_ACK_WAIT);
        log.info("Snapshot segment {}: stopped at cursor {} ({} items acknowledged)", lease.segment(),
                progress.cursor() == null ? "(start)" : progress.cursor(), progress.stored());
        return Outcome.STOPPED;
    }

    /** Waits for acknowledgements, or for the progress write once everything is acknowledged. */
    private void awaitAcknowledgedOrWritten(Duration timeout) throws InterruptedException {
        publisher.redeliverFailed();
        if (publisher.awaitAcknowledged(timeout) && !progress.awaitWrite(timeout)) {
            TimeUnit.MILLISECONDS.sleep(timeout.toMillis());  // nothing held, nothing written: the lease's renewal
        }
    }

    /**
     * Starts the Scan of the page at {@code start} once the read budget allows, storing progress meanwhile.
     *
     * @return false when the source closes or the lease is lost first
     */
    private boolean scan(Map<String, AttributeValue> start) throws InterruptedException {
        long waitNanos;
        while ((waitNanos = shared.budget().nanosUntilAvailable()) > 0) {
            progress.poll(Urgency.ROUTINE);
            if (lease.lost() || shared.stopping().getAsBoolean()) {
                return false;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(waitNanos, POLL.toNanos()));
        }
        pending = shared.scans().scan(ScanRequest.builder().tableName(shared.table())
                .segment(lease.segment()).totalSegments(shared.generation().segments())
                .exclusiveStartKey(start).limit(shared.pageLimit()).consistentRead(shared.consistentRead())
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL).build());
        return true;
    }

    /** The page the Scan under way returns; null when it failed and is to be tried again (after a backoff). */
    private ScanResponse take() throws InterruptedException {
        CompletableFuture<ScanResponse> call = pending;
        pending = null;
        try {
            ScanResponse page = SnapshotTable.join(call);
            backoffMillis = 0;
            return page;
        } catch (AwsServiceException | SdkClientException e) {
            if (!retryable(e)) {
                throw e;
            }
            backoffMillis = Math.min(MAX_BACKOFF.toMillis(), Math.max(500, backoffMillis * 2));
            log.warn("Snapshot segment {}: Scan failed ({}); retrying in {} ms", lease.segment(), e.toString(),
                    backoffMillis);
            Thread.sleep(backoffMillis);
            return null;  // the next round scans the same page again
        }
    }

    /** Throttling and transient trouble are retried for ever: a snapshot never fails the source for them. */
    private static boolean retryable(RuntimeException error) {
        if (error instanceof AwsServiceException service) {
            return service.isThrottlingException() || service.statusCode() >= 500;
        }
        return true;  // SdkClientException: the request did not get through
    }

    /**
     * The page's items, each as a snapshot read completing its own position, within the window of unstored items.
     *
     * @return false when the source closes or the lease is lost before the page is dispatched
     */
    private boolean dispatch(List<Map<String, AttributeValue>> page, String after) throws InterruptedException {
        Instant readTime = shared.clock().instant();
        long readTimeMillis = readTime.toEpochMilli();
        List<Map<String, AttributeValue>> keys = new ArrayList<>(page.size());
        for (Map<String, AttributeValue> item : page) {
            keys.add(shared.reads().keyOf(item));
        }
        long number = positions.add(items, keys, after);
        if (page.isEmpty()) {
            return publisher.passEmpty(SegmentPositions.position(number, 0), readTimeMillis);
        }
        int dispatched = 0;
        try {
            for (int i = 0; i < page.size(); i++) {
                if (!awaitRoom()) {
                    return false;
                }
                var record = shared.reads().read(page.get(i), keys.get(i), readTime);
                Skip skip = shared.filter().accepts(record) ? Skip.NO : Skip.FILTERED;
                if (!publisher.publish(record, shared.origin(), SegmentPositions.position(number, i + 1), true,
                        skip, readTimeMillis)) {
                    return false;
                }
                items++;
                dispatched++;
                progress.poll(Urgency.ROUTINE);
            }
            return true;
        } finally {
            shared.metrics().snapshotItems(dispatched);
        }
    }

    /**
     * Waits until the item may be published: while the lease has {@link SegmentLease#SAFETY} left (checked item by
     * item, a page takes a while), with a permit of the unstored window; stores this segment's progress meanwhile.
     *
     * @return false when the source closes or the lease is lost first
     */
    private boolean awaitRoom() throws InterruptedException {
        while (!lease.safeToPublish(shared.clock().millis())) {
            if (lease.lost() || shared.stopping().getAsBoolean()) {
                return false;
            }
            progress.poll(Urgency.NOW);
            awaitAcknowledgedOrWritten(POLL);
        }
        while (!shared.unstored().tryAcquire(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
            progress.poll(Urgency.WAITING);
            publisher.redeliverFailed();
            if (lease.lost() || shared.stopping().getAsBoolean()) {
                return false;
            }
        }
        progress.dispatched();
        return true;
    }

    private double readUnits(ScanResponse page) {
        if (page.consumedCapacity() != null && page.consumedCapacity().capacityUnits() != null) {
            return page.consumedCapacity().capacityUnits();
        }
        long bytes = 0;
        for (Map<String, AttributeValue> item : page.items()) {
            bytes += SnapshotReads.estimateSize(item);
        }
        double units = Math.ceil(bytes / BYTES_PER_READ_UNIT);
        return shared.consistentRead() ? units : units / 2;
    }
}
