package org.apache.pulsar.io.dynamodb.kcl;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.pulsar.io.dynamodb.aws.StreamCheck;
import org.apache.pulsar.io.dynamodb.discovery.TableCatalog;
import org.apache.pulsar.io.dynamodb.discovery.TableState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.StreamDescription;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Notices when a stream can deliver nothing more. KCL reads a disabled stream (its table's stream turned off, or the
 * table deleted) to the end of every shard and then idles without a word; a stream that no longer exists it retries
 * for ever. Every {@code interval} this describes the stream: gone fails the source at once. Disabled, with the stream
 * pinned by awsDynamodbStreamArn: fails it once every lease is checkpointed at SHARD_END, which the shard processor
 * writes only after Pulsar has acknowledged every record of the shard. Disabled, with tableName: once read to its end
 * the source follows the table's new stream ({@link StreamSuccession} decides), waits for one, or fails if the table
 * was deleted.
 */
final class StreamWatch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StreamWatch.class);

    private final DynamoDbStreamsClient streams;
    private final DynamoDbAsyncClient dynamo;
    private final String streamArn;
    private final String leaseTable;
    private final LeaseRows leaseRows;
    private final Consumer<Throwable> fatal;
    private final Following following;
    private final ScheduledExecutorService timer;
    private final AtomicBoolean done = new AtomicBoolean();
    private Boolean wasDisabled;
    private boolean waitReported;

    /**
     * With tableName: the table, its stream's shards, and where the source goes next.
     *
     * @param onFinished told the table's next stream once this one is read to its end (or another instance reads
     *                   the next one already); called at most once
     */
    record Following(String table, TableCatalog catalog, StreamShards shards, Consumer<String> onFinished) {
    }

    /** @param following null when the stream is pinned (awsDynamodbStreamArn): the source fails at its end */
    StreamWatch(DynamoDbStreamsClient streams, DynamoDbAsyncClient dynamo, String streamArn, String leaseTable,
                Consumer<Throwable> fatal, Following following) {
        this.streams = streams;
        this.dynamo = dynamo;
        this.streamArn = streamArn;
        this.leaseTable = leaseTable;
        this.leaseRows = new LeaseRows(dynamo, leaseTable);
        this.fatal = fatal;
        this.following = following;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "dynamodb-stream-watch-" + leaseTable);
            thread.setDaemon(true);
            return thread;
        });
    }

    void start(Duration interval) {
        if (following != null) {
            // listed now, off the path of the first shard's initialisation, which asks the list
            timer.execute(() -> {
                try {
                    following.shards().all();
                } catch (RuntimeException e) {
                    log.debug("Listing the shards of stream {} failed: {}", streamArn, e.toString());
                }
            });
        }
        timer.scheduleWithFixedDelay(this::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Looks now, off the caller's thread (a shard of the next stream was met: another instance follows it). */
    void checkSoon() {
        if (!timer.isShutdown()) {
            timer.execute(this::check);
        }
    }

    void check() {
        if (done.get()) {
            return;
        }
        StreamDescription stream;
        try {
            stream = streams.describeStream(b -> b.streamArn(streamArn).limit(1)).streamDescription();
        } catch (ResourceNotFoundException e) {
            fail("DynamoDB stream " + streamArn + " no longer exists (its table was deleted and the stream "
                    + "expired, or it was removed); " + (following == null ? "set awsDynamodbStreamArn to the "
                    + "table's current stream" : "the source restarts on table " + following.table()
                    + "'s current stream"));
            return;
        } catch (SdkException e) {
            // KCL meets the same trouble and reports or retries it; this watch only looks for the end of the stream.
            log.debug("Watching stream {}: DescribeStream failed: {}", streamArn, e.toString());
            return;
        }
        boolean disabled = StreamCheck.isDisabled(stream);
        if (disabled && Boolean.FALSE.equals(wasDisabled)) {
            log.warn("DynamoDB stream {} of table {} is now {} (the table's stream was disabled or the table "
                    + "deleted): it gets no new changes; reading the records it still holds, then {}", streamArn,
                    stream.tableName(), stream.streamStatusAsString(), following == null ? "the source fails"
                            : "the source continues on the table's next stream");
        }
        wasDisabled = disabled;
        if (!disabled) {
            return;
        }
        try {
            if (following == null) {
                Map<String, String> leases = leaseRows.checkpointsByKey();
                if (!leases.isEmpty() && leases.values().stream().allMatch(StreamSuccession.SHARD_END::equals)) {
                    fail(endMessage(stream) + why(stream.tableName()) + "; set awsDynamodbStreamArn to the table's "
                            + "current stream");
                }
            } else {
                decide(stream);
            }
        } catch (RuntimeException e) {
            // looked at again in an interval; an exception must not end the timer's schedule
            log.debug("Watching stream {}: reading lease table {} or the table failed: {}", streamArn, leaseTable,
                    e.toString());
        }
    }

    private void decide(StreamDescription stream) {
        TableState table = following.catalog().describe(following.table());
        switch (StreamSuccession.atEnd(streamArn, following.shards().all(), leaseRows.checkpointsByKey(), table)) {
            case READ_ON -> { }
            case WAIT -> {
                if (!waitReported) {
                    waitReported = true;
                    log.warn("DynamoDB stream {} of table {} is {} and every record of it has been published; the "
                            + "table has no enabled stream: the source reads the table's next stream once it is "
                            + "enabled (looked at every 10 s)", streamArn, table.name(), stream.streamStatusAsString());
                }
            }
            case FAIL -> fail(endMessage(stream) + "table " + table.name() + " was deleted");
            case FOLLOW -> {
                if (done.compareAndSet(false, true)) {
                    following.onFinished().accept(table.stream().orElseThrow());
                }
            }
            default -> throw new IllegalStateException("unknown step");
        }
    }

    private String endMessage(StreamDescription stream) {
        return "DynamoDB stream " + streamArn + " of table " + stream.tableName() + " is "
                + stream.streamStatusAsString() + " and every record of it has been published: ";
    }

    /** Why the stream was disabled, as far as the table tells (reading it may not be allowed: then both causes). */
    private String why(String table) {
        try {
            TableDescription description = dynamo.describeTable(b -> b.tableName(table)).join().table();
            String latest = description.latestStreamArn();
            boolean enabled = description.streamSpecification() != null
                    && Boolean.TRUE.equals(description.streamSpecification().streamEnabled());
            if (enabled && latest != null && !latest.equals(streamArn)) {
                return "the table now streams to " + latest;
            }
            return enabled ? "the table's stream was disabled or replaced" : "the table's stream was disabled";
        } catch (CompletionException e) {
            if (e.getCause() instanceof ResourceNotFoundException) {
                return "table " + table + " was deleted";
            }
        } catch (SdkException e) {
            // fall through
        }
        return "the table's stream was disabled or the table deleted";
    }

    private void fail(String message) {
        if (done.compareAndSet(false, true)) {
            log.error(message);
            fatal.accept(new IllegalStateException(message));
            timer.shutdown();
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
