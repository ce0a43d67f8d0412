package org.apache.pulsar.io.dynamodb.snapshot;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.pulsar.io.dynamodb.streamset.StreamName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * What a snapshot does to the application's KCL lease table ({@code <applicationName>}). Before a snapshot reads
 * anything, it waits until no KCL worker of the application still renews a lease, so that no stream record read
 * before the snapshot can reach Pulsar after a snapshot copy. When it completes, it deletes every lease: KCL (its
 * start-up preparation, or its own shard sync) creates them again at TRIM_HORIZON, and the stream is read from its
 * oldest record, skipping what the snapshot covers. A worker that still held a deleted lease can no longer renew or
 * checkpoint it: KCL writes leases conditionally on their counter and owner.
 */
final class KclLeases {

    private static final Logger log = LoggerFactory.getLogger(KclLeases.class);

    private final DynamoDbAsyncClient dynamo;
    private final String leaseTable;
    private final Predicate<Map<String, AttributeValue>> scope;

    /** Every lease of the application (a source of one stream). */
    KclLeases(DynamoDbAsyncClient dynamo, String leaseTable) {
        this(dynamo, leaseTable, lease -> true);
    }

    private KclLeases(DynamoDbAsyncClient dynamo, String leaseTable, Predicate<Map<String, AttributeValue>> scope) {
        this.dynamo = dynamo;
        this.leaseTable = leaseTable;
        this.scope = scope;
    }

    /** The leases of one table's streams in a multi-stream application: the others are not the snapshot's. */
    static KclLeases ofTable(DynamoDbAsyncClient dynamo, String leaseTable, String table) {
        return new KclLeases(dynamo, leaseTable, lease -> {
            AttributeValue stream = lease.get("streamName");
            return stream != null && stream.s() != null
                    && StreamName.ofIdentifier(stream.s()).table().equals(table);
        });
    }

    /**
     * Returns once no lease is renewed over {@code quiet} (KCL renews a held lease every few seconds and takes an
     * unrenewed one after its 10 s failover time): at once for a new application, or one whose leases are unowned;
     * {@code quiet} after the last owned ones were deleted, which their worker notices only at its next renewal.
     */
    void awaitNoWorkerRenewing(Duration quiet, Runnable stillWaiting) throws InterruptedException {
        Map<String, String> before = ownedCounters();
        while (!before.isEmpty()) {
            log.info("Waiting {} s to make sure no KCL worker of application {} still reads the stream before the"
                    + " snapshot starts ({} leases owned)", quiet.toSeconds(), leaseTable, before.size());
            Thread.sleep(quiet.toMillis());
            Map<String, String> after = ownedCounters();
            if (after.equals(before)) {
                return;  // none renewed, taken or deleted over the whole wait
            }
            stillWaiting.run();
            if (after.isEmpty()) {
                // the last ones were deleted meanwhile: their worker stops at its next renewal, a few seconds on
                Thread.sleep(quiet.toMillis());
            }
            before = after;
        }
    }

    /** Lease key to "owner/counter" of every lease that has an owner; empty when the lease table does not exist. */
    private Map<String, String> ownedCounters() {
        Map<String, String> owned = new HashMap<>();
        forEachLease(lease -> {
            AttributeValue owner = lease.get("leaseOwner");
            if (owner != null && owner.s() != null && !owner.s().isEmpty()) {
                AttributeValue counter = lease.get("leaseCounter");
                owned.put(lease.get("leaseKey").s(), owner.s() + "/" + (counter == null ? "" : counter.n()));
            }
        });
        return owned;
    }

    /** Deletes every lease of the application; returns how many there were. */
    int deleteAll() {
        int[] deleted = {0};
        forEachLease(lease -> {
            SnapshotTable.join(dynamo.deleteItem(b -> b.tableName(leaseTable)
                    .key(Map.of("leaseKey", lease.get("leaseKey")))));
            deleted[0]++;
        });
        return deleted[0];
    }

    private void forEachLease(java.util.function.Consumer<Map<String, AttributeValue>> action) {
        Map<String, AttributeValue> start = null;
        try {
            do {
                Map<String, AttributeValue> from = start;
                ScanResponse page = SnapshotTable.join(dynamo.scan(b -> b.tableName(leaseTable).consistentRead(true)
                        .exclusiveStartKey(from)));
                page.items().stream().filter(scope).forEach(action);
                start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
                        ? page.lastEvaluatedKey() : null;
            } while (start != null);
        } catch (ResourceNotFoundException noLeaseTable) {
            // a new application: KCL has not created its lease table yet
        }
    }
}
