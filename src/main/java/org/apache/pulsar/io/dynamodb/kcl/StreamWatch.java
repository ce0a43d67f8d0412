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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.StreamDescription;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Fails the source when its stream can deliver nothing more. KCL reads a disabled stream (its table's stream
 * turned off, or the table deleted) to the end of every shard and then idles without a word; a stream that no
 * longer exists it retries for ever. Every {@code interval} this describes the stream: gone fails the source at
 * once; disabled fails it once every lease of the application is checkpointed at SHARD_END, which the shard
 * processor writes only after Pulsar has acknowledged every record of the shard.
 */
final class StreamWatch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StreamWatch.class);
    private static final String SHARD_END = "SHARD_END";

    private final DynamoDbStreamsClient streams;
    private final DynamoDbAsyncClient dynamo;
    private final String streamArn;
    private final String leaseTable;
    private final Consumer<Throwable> fatal;
    private final ScheduledExecutorService timer;
    private final AtomicBoolean failed = new AtomicBoolean();
    private Boolean wasDisabled;

    StreamWatch(DynamoDbStreamsClient streams, DynamoDbAsyncClient dynamo, String streamArn, String leaseTable,
                Consumer<Throwable> fatal) {
        this.streams = streams;
        this.dynamo = dynamo;
        this.streamArn = streamArn;
        this.leaseTable = leaseTable;
        this.fatal = fatal;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "dynamodb-stream-watch-" + leaseTable);
            thread.setDaemon(true);
            return thread;
        });
    }

    void start(Duration interval) {
        timer.scheduleWithFixedDelay(this::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    void check() {
        if (failed.get()) {
            return;
        }
        StreamDescription stream;
        try {
            stream = streams.describeStream(b -> b.streamArn(streamArn).limit(1)).streamDescription();
        } catch (ResourceNotFoundException e) {
            fail("DynamoDB stream " + streamArn + " no longer exists (its table was deleted and the stream "
                    + "expired, or it was removed); set awsDynamodbStreamArn to the table's current stream");
            return;
        } catch (SdkException e) {
            // KCL meets the same trouble and reports or retries it; this watch only looks for the end of the stream.
            log.debug("Watching stream {}: DescribeStream failed: {}", streamArn, e.toString());
            return;
        }
        boolean disabled = StreamCheck.isDisabled(stream);
        if (disabled && Boolean.FALSE.equals(wasDisabled)) {
            log.warn("DynamoDB stream {} of table {} is now {} (the table's stream was disabled or the table "
                    + "deleted): it gets no new changes; reading the records it still holds, then the source fails",
                    streamArn, stream.tableName(), stream.streamStatusAsString());
        }
        wasDisabled = disabled;
        if (disabled && everyLeaseAtShardEnd()) {
            fail("DynamoDB stream " + streamArn + " of table " + stream.tableName() + " is "
                    + stream.streamStatusAsString() + " and every record of it has been published: "
                    + why(stream.tableName()) + "; set awsDynamodbStreamArn to the table's current stream");
        }
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

    /** True when the lease table holds leases and every one of them is checkpointed at SHARD_END. */
    private boolean everyLeaseAtShardEnd() {
        Map<String, AttributeValue> start = null;
        int leases = 0;
        try {
            do {
                Map<String, AttributeValue> from = start;
                ScanResponse page = dynamo.scan(b -> b.tableName(leaseTable).consistentRead(true)
                        .exclusiveStartKey(from)).join();
                for (Map<String, AttributeValue> lease : page.items()) {
                    AttributeValue checkpoint = lease.get("checkpoint");
                    if (checkpoint == null || !SHARD_END.equals(checkpoint.s())) {
                        return false;
                    }
                    leases++;
                }
                start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
                        ? page.lastEvaluatedKey() : null;
            } while (start != null);
        } catch (CompletionException | SdkException e) {
            log.debug("Watching stream {}: reading lease table {} failed: {}", streamArn, leaseTable, e.toString());
            return false;
        }
        return leases > 0;
    }

    private void fail(String message) {
        if (failed.compareAndSet(false, true)) {
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
