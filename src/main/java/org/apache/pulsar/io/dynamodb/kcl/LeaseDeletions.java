package org.apache.pulsar.io.dynamodb.kcl;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.apache.pulsar.io.dynamodb.streamset.StreamName;

/**
 * Deletes every lease of streams KCL must stop reading (a table no longer selected, or held for its snapshot), once
 * KCL can no longer re-create them: {@code delay} after a pass first found them, so that the leader's look at the
 * stream list (every 60 s) has dropped them from the streams its periodic shard sync keeps leases for.
 */
final class LeaseDeletions {

    private final LeaseRows rows;
    private final Duration delay;
    private final BiConsumer<StreamName, Integer> deleted;
    private final Map<StreamName, Long> since = new HashMap<>();

    /** @param deleted told of each stream whose leases went, with how many */
    LeaseDeletions(LeaseRows rows, Duration delay, BiConsumer<StreamName, Integer> deleted) {
        this.rows = rows;
        this.delay = delay;
        this.deleted = deleted;
    }

    /** The streams whose leases are to go, as the latest pass found them; one no longer among them is forgotten. */
    void toDelete(List<StreamName> streams) {
        since.keySet().retainAll(streams);
        streams.forEach(stream -> since.putIfAbsent(stream, System.nanoTime()));
    }

    /** Deletes the leases of the streams found at least {@code delay} ago. */
    void deleteDue() {
        List<StreamName> done = new ArrayList<>();
        since.forEach((stream, at) -> {
            if (System.nanoTime() - at >= delay.toNanos()) {
                deleted.accept(stream, rows.deleteAll(stream.identifier()));
                done.add(stream);
            }
        });
        done.forEach(since::remove);
    }
}
