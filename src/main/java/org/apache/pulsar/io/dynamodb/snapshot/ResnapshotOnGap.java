package org.apache.pulsar.io.dynamodb.snapshot;

import java.time.Clock;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.pulsar.io.dynamodb.stream.RetentionGap;
import org.apache.pulsar.io.dynamodb.stream.RetentionGapHandler;
import org.apache.pulsar.io.dynamodb.stream.RetentionGaps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * snapshotMode WHEN_NEEDED's answer to a retention gap: count it, begin the next snapshot generation (T0 now), and
 * fail the source, which Pulsar restarts: at open it joins the new generation, and every other instance notices it
 * within 10 s and restarts too. Nothing is read past the gap meanwhile.
 */
final class ResnapshotOnGap implements RetentionGapHandler {

    private static final Logger log = LoggerFactory.getLogger(ResnapshotOnGap.class);

    private final SnapshotPlan plan;
    private final RetentionGaps gaps;
    private final Consumer<Throwable> fatal;
    private final Clock clock;
    private volatile IllegalStateException stop;

    ResnapshotOnGap(SnapshotPlan plan, RetentionGaps gaps, Consumer<Throwable> fatal, Clock clock) {
        this.plan = plan;
        this.gaps = gaps;
        this.fatal = fatal;
        this.clock = clock;
    }

    @Override
    public void onGap(RetentionGap gap) {
        IllegalStateException stopped = stop;
        if (stopped != null) {
            throw stopped;  // KCL retries the shard: the source is already failing
        }
        long total = gaps.record();
        SnapshotState next = plan.state().begin(Optional.of(plan.generation()), clock.instant(),
                plan.settings().segments(), plan.itemCountEstimate());
        String message = gap.describe() + ". snapshotMode WHEN_NEEDED: snapshot generation " + next.generation()
                + " of table " + plan.table() + " begun (T0 " + next.t0() + "); the source restarts to read it and "
                + "then the stream from there. Retention gaps met since the source opened: " + total;
        log.error(message);
        stop = new IllegalStateException(message);
        fatal.accept(stop);
        throw stop;
    }
}
