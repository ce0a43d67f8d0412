package org.apache.pulsar.io.dynamodb.kcl;

import com.amazonaws.services.dynamodbv2.streamsadapter.adapter.DynamoDBStreamsClientRecord;
import com.amazonaws.services.dynamodbv2.streamsadapter.model.DynamoDBStreamsProcessRecordsInput;
import com.amazonaws.services.dynamodbv2.streamsadapter.processor.DynamoDBStreamsShardRecordProcessor;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.pulsar.io.dynamodb.convert.RecordOrigin;
import org.apache.pulsar.io.dynamodb.metrics.ShardMetrics;
import org.apache.pulsar.io.dynamodb.publish.OrderedPublisher;
import org.apache.pulsar.io.dynamodb.publish.PublishListener;
import org.apache.pulsar.io.dynamodb.publish.Skip;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.kinesis.exceptions.InvalidStateException;
import software.amazon.kinesis.exceptions.KinesisClientLibDependencyException;
import software.amazon.kinesis.exceptions.ShutdownException;
import software.amazon.kinesis.exceptions.ThrottlingException;
import software.amazon.kinesis.lifecycle.events.InitializationInput;
import software.amazon.kinesis.lifecycle.events.LeaseLostInput;
import software.amazon.kinesis.lifecycle.events.ShardEndedInput;
import software.amazon.kinesis.lifecycle.events.ShutdownRequestedInput;
import software.amazon.kinesis.processor.RecordProcessorCheckpointer;

/**
 * Publishes one shard's records in stream order and checkpoints only past what Pulsar acknowledged, through KCL's
 * checkpointer. KCL calls it on one thread; the publishing and its bookkeeping are the {@link OrderedPublisher}'s,
 * which counts the records into the shard's {@link ShardMetrics}; this counts polls, checkpoints and the lease.
 */
final class ShardChangeProcessor implements DynamoDBStreamsShardRecordProcessor {

    private static final Logger log = LoggerFactory.getLogger(ShardChangeProcessor.class);

    private final ProcessorContext context;
    private String shardId = "unassigned";
    private RecordOrigin origin;
    private OrderedPublisher publisher;
    private ShardMetrics shardMetrics;  // from initialize until the lease goes
    private long lastCheckpointNanos;
    // Once a batch is left half-dispatched, nothing after the gap may ever be published or checkpointed.
    private volatile boolean stopped;

    ShardChangeProcessor(ProcessorContext context) {
        this.context = context;
        this.publisher = new OrderedPublisher(context.publishing(), "Shard " + shardId, PublishListener.NONE);
    }

    @Override
    public void initialize(InitializationInput input) {
        shardId = input.shardId();
        origin = context.origin().withShard(shardId);
        shardMetrics = context.metrics().shard(shardId);
        lastCheckpointNanos = System.nanoTime();
        log.info("Shard {}: processing from checkpoint {}", shardId, input.extendedSequenceNumber());
        try {
            // effectively-once: waits for the shard's producer name and learns what the broker holds, first
            publisher = new OrderedPublisher(context.publishing(), "Shard " + shardId, shardMetrics,
                    context.sequencing().forShard(
                    origin, input.extendedSequenceNumber().sequenceNumber(),
                    input.extendedSequenceNumber().subSequenceNumber(), context.stopping()));
        } catch (InterruptedException e) {
            stopped = true;
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            stopped = true;
            if (!context.stopping().getAsBoolean()) {
                log.error("Shard {}: cannot take the shard; failing the source", shardId, e);
                context.fatal().accept(e);
            }
        }
    }

    @Override
    public void processRecords(DynamoDBStreamsProcessRecordsInput input) {
        if (stopped) {
            return;
        }
        // KCL logs and drops a batch whose processing throws: anything unexpected must fail the source instead.
        try {
            shardMetrics.polled(input.records().size());
            publisher.redeliverFailed();
            dispatch(input.records());
            if (!stopped && intervalElapsed()) {
                checkpointAcknowledged(input.checkpointer());
            }
        } catch (InterruptedException e) {
            stopped = true;
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            stopped = true;
            log.error("Shard {}: record processing failed; failing the source so nothing is skipped", shardId, e);
            context.fatal().accept(e);
        }
    }

    private void dispatch(List<DynamoDBStreamsClientRecord> records) throws InterruptedException {
        Optional<Instant> startAt = context.settings().skipCreatedBefore();
        // One read time for the batch: its records were read by one GetRecords call.
        long readTimeMillis = System.currentTimeMillis();
        for (DynamoDBStreamsClientRecord clientRecord : records) {
            Record record = clientRecord.getRecord();
            String sequenceNumber = record.dynamodb().sequenceNumber();
            // created before the start time or filtered out: never published, checkpointed past in its turn
            Skip skip = startAt.isPresent() && createdBefore(record, startAt.get()) ? Skip.BEFORE_START
                    : context.filter().accepts(record) ? Skip.NO : Skip.FILTERED;
            if (!publisher.publish(record, origin, sequenceNumber, true, skip, readTimeMillis)) {
                stopped = true;
                log.info("Shard {}: source closing, {} is left for the next reader", shardId, sequenceNumber);
                return;
            }
        }
    }

    private static boolean createdBefore(Record record, Instant startAt) {
        Instant created = record.dynamodb().approximateCreationDateTime();
        return created != null && created.isBefore(startAt);
    }

    private boolean intervalElapsed() {
        return System.nanoTime() - lastCheckpointNanos >= context.settings().checkpointInterval().toNanos();
    }

    private void checkpointAcknowledged(RecordProcessorCheckpointer checkpointer) throws InterruptedException {
        Optional<String> sequenceNumber = publisher.checkpointable();
        if (sequenceNumber.isPresent() && writeCheckpoint(checkpointer, sequenceNumber.get())) {
            publisher.checkpointed(sequenceNumber.get());
            lastCheckpointNanos = System.nanoTime();
        }
    }

    /** Writes a checkpoint at the sequence number, or at shard end when it is null; retries transient failures. */
    private boolean writeCheckpoint(RecordProcessorCheckpointer checkpointer, String sequenceNumber)
            throws InterruptedException {
        int retries = context.settings().checkpointRetries();
        for (int attempt = 0; ; attempt++) {
            try {
                if (sequenceNumber == null) {
                    checkpointer.checkpoint();
                } else if (publisher.checkpointSubsequence(sequenceNumber) > 0) {
                    checkpointer.checkpoint(sequenceNumber, publisher.checkpointSubsequence(sequenceNumber));
                } else {
                    checkpointer.checkpoint(sequenceNumber);
                }
                log.debug("Shard {}: checkpointed at {}", shardId, sequenceNumber == null ? "SHARD_END" : sequenceNumber);
                context.metrics().checkpointWritten();
                return true;
            } catch (ThrottlingException | KinesisClientLibDependencyException e) {
                if (!mayRetry(attempt, retries, e)) {
                    return false;
                }
            } catch (ShutdownException e) {
                log.info("Shard {}: lease lost before checkpoint could be written", shardId);
                return false;
            } catch (InvalidStateException e) {
                log.error("Shard {}: checkpoint could not be stored", shardId, e);
                context.metrics().checkpointFailed();
                return false;
            } catch (RuntimeException e) {
                if (!unreachable(e)) {
                    throw e;
                }
                if (!mayRetry(attempt, retries, e)) {
                    return false;
                }
            }
        }
    }

    /** After a transient failure: waits the backoff and returns true, or, with no retry left, counts it. */
    private boolean mayRetry(int attempt, int retries, Exception e) throws InterruptedException {
        if (attempt >= retries) {
            log.warn("Shard {}: checkpoint failed after {} attempts, will retry later: {}", shardId, attempt + 1,
                    e.toString());
            context.metrics().checkpointFailed();
            return false;
        }
        Thread.sleep(context.settings().backoff().toMillis());
        return true;
    }

    /**
     * Whether a checkpoint write failed only because DynamoDB could not be reached or answered with a server error:
     * KCL passes the SDK's exception up wrapped in a RuntimeException once the SDK's retries are spent (a lease
     * table that is down, not a lease that is lost). Like a throttled write it is tried again later: the checkpoint
     * lags, nothing is skipped.
     */
    static boolean unreachable(RuntimeException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SdkClientException) {
                return true;
            }
            if (cause instanceof AwsServiceException service) {
                return service.statusCode() >= 500 || service.isThrottlingException();
            }
        }
        return false;
    }

    @Override
    public void leaseLost(LeaseLostInput input) {
        stopped = true;
        publisher.clear();
        leaveMetrics();
        log.info("Shard {}: lease lost; the next owner resumes from the last checkpoint", shardId);
    }

    @Override
    public void shardEnded(ShardEndedInput input) {
        if (stopped) {
            // Records after the gap were never published (source stopping, conversion failed, shutdown requested):
            // a SHARD_END checkpoint would make the next reader move on to the child shards without them.
            log.info("Shard {}: ended, but not every record was published; leaving it for the next reader", shardId);
            leaveMetrics();
            return;
        }
        try {
            // KCL moves on to the child shards only after a SHARD_END checkpoint, so every record must be in Pulsar.
            while (!publisher.awaitAcknowledged(Duration.ofSeconds(1))) {
                if (context.stopping().getAsBoolean()) {
                    return;
                }
            }
            if (writeCheckpoint(input.checkpointer(), null)) {
                log.info("Shard {}: ended and fully acknowledged", shardId);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stopped = true;
            leaveMetrics();
        }
    }

    @Override
    public void shutdownRequested(ShutdownRequestedInput input) {
        try {
            if (!publisher.awaitAcknowledged(context.settings().shutdownAckWait())) {
                log.info("Shard {}: {} records still unacknowledged at shutdown; they will be read again",
                        shardId, publisher.held());
            }
            checkpointAcknowledged(input.checkpointer());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stopped = true;
            leaveMetrics();
        }
    }

    /** The lease is gone or handed back: the shard leaves the metrics (its lag, leases_held) and frees its slot. */
    private void leaveMetrics() {
        if (shardMetrics != null) {
            shardMetrics.close();
        }
    }
}
