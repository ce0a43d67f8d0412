package org.apache.pulsar.io.dynamodb.snapshot;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.apache.pulsar.io.dynamodb.convert.RecordOrigin;
import org.apache.pulsar.io.dynamodb.filter.RecordFilter;
import org.apache.pulsar.io.dynamodb.metrics.SourceMetrics;
import org.apache.pulsar.io.dynamodb.publish.OrderedPublisher;
import org.apache.pulsar.io.dynamodb.publish.PublishContext;
import org.apache.pulsar.io.dynamodb.publish.Skip;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * Reads one claimed segment of the table's parallel Scan, page by page, and publishes each item in order. Every
 * item of a page is an entry of the publisher's bookkeeping, and only the page's last item carries the page's cursor,
 * so the cursor stored in the snapshot table is always that of the last page Pulsar acknowledged entirely: a
 * reader after a crash or takeover resumes there, and publishes again at most the pages in flight.
 */
final class SegmentReader {

    private static final Logger log = LoggerFactory.getLogger(SegmentReader.class);
    private static final Duration ACK_POLL = Duration.ofMillis(200);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Duration SHUTDOWN_ACK_WAIT = Duration.ofSeconds(5);
    private static final double BYTES_PER_READ_UNIT = 4096;

    /** How a reader's work ended. */
    enum Outcome { DONE, LOST, STOPPED }

    /** What every segment reader of one snapshot shares. */
    record Shared(DynamoDbAsyncClient dynamo, String table, SnapshotTable state, SnapshotState generation,
                  ReadCapacityBudget budget, SnapshotReads reads, RecordFilter filter, PublishContext publishing,
                  RecordOrigin origin, int pageLimit, boolean consistentRead, SourceMetrics metrics,
                  BooleanSupplier stopping, Clock clock) {
    }

    private final Shared shared;
    private final SegmentLease lease;
    private final OrderedPublisher publisher;
    /** Cursor of each page dispatched and not yet stored, to the segment's item count up to its end. */
    private final Map<String, Long> itemsAtCursor = new LinkedHashMap<>();
    /** The cursor stored last, and the items acknowledged up to it. */
    private String cursor;
    private long stored;
    /** Items dispatched so far, counting those acknowledged before this claim. */
    private long items;

    SegmentReader(Shared shared, SegmentLease lease, SegmentRow claimed) throws InterruptedException {
        this.shared = shared;
        this.lease = lease;
        this.publisher = new OrderedPublisher(shared.publishing(), "Snapshot segment " + lease.segment(),
                shared.metrics().segment(),
                shared.publishing().sequencing().forSegment(shared.origin(), shared.generation().generation(),
                        lease.segment(), shared.stopping()));
        this.cursor = claimed.cursor();
        this.stored = claimed.items();
        this.items = claimed.items();
    }

    /** Reads the segment to its end, or until the lease is lost or the source closes. */
    Outcome read() throws InterruptedException {
        int segment = lease.segment();
        log.info("Snapshot segment {}/{}: reading from {} ({} items acknowledged before)", segment,
                shared.generation().segments(), cursor == null ? "the start" : "cursor " + cursor, items);
        Map<String, AttributeValue> start = ScanCursor.startKey(cursor);
        boolean allDispatched = ScanCursor.END.equals(cursor);
        long backoffMillis = 0;
        while (true) {
            if (storeAcknowledged()) {
                log.info("Snapshot segment {}/{}: done, {} items", segment, shared.generation().segments(), stored);
                return Outcome.DONE;
            }
            if (lease.lost()) {
                publisher.clear();
                log.warn("Snapshot segment {}: another instance took it over; leaving it to that one", segment);
                return Outcome.LOST;
            }
            if (shared.stopping().getAsBoolean()) {
                return stop();
            }
            if (allDispatched || !lease.safeToPublish(shared.clock().millis())) {
                publisher.redeliverFailed();
                publisher.awaitAcknowledged(ACK_POLL);
                continue;
            }
            shared.budget().awaitAvailable();
            ScanResponse page;
            try {
                page = scan(start);
                backoffMillis = 0;
            } catch (AwsServiceException | SdkClientException e) {
                if (!retryable(e)) {
                    throw e;
                }
                backoffMillis = Math.min(MAX_BACKOFF.toMillis(), Math.max(500, backoffMillis * 2));
                log.warn("Snapshot segment {}: Scan failed ({}); retrying in {} ms", segment, e.toString(),
                        backoffMillis);
                Thread.sleep(backoffMillis);
                continue;
            }
            shared.budget().consume(readUnits(page));
            String next = ScanCursor.after(page.lastEvaluatedKey());
            if (!dispatch(page.items(), next)) {
                return stop();
            }
            start = ScanCursor.startKey(next);
            allDispatched = ScanCursor.END.equals(next);
        }
    }

    /** The source is closing: what Pulsar acknowledges in a few seconds is stored, so a restart redoes less. */
    private Outcome stop() throws InterruptedException {
        publisher.awaitAcknowledged(SHUTDOWN_ACK_WAIT);
        storeAcknowledged();
        log.info("Snapshot segment {}: stopped at cursor {} ({} items acknowledged)", lease.segment(),
                cursor == null ? "(start)" : cursor, stored);
        return Outcome.STOPPED;
    }

    private ScanResponse scan(Map<String, AttributeValue> start) {
        return SnapshotTable.join(shared.dynamo().scan(b -> b.tableName(shared.table())
                .segment(lease.segment()).totalSegments(shared.generation().segments())
                .exclusiveStartKey(start).limit(shared.pageLimit()).consistentRead(shared.consistentRead())
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)));
    }

    /** Throttling and transient trouble are retried for ever: a snapshot never fails the source for them. */
    private static boolean retryable(RuntimeException error) {
        if (error instanceof AwsServiceException service) {
            return service.isThrottlingException() || service.statusCode() >= 500;
        }
        return true;  // SdkClientException: the request did not get through
    }

    /** The page's items, each as a snapshot read, the last one carrying the page's cursor. */
    private boolean dispatch(List<Map<String, AttributeValue>> page, String next) throws InterruptedException {
        Instant readTime = shared.clock().instant();
        long readTimeMillis = readTime.toEpochMilli();
        itemsAtCursor.put(next, items + page.size());
        if (page.isEmpty()) {
            return publisher.passEmpty(next, readTimeMillis);
        }
        for (int i = 0; i < page.size(); i++) {
            var record = shared.reads().read(page.get(i), readTime);
            Skip skip = shared.filter().accepts(record) ? Skip.NO : Skip.FILTERED;
            if (!publisher.publish(record, shared.origin(), next, i == page.size() - 1, skip, readTimeMillis)) {
                return false;
            }
        }
        items += page.size();
        shared.metrics().snapshotItems(page.size());
        return true;
    }

    /** Stores the newest fully acknowledged cursor, if there is a new one; true once END is stored. */
    private boolean storeAcknowledged() {
        Optional<String> acknowledged = publisher.checkpointable();
        if (acknowledged.isEmpty() || lease.lost()) {
            return false;
        }
        String position = acknowledged.get();
        long count = itemsAtCursor.getOrDefault(position, items);
        long writtenAt = shared.clock().millis();
        try {
            if (!shared.state().saveProgress(shared.generation(), lease.segment(), lease.claim(), position, count)) {
                lease.lose();
                return false;
            }
        } catch (SdkException e) {
            log.warn("Snapshot segment {}: storing its progress failed ({}); trying again", lease.segment(),
                    e.toString());
            shared.metrics().checkpointFailed();
            return false;
        }
        shared.metrics().checkpointWritten();
        lease.extended(writtenAt);
        publisher.checkpointed(position);
        cursor = position;
        stored = count;
        // cursors up to this one are stored: forget them
        var it = itemsAtCursor.keySet().iterator();
        while (it.hasNext()) {
            boolean reached = it.next().equals(position);
            it.remove();
            if (reached) {
                break;
            }
        }
        return ScanCursor.END.equals(position);
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
