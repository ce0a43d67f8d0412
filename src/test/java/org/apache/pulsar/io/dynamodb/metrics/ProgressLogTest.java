package org.apache.pulsar.io.dynamodb.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Progress lines: only while behind, never two within 30 s, and one when caught up. */
class ProgressLogTest {

    private static final long T = 1_700_000_000_000L;
    private static final long BEHIND = ProgressLog.BEHIND.toMillis();
    private static final long PERIOD = ProgressLog.PERIOD.toMillis();

    private final SourceMetrics metrics = new SourceMetrics(() -> 0);
    private final ProgressLog progress = new ProgressLog();
    private final ShardMetrics shard = metrics.shard("shardId-0001");

    private Optional<String> at(long nowMillis) {
        return progress.next(nowMillis, metrics.read(nowMillis));
    }

    @Test
    void aLiveStreamLogsNothing() {
        for (long now = T; now < T + 10 * PERIOD; now += 1_000) {
            shard.polled(1);
            shard.held(now - 59_000); // DynamoDB Local: creation times rounded down to the minute
            assertThat(at(now)).isEmpty();
            shard.released(1);
        }
    }

    @Test
    void aBacklogDrainLogsEveryPeriodUntilCaughtUp() {
        List<String> lines = new ArrayList<>();
        shard.polled(1000);
        shard.held(T - 10 * BEHIND);
        at(T).ifPresent(lines::add);
        assertThat(lines).singleElement().asString()
                .startsWith("Behind the stream: lag 1200000 ms on shardId-0001 (lag_ms_shard0), 1 records pending");

        // reports every 10 s, 30,000 records acknowledged per report, the oldest held record 10 s younger each time
        for (int report = 1; report <= 9; report++) {
            long now = T + report * 10_000L;
            for (int i = 0; i < 30_000; i++) {
                shard.acknowledged();
            }
            shard.released(1);
            shard.held(T - 10 * BEHIND + report * 20_000L);
            at(now).ifPresent(lines::add);
        }
        assertThat(lines).hasSize(4);
        assertThat(lines.get(1)).isEqualTo("Draining: 90000 records acknowledged in the last 30 s (3000/s), lag 1170000 ms"
                + " on shardId-0001 (lag_ms_shard0), 1 records pending in the connector");

        shard.released(1);
        shard.polled(0);
        at(T + 100_000).ifPresent(lines::add);
        assertThat(lines).as("caught up 10 s after the last line: it waits for the period").hasSize(4);
        at(T + 120_000).ifPresent(lines::add);
        assertThat(lines).hasSize(5);
        assertThat(lines.get(4)).isEqualTo("Caught up with the stream: lag 0 ms, 0 records acknowledged since the "
                + "last progress line");
        assertThat(at(T + 10 * PERIOD)).as("nothing more once caught up").isEmpty();
    }

    @Test
    void pulsarNotAcknowledgingShowsAsBehindWithNothingDrained() {
        shard.polled(5);
        shard.held(T);
        assertThat(at(T + BEHIND - 1)).isEmpty();
        assertThat(at(T + BEHIND)).hasValueSatisfying(line -> assertThat(line).startsWith("Behind the stream"));
        assertThat(at(T + BEHIND + PERIOD - 1)).isEmpty();
        assertThat(at(T + BEHIND + PERIOD)).hasValueSatisfying(line -> assertThat(line)
                .startsWith("Draining: 0 records acknowledged in the last 30 s (0/s), lag 150000 ms"));
    }
}
