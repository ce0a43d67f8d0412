package org.apache.pulsar.io.dynamodb.snapshot;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.io.dynamodb.stream.RetentionGap;
import org.apache.pulsar.io.dynamodb.stream.RetentionGapHandler;
import org.apache.pulsar.io.dynamodb.stream.RetentionGaps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * snapshotMode WHEN_NEEDED with several tables: a retention gap on one table's stream begins that table's next
 * snapshot generation (T0 now) and holds the table (its stream is no longer read, its leases go, its snapshot is
 * read, then its stream again from the oldest record, skipping what the new snapshot covers), while the other tables
 * stream on without a restart. Every {@link #WATCH} it also looks whether another instance began a table's new
 * generation, and holds that table too.
 */
final class TableResnapshots implements RetentionGapHandler, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TableResnapshots.class);
    /** How often an instance looks at the generations of the tables it reads. */
    static final Duration WATCH = Duration.ofSeconds(10);

    /** What this needs of the tables' gate. */
    interface Tables {
        /** The snapshot generation whose handoff the table's stream is read after; 0 when read without a snapshot,
         *  empty when the table's stream is not read now (held, or not yet admitted). */
        OptionalLong readAfter(String table);

        /** The tables whose streams are read now. */
        Set<String> reading();

        /** Stops reading the table's stream until its current snapshot generation is complete. */
        void hold(String table);
    }

    private final SnapshotTable state;
    private final Tables tables;
    private final RetentionGaps gaps;
    private final int segments;
    private final Clock clock;
    private ScheduledExecutorService watch;

    TableResnapshots(SnapshotTable state, Tables tables, RetentionGaps gaps, int segments, Clock clock) {
        this.state = state;
        this.tables = tables;
        this.gaps = gaps;
        this.segments = segments;
        this.clock = clock;
    }

    /** The table a DynamoDB stream ARN ({@code arn:...:table/<name>/stream/<label>}) belongs to. */
    static String tableOf(String streamArn) {
        int start = streamArn.indexOf(":table/");
        int end = streamArn.indexOf("/stream/", start + 1);
        if (start < 0 || end < 0) {
            throw new IllegalArgumentException("not a DynamoDB stream ARN: " + streamArn);
        }
        return streamArn.substring(start + ":table/".length(), end);
    }

    /**
     * Counts the gap, begins the table's next generation (unless another instance already did), holds the table and
     * throws, so that the shard is not read past the gap. A shard of a table already held only throws.
     */
    @Override
    public synchronized void onGap(RetentionGap gap) {
        String table = tableOf(gap.streamArn());
        OptionalLong readAfter = tables.readAfter(table);
        if (readAfter.isEmpty()) {
            throw new IllegalStateException("Table " + table + " is held for its snapshot: its stream is not read");
        }
        long total = gaps.record();
        SnapshotTable rows = state.forTable(table);
        Optional<SnapshotState> current = rows.read();
        SnapshotState next = current.filter(row -> row.generation() > readAfter.getAsLong()).orElseGet(() ->
                rows.begin(current, clock.instant(), segments, current.map(SnapshotState::itemCountEstimate).orElse(0L)));
        String message = "Table " + table + ": " + gap.describe() + ". snapshotMode WHEN_NEEDED: snapshot generation "
                + next.generation() + " of table " + table + " begun (T0 " + next.t0() + "); the table's stream is "
                + "no longer read until it completes, then from its oldest record, while the other tables are read on."
                + " Retention gaps met since the source opened: " + total;
        log.error(message);
        tables.hold(table);
        throw new IllegalStateException(message);
    }

    /**
     * Before a generation after the first reads any item: waits until every instance has seen it ({@link #WATCH}
     * after it began, with room) and stopped reading the table; the lease fence then waits for their leases to go.
     */
    static void awaitNoticed(SnapshotState generation, Clock clock) throws InterruptedException {
        long wait = generation.t0().plus(WATCH.multipliedBy(2)).toEpochMilli() - clock.millis();
        if (generation.generation() > 1 && wait > 0) {
            Thread.sleep(wait);
        }
    }

    /** Only the gap's table stops being read: the source closes gracefully for the others' checkpoints. */
    @Override
    public boolean stopsSource() {
        return false;
    }

    /** Starts looking at the generations of the tables read, every {@link #WATCH}. */
    void start(String applicationName) {
        watch = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "dynamodb-snapshot-watch-" + applicationName);
            thread.setDaemon(true);
            return thread;
        });
        watch.scheduleWithFixedDelay(this::checkGenerations, WATCH.toMillis(), WATCH.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Holds each table whose current generation is newer than the one its stream is read after. */
    synchronized void checkGenerations() {
        for (String table : tables.reading()) {
            try {
                OptionalLong readAfter = tables.readAfter(table);
                Optional<SnapshotState> current = state.forTable(table).read();
                if (readAfter.isPresent() && current.isPresent()
                        && current.get().generation() > readAfter.getAsLong()) {
                    log.warn("Table {}: snapshot generation {} was begun by another instance (a retention gap): its "
                            + "stream is no longer read here until that snapshot completes", table,
                            current.get().generation());
                    tables.hold(table);
                }
            } catch (SdkException e) {
                log.debug("Reading the snapshot state of table {} in {} failed: {}", table, state.name(),
                        e.toString());
            }
        }
    }

    @Override
    public void close() {
        if (watch != null) {
            watch.shutdownNow();
        }
    }
}
