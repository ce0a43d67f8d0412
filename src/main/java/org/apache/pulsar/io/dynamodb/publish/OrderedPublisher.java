package org.apache.pulsar.io.dynamodb.publish;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.io.dynamodb.checkpoint.ShardCheckpointTracker;
import org.apache.pulsar.io.dynamodb.checkpoint.ShardCheckpointTracker.Redelivery;
import org.apache.pulsar.io.dynamodb.convert.ChangeRecord;
import org.apache.pulsar.io.dynamodb.convert.RecordOrigin;
import org.apache.pulsar.io.dynamodb.exactlyonce.MessageIds;
import org.apache.pulsar.io.dynamodb.exactlyonce.ReaderSequence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * Publishes one ordered source of records -- a shard or a snapshot segment -- and says which position is safe to
 * checkpoint: the newest position whose records, and every record before them, Pulsar has acknowledged. One thread
 * publishes; acknowledgements arrive on Pulsar's threads. Where a checkpoint is stored is the caller's business.
 *
 * <p>A position names where a reader resumes once every record up to it is acknowledged: a stream record's sequence
 * number, or a snapshot item's place in its Scan segment. Only the record that completes a position moves the
 * checkpoint to it; records before it in the same position do not, so a position counts as done only when all of
 * them are acknowledged.
 *
 * <p>Every record's way through it (published, passed over, acknowledged, failed, sent again, held) is told to its
 * {@link PublishListener}, so each reader is measured the same way.
 */
public final class OrderedPublisher implements ChangeMessage.Outcome {

    private static final Logger log = LoggerFactory.getLogger(OrderedPublisher.class);
    private static final long PERMIT_WAIT_MILLIS = 50;

    private final PublishContext context;
    private final String name;
    private final PublishListener listener;
    private final ShardCheckpointTracker<ChangeRecord> tracker = new ShardCheckpointTracker<>();
    private final ReaderSequence sequence;

    /**
     * @param name     what is published, for the log: "Shard shardId-…", "Snapshot segment 3"
     * @param listener  told of every record's way through
     */
    public OrderedPublisher(PublishContext context, String name, PublishListener listener) {
        this(context, name, listener, ReaderSequence.UNSEQUENCED);
    }

    /**
     * @param sequence the ids of the reader's messages (effectively-once); a message the broker already holds is
     *                 counted as acknowledged and never sent
     */
    public OrderedPublisher(PublishContext context, String name, PublishListener listener, ReaderSequence sequence) {
        this.context = context;
        this.name = name;
        this.listener = listener;
        this.sequence = sequence;
    }

    /**
     * Hands the record's messages to Pulsar, each holding a permit until acknowledged; a skipped record (filtered
     * out, or before the start time) is never published, but when it completes its position it holds a permit until
     * the records before it are acknowledged, so the checkpoint moves past it in its turn.
     *
     * @param completes      whether the record is the last of its position (every stream record and snapshot item)
     * @param skip           whether the record is published, and if not why
     * @param readTimeMillis when the record was read, epoch milliseconds; its creation time when it has none
     * @return false when the source is closing and the record was left (in part or whole) unpublished: nothing after
     *     it may be published or checkpointed by this publisher
     */
    public boolean publish(Record record, RecordOrigin origin, String position, boolean completes, Skip skip,
                           long readTimeMillis) throws InterruptedException {
        if (skip != Skip.NO && !completes) {
            listener.passedOver(skip);
            return true;  // nothing to publish and no position to pass: nothing to hold
        }
        if (!acquirePermit()) {
            return false;
        }
        List<ChangeRecord> messages;
        try {
            messages = skip != Skip.NO ? List.of() : context.converter().convert(record, origin, readTimeMillis);
        } catch (RuntimeException e) {
            context.heldRecords().release();
            throw e;
        }
        long createdMillis = createdMillis(record, readTimeMillis);
        if (skip != Skip.NO) {
            listener.passedOver(skip);
        }
        MessageIds ids = sequence.next(position, messages.size());
        // messages the broker stored before this reader took over are never sent again: they count as acknowledged
        int firstUnheld = 0;
        while (firstUnheld < messages.size() && ids.held(firstUnheld)) {
            firstUnheld++;
        }
        if (firstUnheld == messages.size()) {
            if (!completes) {
                context.heldRecords().release();
                return true;
            }
            listener.held(createdMillis);
            release(tracker.addAcknowledged(position));
            return true;
        }
        // Each message holds a permit; the position is passed once its last message is acknowledged.
        for (int i = firstUnheld; i < messages.size(); i++) {
            if (i > firstUnheld && !acquirePermit()) {
                return false;
            }
            ChangeRecord message = messages.get(i);
            listener.held(createdMillis);
            long entry = completes && i == messages.size() - 1
                    ? tracker.add(position, message)
                    : tracker.addLeading(position, message);
            listener.published();  // before Pulsar can acknowledge it
            context.sink().accept(ids.sequenced()
                    ? new ChangeMessage(message, entry, this, ids.producerName(), ids.id(i))
                    : new ChangeMessage(message, entry, this));
        }
        return true;
    }

    /**
     * Passes a position that has no records (an empty Scan page): it holds a permit until the records before it are
     * acknowledged, so the checkpoint moves past it in its turn.
     *
     * @return false when the source is closing and the position was left
     */
    public boolean passEmpty(String position, long readTimeMillis) throws InterruptedException {
        if (!acquirePermit()) {
            return false;
        }
        listener.held(readTimeMillis);
        release(tracker.addAcknowledged(position));
        return true;
    }

    /** When the change was made, for the lag; a record without a creation time counts as made when read. */
    private static long createdMillis(Record record, long readTimeMillis) {
        Instant created = record == null ? null : record.dynamodb().approximateCreationDateTime();
        return created == null ? readTimeMillis : created.toEpochMilli();
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

    /** Publishes again what Pulsar failed to publish, and every message after it, in order. */
    public void redeliverFailed() {
        List<Redelivery<ChangeRecord>> redeliveries = tracker.takeRedeliveries();
        if (!redeliveries.isEmpty()) {
            ChangeRecord first = redeliveries.get(0).payload();
            log.warn("{}: Pulsar failed to publish {}; publishing it and the {} messages after it again", name,
                    first.sequenceNumber() != null ? first.sequenceNumber() : "the message keyed " + first.key(),
                    redeliveries.size() - 1);
            redeliveries.forEach(this::republish);
        }
    }

    private void republish(Redelivery<ChangeRecord> redelivery) {
        listener.resent();
        context.sink().accept(new ChangeMessage(redelivery.payload(), redelivery.position(), this));
    }

    @Override
    public void acked(long position) {
        listener.acknowledged();
        release(tracker.ack(position));
    }

    /**
     * The source calls this for each record Pulsar takes from it, before Pulsar sends it: a record of an
     * effectively-once reader whose earlier message failed to publish fails the source here instead of being sent.
     */
    public static void beforeSend(org.apache.pulsar.functions.api.Record<?> record) {
        if (record instanceof ChangeMessage message) {
            message.checkSendable();
        }
    }

    @Override
    public void checkSendable() {
        sequence.checkSendable(name);
    }

    @Override
    public void failed(long position) {
        listener.failed();
        if (!sequence.failsSourceOnPublishError(name)) {
            tracker.fail(position);
        }
    }

    private void release(int entries) {
        if (entries > 0) {
            listener.released(entries);
            context.heldRecords().release(entries);
        }
    }

    /** The newest position safe to checkpoint, if newer than the last one passed to {@link #checkpointed}. */
    public Optional<String> checkpointable() {
        return tracker.checkpointable().flatMap(sequence::checkpointPosition);
    }

    /** The subsequence number a checkpoint at this position stores (effectively-once: its record number). */
    public long checkpointSubsequence(String position) {
        return sequence.checkpointSubsequence(position);
    }

    /** Records that a checkpoint at this position (one {@link #checkpointable} offered) was stored. */
    public void checkpointed(String position) {
        tracker.checkpointed(position);
        sequence.checkpointed(position);
    }

    /** Drops everything held (the position was lost to another reader); later acknowledgements are no-ops. */
    public void clear() {
        release(tracker.clear());
    }

    /**
     * Waits a bounded time for every held message to be acknowledged, republishing failed ones meanwhile.
     *
     * @return whether everything was acknowledged
     */
    public boolean awaitAcknowledged(Duration timeout) throws InterruptedException {
        return tracker.awaitEmpty(timeout, this::republish);
    }

    /** Messages held: handed to Pulsar and not yet acknowledged, or waiting for those before them. */
    public int held() {
        return tracker.size();
    }
}
