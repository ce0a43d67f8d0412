package org.apache.pulsar.io.dynamodb.snapshot;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshot's progress in the log, at most every 30 s: items acknowledged by all instances (the segment rows'
 * counts), segments done, the rate since the last line, and the time left estimated from the table's item count.
 */
final class SnapshotProgress {

    private static final Logger log = LoggerFactory.getLogger(SnapshotProgress.class);
    static final Duration EVERY = Duration.ofSeconds(30);

    private final SnapshotPlan plan;
    private final Clock clock;
    private long lastMillis;
    private long lastItems = -1;

    SnapshotProgress(SnapshotPlan plan, Clock clock) {
        this.plan = plan;
        this.clock = clock;
        this.lastMillis = clock.millis();
    }

    /** Logs a line if the last is 30 s old (the first one 30 s after start). */
    void maybeLog(Map<Integer, SegmentRow> rows, long publishedHere, int readingHere) {
        long now = clock.millis();
        if (now - lastMillis < EVERY.toMillis()) {
            return;
        }
        long items = rows.values().stream().mapToLong(SegmentRow::items).sum();
        int done = segmentsDone(rows);
        int segments = plan.generation().segments();
        double seconds = (now - lastMillis) / 1000.0;
        double rate = lastItems < 0 ? items / Math.max(1, (now - plan.generation().startedAt().toEpochMilli()) / 1000.0)
                : (items - lastItems) / seconds;
        long estimate = plan.itemCountEstimate();
        String left = estimate > items && rate > 0
                ? "about " + formatDuration(Duration.ofSeconds((long) ((estimate - items) / rate))) + " left"
                : "time left unknown";
        log.info("Snapshot of table {} (generation {}): {} items acknowledged of about {}, segments {}/{} done, "
                + "{} items/s, {}; this instance reads {} segments and has published {} items", plan.table(),
                plan.generation().generation(), items, estimate, done, segments, Math.round(rate), left, readingHere,
                publishedHere);
        lastMillis = now;
        lastItems = items;
    }

    /** Segments done, by any instance. */
    static int segmentsDone(Map<Integer, SegmentRow> rows) {
        return (int) rows.values().stream().filter(SegmentRow::done).count();
    }

    static String formatDuration(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds < 120) {
            return seconds + " s";
        }
        if (seconds < 7200) {
            return seconds / 60 + " min";
        }
        return String.format("%.1f h", seconds / 3600.0);
    }
}
