package org.apache.pulsar.io.dynamodb.snapshot;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.pulsar.io.dynamodb.filter.RecordFilter;
import org.apache.pulsar.io.dynamodb.metrics.Metric;
import org.apache.pulsar.io.dynamodb.metrics.SourceMetrics;
import org.apache.pulsar.io.dynamodb.publish.PublishContext;
import org.apache.pulsar.io.dynamodb.stream.ChangeStream;
import org.apache.pulsar.io.dynamodb.stream.RetentionGap;
import org.apache.pulsar.io.dynamodb.stream.RetentionGapHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Reads every item of the table with a parallel Scan shared by the source's instances, and publishes each as a
 * snapshot read. One coordinator thread per instance claims segments in the snapshot table (its own share first,
 * then any nobody holds), renews their leases, logs progress and, once every segment is done, completes the
 * generation: resets KCL's leases and marks it COMPLETE. Each claimed segment is read by a {@link SegmentReader} on
 * a thread of its own. {@code onComplete} runs once the generation is COMPLETE, whoever completed it.
 */
final class SnapshotChangeStream implements ChangeStream {

    private static final Logger log = LoggerFactory.getLogger(SnapshotChangeStream.class);
    private static final Duration TICK = Duration.ofSeconds(1);
    private static final Duration RENEW_EVERY = Duration.ofSeconds(10);
    /** Longer than KCL's 10 s failover: a worker still alive renews its leases within it. */
    private static final Duration FENCE_QUIET = Duration.ofSeconds(12);
    private static final Duration READER_EXIT_TIMEOUT = Duration.ofSeconds(15);

    private final SnapshotPlan plan;
    private final Clock clock;
    private final RetentionGapHandler gaps;
    private final Runnable onComplete;
    private final Consumer<Throwable> fatal;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final Map<Integer, SegmentLease> reading = new ConcurrentHashMap<>();
    private final SourceMetrics metrics;
    private final PublishContext publishing;
    private final RecordFilter filter;
    private final SnapshotProgress progress;
    private final Object wakeUp = new Object();
    private SegmentReader.Shared shared;
    private ScanPages scans;
    private ExecutorService readers;
    private Thread coordinator;
    private long lastRenewNanos;

    SnapshotChangeStream(SnapshotPlan plan, PublishContext publishing, RecordFilter filter, RetentionGapHandler gaps,
                         Runnable onComplete, Consumer<Throwable> fatal, Clock clock, SourceMetrics metrics) {
        this.plan = plan;
        this.metrics = metrics;
        this.clock = clock;
        this.gaps = gaps;
        this.onComplete = onComplete;
        this.fatal = fatal;
        this.filter = filter;
        this.publishing = new PublishContext(publishing.converter(), publishing.sink(),
                publishing.heldRecords(), () -> stopping.get() || publishing.stopping().getAsBoolean(),
                publishing.sequencing());
        this.progress = new SnapshotProgress(plan, clock);
    }

    /** Builds the Scan's client (only a snapshot that runs needs one) and starts claiming segments. */
    @Override
    public void start() {
        scans = new SyncScanPages(plan.scanClient().get(), plan.readers(), "dynamodb-snapshot-scan-" + plan.table());
        shared = new SegmentReader.Shared(scans, plan.table(), plan.state(), plan.generation(),
                new ReadCapacityBudget(plan.readCapacityPerSecond(), System::nanoTime),
                new SnapshotReads(plan.keyAttributes(), plan.viewType(), plan.origin().region()), filter, publishing,
                plan.origin(), plan.pageLimit(), plan.settings().consistentRead(), metrics,
                () -> stopping.get(), clock, new Semaphore(plan.unstoredItems()), plan.storeAfterItems());
        readers = Executors.newFixedThreadPool(plan.readers(), daemon("dynamodb-snapshot-segment-"
                + plan.table()));
        coordinator = daemon("dynamodb-snapshot-" + plan.table()).newThread(this::coordinate);
        coordinator.start();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private void coordinate() {
        SnapshotState generation = plan.generation();
        try {
            log.info("Snapshot of table {} (generation {}, T0 {}): {} segments, this instance ({} of {}) reads up to "
                    + "{} at once, {} items per page, {} read units/s, about {} items", plan.table(),
                    generation.generation(), generation.t0(), generation.segments(), plan.instanceId(),
                    plan.instances(), plan.readers(), plan.pageLimit(),
                    plan.readCapacityPerSecond() > 0 ? String.format("%.0f", plan.readCapacityPerSecond())
                            : "unlimited", generation.itemCountEstimate());
            plan.kclLeases().awaitNoWorkerRenewing(FENCE_QUIET, plan.oneOfSeveral()
                    ? () -> log.info("Table {}: KCL leases of its stream are still held (the source deletes them a "
                            + "while after the table was held); the snapshot waits for them", plan.table())
                    : () -> log.warn("KCL leases of application {} are still being renewed: a worker of the "
                            + "application still reads the stream (an instance not yet restarted?); the snapshot "
                            + "waits for it", plan.applicationName()));
            while (!stopping.get()) {
                if (tick(generation)) {
                    return;
                }
                synchronized (wakeUp) {
                    wakeUp.wait(TICK.toMillis());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            if (!stopping.get()) {
                log.error("Snapshot of table {} failed: {}", plan.table(), e.toString(), e);
                fatal.accept(e);
            }
        }
    }

    /** One round: renew, look, claim, complete. True once the generation is complete and the stream started. */
    private boolean tick(SnapshotState generation) throws InterruptedException {
        try {
            renewIfDue(generation);
            SnapshotState current = plan.state().read().orElseThrow();
            if (current.generation() != generation.generation()) {
                throw new IllegalStateException("Snapshot generation " + current.generation() + " of table "
                        + plan.table() + " began while this instance read generation " + generation.generation()
                        + "; restarting to read the new one");
            }
            Map<Integer, SegmentRow> rows = plan.state().segments(generation);
            metrics.snapshotSegments(SnapshotProgress.segmentsDone(rows), generation.segments());
            progress.maybeLog(rows, metrics.total(Metric.SNAPSHOT_ITEMS), reading.size());
            if (current.complete() || allDone(rows) && complete(generation, rows)) {
                handOff(current.complete() ? current : plan.state().read().orElseThrow());
                return true;
            }
            claim(generation, rows);
        } catch (SdkException e) {
            log.warn("Snapshot of table {}: reading the snapshot table failed ({}); trying again", plan.table(),
                    e.toString());
        }
        return false;
    }

    private boolean allDone(Map<Integer, SegmentRow> rows) {
        int segments = plan.generation().segments();
        for (int i = 0; i < segments; i++) {
            SegmentRow row = rows.get(i);
            if (row == null || !row.done()) {
                return false;
            }
        }
        return true;
    }

    private void claim(SnapshotState generation, Map<Integer, SegmentRow> rows) {
        long now = clock.millis();
        List<Integer> candidates = new ArrayList<>();
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < generation.segments(); i++) {
                if (plan.ownShare(i) == (pass == 0)) {
                    candidates.add(i);
                }
            }
        }
        for (int segment : candidates) {
            if (reading.size() >= plan.readers()) {
                return;
            }
            SegmentRow row = rows.get(segment);
            boolean claimable = row == null || !row.done()
                    && (plan.workerId().equals(row.owner()) || row.leaseUntil() < now);
            if (!claimable || reading.containsKey(segment)) {
                continue;
            }
            SegmentLease lease = new SegmentLease(segment);
            long claimedAt = clock.millis();
            plan.state().claim(generation, segment, plan.workerId(), lease.claim()).ifPresent(claimed -> {
                lease.extended(claimedAt);
                reading.put(segment, lease);
                if (row != null && row.owner() != null && !plan.workerId().equals(row.owner())) {
                    log.info("Snapshot segment {}: taken over from {}, whose lease expired", segment, row.owner());
                }
                readers.execute(() -> read(lease, claimed));
            });
        }
    }

    private void read(SegmentLease lease, SegmentRow claimed) {
        try {
            new SegmentReader(shared, lease, claimed).read();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            if (!stopping.get()) {
                log.error("Snapshot segment {} of table {} failed: {}", lease.segment(), plan.table(), e.toString(), e);
                fatal.accept(e);
            }
        } finally {
            reading.remove(lease.segment());
            synchronized (wakeUp) {
                wakeUp.notifyAll();
            }
        }
    }

    private void renewIfDue(SnapshotState generation) {
        if (System.nanoTime() - lastRenewNanos < RENEW_EVERY.toNanos()) {
            return;
        }
        lastRenewNanos = System.nanoTime();
        for (SegmentLease lease : reading.values()) {
            long renewedAt = clock.millis();
            if (plan.state().renew(generation, lease.segment(), lease.claim())) {
                lease.extended(renewedAt);
            } else if (!lease.lost()) {
                lease.lose();
            }
        }
    }

    /** Completes the generation if this instance wins the completion; false if another instance is at it. */
    private boolean complete(SnapshotState generation, Map<Integer, SegmentRow> rows) {
        if (!plan.state().claimCompletion(generation, plan.workerId())) {
            return false;
        }
        Instant now = clock.instant();
        if (Duration.between(generation.t0(), now).compareTo(RetentionGap.STREAM_RETENTION) >= 0) {
            // WHEN_NEEDED begins the next generation and stops here; the others report and go on
            gaps.onGap(RetentionGap.snapshotOutlived(plan.origin().streamArn(), generation.t0(), now));
        }
        int leases = plan.kclLeases().deleteAll();
        long items = rows.values().stream().mapToLong(SegmentRow::items).sum();
        if (!plan.state().complete(generation, plan.workerId(), items)) {
            return false;
        }
        log.info("Snapshot of table {} (generation {}) complete: {} items in {} s; {} KCL leases of application {} "
                + "reset", plan.table(), generation.generation(), items,
                Duration.between(generation.startedAt(), now).toSeconds(), leases, plan.applicationName());
        return true;
    }

    private void handOff(SnapshotState completed) {
        log.info("Snapshot of table {} (generation {}) is complete ({} items); this instance published {}: reading"
                + " the stream now", plan.table(), completed.generation(), completed.items(),
                metrics.total(Metric.SNAPSHOT_ITEMS));
        metrics.snapshotSegments(0, 0);
        onComplete.run();
    }

    @Override
    public void close() {
        stopping.set(true);
        if (coordinator == null) {
            return;
        }
        coordinator.interrupt();
        readers.shutdown();
        try {
            if (!readers.awaitTermination(READER_EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                readers.shutdownNow();
            }
            coordinator.join(READER_EXIT_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            scans.close();
        }
    }
}
