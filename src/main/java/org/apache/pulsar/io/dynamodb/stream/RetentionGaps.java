package org.apache.pulsar.io.dynamodb.stream;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the retention gaps this instance met (records trimmed before they were published), for the log and for
 * metrics to read; and, with snapshotMode NONE or INITIAL, reports each gap as an ERROR and goes on.
 */
public final class RetentionGaps implements RetentionGapHandler {

    private static final Logger log = LoggerFactory.getLogger(RetentionGaps.class);

    private final AtomicLong count = new AtomicLong();

    /** Gaps met since the source opened. */
    public long count() {
        return count.get();
    }

    /** Counts a gap; returns the count including it. */
    public long record() {
        return count.incrementAndGet();
    }

    /** ERROR, count, and go on from the oldest record still in the stream: what snapshotMode NONE and INITIAL do. */
    @Override
    public void onGap(RetentionGap gap) {
        long total = record();
        log.error("{}. Going on from the oldest record still in the stream. To bring the whole table into the topic "
                + "again, set snapshotMode WHEN_NEEDED (it snapshots again now and whenever this happens), or start a"
                + " source with a new applicationName and snapshotMode INITIAL. Retention gaps met since the source "
                + "opened: {}", gap.describe(), total);
    }
}
