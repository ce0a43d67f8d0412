package org.apache.pulsar.io.dynamodb.exactlyonce;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Effectively-once ids of one reader: record number n (consecutive, in read order) owns the sequence ids 2n and 2n+1;
 * ids at or below the broker's last id for the producer name are already stored and are not sent again. For a shard
 * the record number travels with each checkpoint as its subsequence number, so the numbering is the same after a
 * restart; a checkpoint is allowed only before the newest record read, since KCL accepts (S, n > 0) only there.
 */
final class NumberedSequence implements ReaderSequence {

    private static final Logger log = LoggerFactory.getLogger(NumberedSequence.class);

    private final String producerName;
    private final long brokerLast;
    private final boolean numberedCheckpoints;
    private final Consumer<Throwable> fatal;
    private final AtomicBoolean failed = new AtomicBoolean();
    // record number of each position read since the last checkpoint, in read order (shards only)
    private final LinkedHashMap<String, Long> numbers = new LinkedHashMap<>();
    private long nextNumber;
    private String newest;
    private String beforeNewest;
    private long heldMessages;
    private boolean resumeLogged;

    /**
     * @param checkpointNumber    the record number stored with the reader's checkpoint, 0 when there is none: the
     *                            numbering then starts above every id the broker holds
     * @param numberedCheckpoints whether checkpoints carry the record number (a shard; a snapshot segment keeps its
     *                            own progress and numbers afresh on every take)
     */
    NumberedSequence(String producerName, long checkpointNumber, long brokerLast, boolean numberedCheckpoints,
                     Consumer<Throwable> fatal) {
        this.producerName = producerName;
        this.brokerLast = brokerLast;
        this.numberedCheckpoints = numberedCheckpoints;
        this.fatal = fatal;
        this.nextNumber = checkpointNumber > 0 ? checkpointNumber + 1 : firstAbove(brokerLast);
    }

    /** The first record number whose ids are all above {@code brokerLast}; at least 1 (0 means "no number"). */
    static long firstAbove(long brokerLast) {
        return Math.max(1, Math.floorDiv(brokerLast, MESSAGES_PER_RECORD) + 1);
    }

    /** The record number the next record read gets. */
    long nextNumber() {
        return nextNumber;
    }

    String producerName() {
        return producerName;
    }

    long brokerLast() {
        return brokerLast;
    }

    @Override
    public MessageIds next(String position, int messages) {
        if (messages > MESSAGES_PER_RECORD) {
            throw new IllegalStateException("a record became " + messages + " messages; effectively-once numbers at"
                    + " most " + MESSAGES_PER_RECORD + " per record");
        }
        long number = nextNumber++;
        if (numberedCheckpoints) {
            numbers.put(position, number);
            beforeNewest = newest;
            newest = position;
        }
        MessageIds ids = new MessageIds(producerName, number * MESSAGES_PER_RECORD, brokerLast);
        int held = 0;
        while (held < messages && ids.held(held)) {
            held++;
        }
        heldMessages += held;
        if (!resumeLogged && held < messages) {
            resumeLogged = true;
            log.info("Producer '{}': {} messages read again were already in Pulsar and were not sent again; sending"
                    + " from sequence id {}", producerName, heldMessages, ids.id(held));
        }
        return ids;
    }

    @Override
    public Optional<String> checkpointPosition(String acknowledgedThrough) {
        if (!numberedCheckpoints) {
            return Optional.of(acknowledgedThrough);
        }
        // KCL takes (S, n > 0) only below the newest record it delivered: at the newest, the record before it
        // (the newest is then read again after a restart, and not sent again)
        String position = acknowledgedThrough.equals(newest) ? beforeNewest : acknowledgedThrough;
        return position != null && numbers.containsKey(position) ? Optional.of(position) : Optional.empty();
    }

    @Override
    public long checkpointSubsequence(String position) {
        if (!numberedCheckpoints) {
            return 0;
        }
        Long number = numbers.get(position);
        if (number == null) {
            throw new IllegalStateException("no record number for position " + position);
        }
        return number;
    }

    @Override
    public void checkpointed(String position) {
        if (!numberedCheckpoints || !numbers.containsKey(position)) {
            return;
        }
        Iterator<Map.Entry<String, Long>> entries = numbers.entrySet().iterator();
        while (entries.hasNext()) {
            String passed = entries.next().getKey();
            entries.remove();
            if (passed.equals(position)) {
                return;
            }
        }
    }

    @Override
    public void checkSendable(String reader) {
        if (failed.get()) {
            throw new IllegalStateException(reader + ": not handed to Pulsar, since an earlier message of producer '"
                    + producerName + "' failed to publish: stored after it, this one would make the restarted "
                    + "instance pass over the failed one (the broker keeps only the highest sequence id); the source "
                    + "fails instead");
        }
    }

    @Override
    public boolean failsSourceOnPublishError(String reader) {
        if (failed.compareAndSet(false, true)) {
            String message = reader + ": Pulsar failed to publish a message of producer '" + producerName
                    + "'; with effectively-once it is not sent again in this instance (the broker would drop it and"
                    + " the messages after it): failing the source, the restarted instance resumes after what the"
                    + " broker holds";
            log.error(message);
            fatal.accept(new IllegalStateException(message));
        }
        return true;
    }
}
