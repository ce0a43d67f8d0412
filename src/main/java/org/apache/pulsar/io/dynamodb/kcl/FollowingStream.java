package org.apache.pulsar.io.dynamodb.kcl;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.pulsar.functions.api.Record;
import org.apache.pulsar.io.dynamodb.DynamoDBSourceConfig;
import org.apache.pulsar.io.dynamodb.aws.AwsClients;
import org.apache.pulsar.io.dynamodb.convert.RecordConverter;
import org.apache.pulsar.io.dynamodb.exactlyonce.Sequencing;
import org.apache.pulsar.io.dynamodb.filter.RecordFilter;
import org.apache.pulsar.io.dynamodb.metrics.SourceMetrics;
import org.apache.pulsar.io.dynamodb.stream.RetentionGapHandler;
import org.apache.pulsar.io.dynamodb.stream.StreamStart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.kinesis.common.InitialPositionInStream;

/**
 * tableName's streams one after another, without a restart: one KCL scheduler (single-stream mode) on the table's
 * stream; once that stream is disabled and read to its end, the scheduler is closed, the stream's finished leases
 * deleted (lease keys are bare shard ids: KCL must not meet them on the next stream) and a new scheduler reads the
 * table's new stream from its first record, so that every change written while it was enabled arrives.
 */
public final class FollowingStream implements GatedChangeStream {

    private static final Logger log = LoggerFactory.getLogger(FollowingStream.class);
    // KclChangeStream's close: 30 s of graceful shutdown, 10 s for its thread
    private static final Duration SWITCH_CLOSE_WAIT = Duration.ofSeconds(45);
    private static final StreamStart FIRST_RECORD = new StreamStart(InitialPositionInStream.TRIM_HORIZON,
            Optional.empty());

    private final DynamoDBSourceConfig config;
    private final AwsClients clients;
    private final String workerId;
    private final RecordFilter filter;
    private final RecordConverter converter;
    private final Consumer<Record<byte[]>> sink;
    private final Consumer<Throwable> fatal;
    private final RetentionGapHandler gaps;
    private final SourceMetrics metrics;
    private final Sequencing sequencing;
    private final String table;
    private final ExecutorService switcher;
    private final Object lifecycle = new Object();
    private KclChangeStream current; // guarded by lifecycle
    private String currentArn; // guarded by lifecycle
    private boolean closed; // guarded by lifecycle

    /**
     * Builds the scheduler on the configuration's stream (no request).
     *
     * @param start where its shards without a checkpoint start (the table's next streams: from their first record)
     */
    public FollowingStream(DynamoDBSourceConfig config, AwsClients clients, String workerId, RecordFilter filter,
                           RecordConverter converter, Consumer<Record<byte[]>> sink, Consumer<Throwable> fatal,
                           StreamStart start, RetentionGapHandler gaps, SourceMetrics metrics, Sequencing sequencing) {
        this.config = config;
        this.clients = clients;
        this.workerId = workerId;
        this.filter = filter;
        this.converter = converter;
        this.sink = sink;
        this.fatal = fatal;
        this.gaps = gaps;
        this.metrics = metrics;
        this.sequencing = sequencing;
        this.table = config.getTables().tableName().orElseThrow();
        this.switcher = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "dynamodb-follow-" + config.getApplicationName());
            thread.setDaemon(true);
            return thread;
        });
        this.currentArn = config.getAwsDynamodbStreamArn();
        this.current = open(currentArn, start, false);
    }

    private KclChangeStream open(String streamArn, StreamStart start, boolean createLeases) {
        return KclChangeStream.following(config.withStreamArn(streamArn), clients, workerId, filter, converter, sink,
                fatal, start, gaps, metrics, sequencing, new SingleStream.Follow(table,
                        next -> switcher.execute(() -> follow(streamArn, next)), createLeases));
    }

    @Override
    public void start() {
        startWhen(CompletableFuture.completedFuture(null));
    }

    @Override
    public void startWhen(CompletableFuture<Void> go) {
        synchronized (lifecycle) {
            current.startWhen(go);
        }
    }

    /** On the switcher's thread: the stream's watch runs on its scheduler's timer, which closing it stops. */
    private void follow(String finished, String next) {
        KclChangeStream old;
        synchronized (lifecycle) {
            if (closed || !finished.equals(currentArn)) {
                return;
            }
            old = current;
            current = null;  // closed here, not by close()
        }
        try {
            old.close();
            int deleted = new LeaseRows(clients.dynamo(), config.getApplicationName())
                    .deleteKeys(new StreamShards(clients.streams(), finished).all(), true);
            log.info("Table {}: KCL scheduler on stream {} closed, its {} finished leases deleted", table, finished,
                    deleted);
        } catch (RuntimeException e) {
            // the leases left are the previous stream's, at SHARD_END: the new scheduler creates its own leases
            log.warn("Table {}: deleting the finished leases of stream {} failed ({}); the next stream is read anyway",
                    table, finished, e.toString());
        }
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            TableEvents.followed(table, finished, next);
            try {
                current = open(next, FIRST_RECORD, true);
                currentArn = next;
                current.start();
            } catch (RuntimeException e) {
                log.error("Table {}: reading its new stream {} failed to start; failing the source so that it restarts "
                        + "on it", table, next, e);
                fatal.accept(e);
            }
        }
    }

    @Override
    public void close() {
        KclChangeStream last;
        synchronized (lifecycle) {
            closed = true;
            last = current;
        }
        switcher.shutdown();
        if (last != null) {
            last.close();
        }
        try {
            // a switch under way closes the previous scheduler itself, bounded as close() is
            switcher.awaitTermination(SWITCH_CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
