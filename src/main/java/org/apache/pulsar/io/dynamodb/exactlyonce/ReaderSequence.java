package org.apache.pulsar.io.dynamodb.exactlyonce;

import java.util.Optional;

/**
 * Gives the messages of one ordered reader (a shard or a snapshot segment) their producer name and sequence ids, and
 * says where a checkpoint may be written and with which subsequence number. Called on the reader's thread.
 */
public interface ReaderSequence {

    /** Most messages one record becomes (ENVELOPE: a delete and its tombstone); each record owns as many ids. */
    int MESSAGES_PER_RECORD = 2;

    /** At-least-once: nothing numbered, every position checkpointable, failures published again. */
    ReaderSequence UNSEQUENCED = new ReaderSequence() {
        @Override
        public MessageIds next(String position, int messages) {
            return MessageIds.NONE;
        }

        @Override
        public Optional<String> checkpointPosition(String acknowledgedThrough) {
            return Optional.of(acknowledgedThrough);
        }

        @Override
        public long checkpointSubsequence(String position) {
            return 0;
        }

        @Override
        public void checkpointed(String position) {
        }

        @Override
        public boolean failsSourceOnPublishError(String reader) {
            return false;
        }
    };

    /**
     * The ids of the next record's messages. Called once for every record the reader reads, in order, including
     * records that publish nothing (filtered, before the start time), so that a record's ids never depend on the
     * filters.
     *
     * @param position the record's position (a stream record's sequence number)
     * @param messages how many messages the record became, at most {@link #MESSAGES_PER_RECORD}
     */
    MessageIds next(String position, int messages);

    /**
     * Where to checkpoint once every record through {@code acknowledgedThrough} is acknowledged: there, or an
     * earlier position when a checkpoint cannot be written there (empty: not now).
     */
    Optional<String> checkpointPosition(String acknowledgedThrough);

    /** The subsequence number to store with a checkpoint at this position (0: none). */
    long checkpointSubsequence(String position);

    /** A checkpoint at this position was stored. */
    void checkpointed(String position);

    /**
     * Called when Pulsar failed to publish a message of this reader.
     *
     * @return true when the failure fails the source (the message must not be published again in this instance);
     *     false when the caller publishes it again
     */
    boolean failsSourceOnPublishError(String reader);

    /**
     * Called as Pulsar takes one of the reader's messages to send it: throws once a failed publish failed the source,
     * since a later message of the same producer stored by the broker would make the restarted instance pass over
     * the failed one.
     */
    default void checkSendable(String reader) {
    }
}
