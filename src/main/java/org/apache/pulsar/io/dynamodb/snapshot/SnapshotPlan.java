package org.apache.pulsar.io.dynamodb.snapshot;

import java.util.List;
import java.util.function.Supplier;
import org.apache.pulsar.io.dynamodb.config.SnapshotConfig;
import org.apache.pulsar.io.dynamodb.convert.RecordOrigin;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * What {@link SnapshotSetup} found and decided at open: the table, this instance's part, the current generation.
 *
 * @param dynamo            the DynamoDB client (the snapshot table, KCL's lease table)
 * @param scanClient        builds the client of the Scan's pages, which the snapshot closes
 * @param applicationName   names the snapshot table and KCL's lease table
 * @param table             the source table
 * @param keyAttributes     its key schema: partition key, then sort key if any
 * @param itemCountEstimate its ItemCount when the source opened
 * @param viewType          the stream's view type, which decides whether a snapshot read carries the item
 * @param origin            table, region and stream for ENVELOPE's source
 * @param settings          the snapshot keys
 * @param state             the snapshot table
 * @param generation        the current generation
 * @param workerId          this instance's worker id (KCL's)
 * @param instanceId        this instance's index
 * @param instances         how many instances the source has (at least instanceId + 1)
 * @param receiveQueueSize  the permits of the connector
 * @param oneOfSeveral      the table is one of a source's several (its own state rows and KCL leases)
 */
record SnapshotPlan(DynamoDbAsyncClient dynamo, Supplier<DynamoDbClient> scanClient, String applicationName,
                    String table, List<String> keyAttributes, long itemCountEstimate, StreamViewType viewType, RecordOrigin origin, SnapshotConfig settings,
                    SnapshotTable state, SnapshotState generation, String workerId, int instanceId, int instances,
                    int receiveQueueSize, boolean oneOfSeveral) {

    /** The KCL leases the snapshot fences and resets: the application's, or only those of the table's streams. */
    KclLeases kclLeases() {
        return oneOfSeveral ? KclLeases.ofTable(dynamo, applicationName, table)
                : new KclLeases(dynamo, applicationName);
    }

    /** An instance reads at most this many segments at once, whatever snapshotSegments says. */
    static final int MAX_READERS_PER_INSTANCE = 16;

    /** Segments this instance reads at once: its share of the generation's segments. */
    int readers() {
        int share = (generation.segments() + instances - 1) / instances;
        return Math.max(1, Math.min(MAX_READERS_PER_INSTANCE, share));
    }

    /** A Scan page holds at most this many items (DynamoDB also ends a page at 1 MB). */
    static final int MAX_PAGE_ITEMS = 1000;

    /**
     * Items per Scan page: as many as the permits hold, at most 1000. A page no longer decides what a crash publishes
     * again (a cursor can be stored after any item), and pages of 1 MB cost DynamoDB far less per item than pages of
     * a hundred; a reader holds the page it publishes and the next one, read meanwhile.
     */
    int pageLimit() {
        return Math.min(MAX_PAGE_ITEMS, receiveQueueSize);
    }

    /**
     * Items this instance's readers may have published beyond their stored cursors, all together: what a crash of
     * the instance can make the snapshot publish again. Twice the permits: the items Pulsar holds, and as many
     * acknowledged while their progress is being stored.
     */
    int unstoredItems() {
        return (int) Math.min(Integer.MAX_VALUE, 2L * receiveQueueSize);
    }

    /**
     * A reader stores its progress once this many of its items are acknowledged and not yet stored: half its share of
     * the unstored window beyond the items Pulsar holds (the other half is acknowledged while the write is under
     * way), so that the readers fill the window only when their writes fall behind, and write no more often than
     * that needs.
     */
    int storeAfterItems() {
        return (int) Math.max(1, (unstoredItems() - (long) receiveQueueSize) / readers() / 2);
    }

    /** This instance's part of the read capacity budget; 0 means no limit. */
    double readCapacityPerSecond() {
        return (double) settings.readCapacityPerSecond() / instances;
    }

    /** Whether segment i is in this instance's share (read first; the others once nobody else holds them). */
    boolean ownShare(int segment) {
        return segment % instances == instanceId % instances;
    }
}
