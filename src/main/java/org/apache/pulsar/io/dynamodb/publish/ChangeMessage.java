package org.apache.pulsar.io.dynamodb.publish;

import java.util.Map;
import java.util.Optional;
import org.apache.pulsar.functions.api.Record;
import org.apache.pulsar.io.dynamodb.convert.ChangeRecord;

/** A converted record handed to Pulsar; its ack and fail go back to the publisher that dispatched it. */
final class ChangeMessage implements Record<byte[]> {

    /** Receives Pulsar's verdict on one dispatched record. */
    interface Outcome {
        void acked(long position);

        void failed(long position);

        /** Pulsar is about to send the record: throws when it must not be sent any more. */
        void checkSendable();
    }

    private final ChangeRecord change;
    private final long position;
    private final Outcome outcome;
    // effectively-once: the producer name and sequence id PulsarSink publishes it with; null otherwise
    private final String partitionId;
    private final long sequenceId;

    ChangeMessage(ChangeRecord change, long position, Outcome outcome) {
        this(change, position, outcome, null, -1);
    }

    ChangeMessage(ChangeRecord change, long position, Outcome outcome, String partitionId, long sequenceId) {
        this.change = change;
        this.position = position;
        this.outcome = outcome;
        this.partitionId = partitionId;
        this.sequenceId = sequenceId;
    }

    @Override
    public Optional<String> getKey() {
        return Optional.ofNullable(change.key());
    }

    @Override
    public byte[] getValue() {
        return change.value();
    }

    @Override
    public Map<String, String> getProperties() {
        return change.properties();
    }

    @Override
    public Optional<Long> getEventTime() {
        return change.eventTimeMillis();
    }

    @Override
    public Optional<String> getPartitionId() {
        return Optional.ofNullable(partitionId);
    }

    @Override
    public Optional<Long> getRecordSequence() {
        return partitionId == null ? Optional.empty() : Optional.of(sequenceId);
    }

    @Override
    public void ack() {
        outcome.acked(position);
    }

    @Override
    public void fail() {
        outcome.failed(position);
    }

    void checkSendable() {
        outcome.checkSendable();
    }

    @Override
    public String toString() {
        return "ChangeMessage{sequenceNumber=" + change.sequenceNumber() + ", position=" + position
                + (partitionId == null ? "" : ", producer=" + partitionId + ", sequenceId=" + sequenceId) + "}";
    }
}
