package org.apache.pulsar.io.dynamodb.kcl;

import com.amazonaws.services.dynamodbv2.streamsadapter.adapter.DynamoDBStreamsClientRecord;
import com.amazonaws.services.dynamodbv2.streamsadapter.model.DynamoDBStreamsProcessRecordsInput;
import com.amazonaws.services.dynamodbv2.streamsadapter.processor.DynamoDBStreamsShardRecordProcessor;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.io.dynamodb.checkpoint.ShardCheckpointTracker;
import org.apache.pulsar.io.dynamodb.checkpoint.ShardCheckpointTracker.Redelivery;
import org.apache.pulsar.io.dynamodb.convert.ChangeRecord;
import org.apache.pulsar.io.dynamodb.convert.RecordOrigin;
import org.apache.pulsar.io.dynamodb.metrics.ShardMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 * Publishes one shard's records in stream order and checkpoints only past what Pulsar acknowledged.
 * KCL calls it on one thread; acknowledgements arrive on Pulsar's threads and go through the tracker.
 */
final class ShardChangeProcessor implements DynamoDBStreamsShardRecordProcessor, ChangeMessage.Outcome {

    private static final Logger log = LoggerFactory.getLogger(ShardChangeProcessor.class);
    private static final long PERMIT_WAIT_MILLIS = 50;

    private final ProcessorContext context;
    private final ShardCheckpointTracker<ChangeRecord> tracker = new ShardCheckpointTracker<>();
    private String shardId = "unassigned";
    private RecordOrigin origin;
    private long lastCheckpointNanos;
    private ShardMetrics shardMetrics;
    // Once a batch is left half-dispatched, nothing after the gap may ever be published or checkpointed.
    private volatile boolean stopped;

    ShardChangeProcessor(ProcessorContext context) {
        this.context = context;
    }

    @Override
    public void initialize(InitializationInput input) {
        shardId = input.shardId();
        origin = context.origin().withShard(shardId);
        shardMetrics = context.metrics().shard(shardId);
        lastCheckpointNanos = System.nanoTime();
        log.info("Shard {}: processing from checkpoint {}", shardId, input.extendedSequenceNumber());
    }

    @Override
    public void processRecords(DynamoDBStreamsProcessRecordsInput input) {
        if (stopped) {
            return;
        }
        // KCL logs and drops a batch whose processing throws: anything unexpected must fail the source instead.
        try {
            shardMetrics.polled(input.records().size());
            redeliverFailed();
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
            // A skipped record holds a permit too, until the records before it are acknowledged.
            if (!acquirePermit()) {
                stopLeaving(sequenceNumber);
                return;
            }
            List<ChangeRecord> messages;
            long createdMillis = createdMillis(record, readTimeMillis);
            try {
                boolean skipped = startAt.isPresent() && createdBefore(record, startAt.get());
                boolean filtered = !skipped && !context.filter().accepts(record);
                messages = skipped || filtered ? List.of()
                        : context.converter().convert(record, origin, readTimeMillis);
                countPassedOver(skipped, filtered);
            } catch (RuntimeException e) {
                context.heldRecords().release();
                throw e;
            }
            if (messages.isEmpty()) {
                // created before startAtTime or filtered out: never published, checkpointed past in its turn
                shardMetrics.held(createdMillis);
                release(tracker.addAcknowledged(sequenceNumber));
                continue;
            }
            // Each message holds a permit; the checkpoint passes the record once its last message is acknowledged.
            for (int i = 0; i < messages.size(); i++) {
                if (i > 0 && !acquirePermit()) {
                    stopLeaving(sequenceNumber);
                    return;
                }
                ChangeRecord message = messages.get(i);
                shardMetrics.held(createdMillis);
                long position = i < messages.size() - 1
                        ? tracker.addLeading(sequenceNumber, message)
                        : tracker.add(sequenceNumber, message);
                context.sink().accept(new ChangeMessage(message, position, this));
                context.metrics().published(1);
            }
        }
    }

    private void countPassedOver(boolean skipped, boolean filtered) {
        if (skipped) {
            context.metrics().skipped(1);
        } else if (filtered) {
            context.metrics().filtered(1);
        }
    }

    /** When the change was made, for the lag; a record without a creation time counts as made when read. */
    private static long createdMillis(Record record, long readTimeMillis) {
        Instant created = record.dynamodb().approximateCreationDateTime();
        return created == null ? readTimeMillis : created.toEpochMilli();
    }

    private void stopLeaving(String sequenceNumber) {
        stopped = true;
        log.info("Shard {}: source closing, {} is left for the next reader", shardId, sequenceNumber);
    }

    private static boolean createdBefore(Record record, Instant startAt) {
        Instant created = record.dynamodb().approximateCreationDateTime();
        return created != null && created.isBefore(startAt);
    }

    /** Waits for room in the connector, republishing failed records meanwhile since they hold permits too. */
    private boolean acquirePermit() throws InterruptedException {
        while (!context.heldRecords().tryAcquire(PERMIT_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
            redeliverFailed();
            if (context.stopping().getAsBoolean()) {
                return false;
            }
        }
        return true;
    }

    private void redeliverFailed() {
        List<Redelivery<ChangeRecord>> redeliveries = tracker.takeRedeliveries();
        if (!redeliveries.isEmpty()) {
            log.warn("Shard {}: Pulsar failed to publish {}; publishing it and the {} records after it again",
                    shardId, redeliveries.get(0).payload().sequenceNumber(), redeliveries.size() - 1);
            redeliveries.forEach(this::republish);
        }
    }

    private void republish(Redelivery<ChangeRecord> redelivery) {
        context.sink().accept(new ChangeMessage(redelivery.payload(), redelivery.position(), this));
        context.metrics().resent(1);
    }

    @Override
    public void acked(long position) {
        context.metrics().acknowledged(1);
        release(tracker.ack(position));
    }

    @Override
    public void failed(long position) {
        context.metrics().failed(1);
        tracker.fail(position);
    }

    private void release(int entries) {
        if (entries > 0) {
            shardMetrics.released(entries);
            context.heldRecords().release(entries);
        }
    }

    private boolean intervalElapsed() {
        return System.nanoTime() - lastCheckpointNanos >= context.settings().checkpointInterval().toNanos();
    }

    private void checkpointAcknowledged(RecordProcessorCheckpointer checkpointer) throws InterruptedException {
        Optional<String> sequenceNumber = tracker.checkpointable();
        if (sequenceNumber.isPresent() && writeCheckpoint(checkpointer, sequenceNumber.get())) {
            tracker.checkpointed(sequenceNumber.get());
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
                } else {
                    checkpointer.checkpoint(sequenceNumber);
                }
                log.debug("Shard {}: checkpointed at {}", shardId, sequenceNumber == null ? "SHARD_END" : sequenceNumber);
                context.metrics().checkpointWritten();
                return true;
            } catch (ThrottlingException | KinesisClientLibDependencyException e) {
                if (attempt >= retries) {
                    log.warn("Shard {}: checkpoint failed after {} attempts, will retry later: {}",
                            shardId, attempt + 1, e.toString());
                    context.metrics().checkpointFailed();
                    return false;
                }
                Thread.sleep(context.settings().backoff().toMillis());
            } catch (ShutdownException e) {
                log.info("Shard {}: lease lost before checkpoint could be written", shardId);
                return false;
            } catch (InvalidStateException e) {
                log.error("Shard {}: checkpoint could not be stored", shardId, e);
                context.metrics().checkpointFailed();
                return false;
            }
        }
    }

    @Override
    public void leaseLost(LeaseLostInput input) {
        stopped = true;
        release(tracker.clear());
        shardMetrics.close();
        log.info("Shard {}: lease lost; the next owner resumes from the last checkpoint", shardId);
    }

    @Override
    public void shardEnded(ShardEndedInput input) {
        if (stopped) {
            // Records after the gap were never published (source stopping, conversion failed, shutdown requested):
            // a SHARD_END checkpoint would make the next reader move on to the child shards without them.
            log.info("Shard {}: ended, but not every record was published; leaving it for the next reader", shardId);
            shardMetrics.close();
            return;
        }
        try {
            // KCL moves on to the child shards only after a SHARD_END checkpoint, so every record must be in Pulsar.
            while (!tracker.awaitEmpty(Duration.ofSeconds(1), this::republish)) {
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
            shardMetrics.close();
        }
    }

    @Override
    public void shutdownRequested(ShutdownRequestedInput input) {
        try {
            if (!tracker.awaitEmpty(context.settings().shutdownAckWait(), this::republish)) {
                log.info("Shard {}: {} records still unacknowledged at shutdown; they will be read again",
                        shardId, tracker.size());
            }
            checkpointAcknowledged(input.checkpointer());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stopped = true;
            shardMetrics.close();
        }
    }
}
