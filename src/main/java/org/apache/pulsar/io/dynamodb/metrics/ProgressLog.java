package org.apache.pulsar.io.dynamodb.metrics;

import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import org.apache.pulsar.io.dynamodb.metrics.SourceMetrics.Reading;
import org.apache.pulsar.io.dynamodb.metrics.SourceMetrics.ShardReading;

/**
 * Progress lines for long work (a backlog drain, Pulsar not taking records): one when the connector falls
 * behind, one per period while it stays behind, one when it has caught up; never two within a period.
 */
final class ProgressLog {

    /** Least time between two lines. */
    static final Duration PERIOD = Duration.ofSeconds(30);
    /**
     * Lag from which the connector counts as behind. Above DynamoDB Local's minute-rounded creation times (a live
     * stream reads up to a minute there); on AWS a backlog that much smaller drains in seconds.
     */
    static final Duration BEHIND = Duration.ofMinutes(2);

    private long lastLineMillis = Long.MIN_VALUE;
    private long acknowledgedAtLastLine;
    private boolean announcedBehind;

    /** The line to log for this reading, if one is due. */
    Optional<String> next(long nowMillis, Reading reading) {
        long lag = reading.value(Metric.LAG_MS_MAX);
        boolean behind = lag >= BEHIND.toMillis();
        if (!behind && !announcedBehind) {
            return Optional.empty();
        }
        if (lastLineMillis != Long.MIN_VALUE && nowMillis - lastLineMillis < PERIOD.toMillis()) {
            return Optional.empty();
        }
        long acknowledged = reading.value(Metric.RECORDS_ACKNOWLEDGED);
        String line;
        if (!behind) {
            line = String.format("Caught up with the stream: lag %d ms, %d records acknowledged since the last "
                    + "progress line", lag, acknowledged - acknowledgedAtLastLine);
            announcedBehind = false;
        } else if (!announcedBehind) {
            line = String.format("Behind the stream: lag %d ms%s, %d records pending in the connector; progress "
                    + "every %d s until caught up", lag, worstShard(reading), reading.value(Metric.RECORDS_PENDING),
                    PERIOD.toSeconds());
            announcedBehind = true;
        } else {
            long seconds = Math.max(1, (nowMillis - lastLineMillis) / 1000);
            long drained = acknowledged - acknowledgedAtLastLine;
            line = String.format("Draining: %d records acknowledged in the last %d s (%d/s), lag %d ms%s, "
                    + "%d records pending in the connector", drained, seconds, drained / seconds, lag,
                    worstShard(reading), reading.value(Metric.RECORDS_PENDING));
        }
        lastLineMillis = nowMillis;
        acknowledgedAtLastLine = acknowledged;
        return Optional.of(line);
    }

    private static String worstShard(Reading reading) {
        return reading.shards().stream().max(Comparator.comparingLong(ShardReading::lagMillis))
                .map(shard -> " on " + shard.shardId() + " (" + Metric.LAG_MS_SHARD.forSlot(shard.slot()) + ")")
                .orElse("");
    }
}
