package org.apache.pulsar.io.dynamodb.checkpoint;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Per-shard bookkeeping of dispatched records: which Pulsar acknowledged, which failed, and the newest
 * sequence number that is safe to checkpoint.
 *
 * <p>Entries are appended in stream order by the shard's record processor thread ({@link #add},
 * {@link #addAcknowledged}); {@link #ack} and {@link #fail} may come from any thread, in any order. Entries
 * leave only from the head, once acknowledged, so the checkpoint never passes an unacknowledged record.
 *
 * <p>A stream record published as several messages (a delete and its tombstone) is one entry per message, all with
 * its sequence number: the leading ones appended with {@link #addLeading}, the last with {@link #add}. Only the
 * last moves the checkpoint when it leaves the head, so the record counts as done only once all its messages are
 * acknowledged, and a redelivery from any of them re-sends the ones after it too, in order.
 *
 * <p>Permit contract: every entry, whichever method appended it, holds one permit of the source's
 * {@code receiveQueueSize} semaphore. The caller acquires one permit before each {@link #add} or
 * {@link #addAcknowledged} and releases as many permits as {@link #ack}, {@link #addAcknowledged} and
 * {@link #clear} return; those returned counts sum to the number of entries appended.
 *
 * <p>Shutdown drain, in the caller: {@code boolean drained = tracker.awaitEmpty(timeout, this::republish);}
 * (see {@link #awaitEmpty(Duration, Consumer)}).
 *
 * <p>All methods are thread-safe; a single monitor guards the state because every operation is short.
 *
 * @param <T> what is re-published on redelivery (the converted record)
 */
public final class ShardCheckpointTracker<T> {

    private static final int INITIAL_CAPACITY = 16;

    // Power-of-two ring buffer instead of ArrayDeque: ack needs O(1) random access by position.
    private Object[] ring = new Object[INITIAL_CAPACITY];
    private int headIndex;
    private int count;
    /** Position of the entry at {@code headIndex}; positions are contiguous from there. */
    private long headPosition;
    private long nextPosition;
    private int failedCount;

    private String lastRemovedSequenceNumber;
    private long lastRemovedPosition = -1;
    // checkpointed(String) receives a sequence number, but "newer" is decided by position because
    // sequence numbers are opaque here; the last offered value maps the string back to its position.
    private String lastOfferedSequenceNumber;
    private long lastOfferedPosition = -1;
    private long checkpointedPosition = -1;

    /**
     * Appends an entry that is being published.
     *
     * @return its position, which {@link #ack} and {@link #fail} name
     */
    public synchronized long add(String sequenceNumber, T payload) {
        Objects.requireNonNull(sequenceNumber, "sequenceNumber");
        Objects.requireNonNull(payload, "payload");
        return append(new Entry<>(sequenceNumber, payload, State.IN_FLIGHT, true));
    }

    /**
     * Appends an entry that is being published and is not its stream record's last message: when it leaves the
     * head, the checkpoint does not move; the record's last message, appended next with {@link #add}, moves it.
     *
     * @return its position, which {@link #ack} and {@link #fail} name
     */
    public synchronized long addLeading(String sequenceNumber, T payload) {
        Objects.requireNonNull(sequenceNumber, "sequenceNumber");
        Objects.requireNonNull(payload, "payload");
        return append(new Entry<>(sequenceNumber, payload, State.IN_FLIGHT, false));
    }

    /**
     * Appends an entry that is not published (a record deliberately skipped) as already acknowledged, so
     * the checkpoint can move over it. It holds a permit like any entry.
     *
     * @return how many entries left the tracker (permits to release), possibly including this one
     */
    public synchronized int addAcknowledged(String sequenceNumber) {
        Objects.requireNonNull(sequenceNumber, "sequenceNumber");
        append(new Entry<T>(sequenceNumber, null, State.ACKED, true));
        return removeAckedPrefix();
    }

    /**
     * Marks the entry acknowledged; terminal. Removes the acknowledged prefix from the head.
     *
     * @return how many entries left the tracker (permits to release); 0 for an unknown, removed, cleared
     *     or already acknowledged position
     */
    public synchronized int ack(long position) {
        Entry<T> entry = entryAt(position);
        if (entry == null || entry.state == State.ACKED) {
            return 0;
        }
        if (entry.state == State.FAILED) {
            failedCount--;
        }
        entry.state = State.ACKED;
        return position == headPosition ? removeAckedPrefix() : 0;
    }

    /** Marks the entry failed, to be returned by {@link #takeRedeliveries}; ignored if acknowledged or unknown. */
    public synchronized void fail(long position) {
        Entry<T> entry = entryAt(position);
        if (entry == null || entry.state != State.IN_FLIGHT) {
            return;
        }
        entry.state = State.FAILED;
        failedCount++;
        // wakes awaitEmptyOrFailure: the waiting caller has to redeliver before anything can drain
        notifyAll();
    }

    /**
     * Takes the records to publish again: the earliest failed entry and every published entry after it,
     * acknowledged ones included, so that an item's later changes follow the failed one in the topic. The
     * failed entries become in-flight again; acknowledged ones stay acknowledged (an ack of their new copy is
     * a no-op). Skipped entries ({@link #addAcknowledged}) were never published and are not returned.
     *
     * @return the records in stream order, with their unchanged positions; empty if none failed
     */
    public synchronized List<Redelivery<T>> takeRedeliveries() {
        if (failedCount == 0) {
            return List.of();
        }
        int first = 0;
        while (entryAtIndex(first).state != State.FAILED) {
            first++;
        }
        List<Redelivery<T>> redeliveries = new ArrayList<>(count - first);
        for (int i = first; i < count; i++) {
            Entry<T> entry = entryAtIndex(i);
            if (entry.state == State.FAILED) {
                entry.state = State.IN_FLIGHT;
            }
            if (entry.payload != null) {
                redeliveries.add(new Redelivery<>(headPosition + i, entry.payload));
            }
        }
        failedCount = 0;
        return redeliveries;
    }

    /**
     * The newest sequence number such that it and every record before it were acknowledged, if newer than
     * the last one passed to {@link #checkpointed}.
     */
    public synchronized Optional<String> checkpointable() {
        if (lastRemovedSequenceNumber == null || lastRemovedPosition <= checkpointedPosition) {
            return Optional.empty();
        }
        lastOfferedSequenceNumber = lastRemovedSequenceNumber;
        lastOfferedPosition = lastRemovedPosition;
        return Optional.of(lastRemovedSequenceNumber);
    }

    /**
     * Records that a checkpoint at this sequence number was written. The value should be one that
     * {@link #checkpointable} offered; any other value (for instance one offered before a newer offer, or
     * before {@link #clear}) is ignored, which at worst makes {@link #checkpointable} offer the newest value
     * again.
     */
    public synchronized void checkpointed(String sequenceNumber) {
        long position;
        if (sequenceNumber.equals(lastRemovedSequenceNumber)) {
            position = lastRemovedPosition;
        } else if (sequenceNumber.equals(lastOfferedSequenceNumber)) {
            position = lastOfferedPosition;
        } else {
            return;
        }
        checkpointedPosition = Math.max(checkpointedPosition, position);
    }

    /** Entries held: appended and not yet removed. */
    public synchronized int size() {
        return count;
    }

    /** Whether no entry is held. */
    public synchronized boolean isEmpty() {
        return count == 0;
    }

    /**
     * Drops every entry and forgets the checkpoint progress (lease lost): later acks of dropped positions are
     * no-ops and {@link #checkpointable} offers nothing appended before the clear.
     *
     * @return how many entries were dropped (permits to release)
     */
    public synchronized int clear() {
        int dropped = count;
        ring = new Object[INITIAL_CAPACITY];
        headIndex = 0;
        count = 0;
        // positions are never reused, so acks still on their way for dropped entries fall outside the window
        headPosition = nextPosition;
        failedCount = 0;
        lastRemovedSequenceNumber = null;
        lastRemovedPosition = -1;
        lastOfferedSequenceNumber = null;
        lastOfferedPosition = -1;
        checkpointedPosition = nextPosition - 1;
        notifyAll();
        return dropped;
    }

    /**
     * Waits until the tracker is empty, an entry has failed (and so {@link #takeRedeliveries} has work) or
     * the timeout passes, whichever is first. Returns at once if empty or a failure is pending.
     *
     * @return whether the tracker is empty
     */
    public synchronized boolean awaitEmptyOrFailure(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        while (count > 0 && failedCount == 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            // wait(millis, nanos) would round; ceil to a millisecond so a sub-millisecond rest still waits
            wait(Math.max(1, (left + 999_999) / 1_000_000));
        }
        return count == 0;
    }

    /**
     * Waits a bounded time for every held entry to be acknowledged, handing records to publish again to
     * {@code redeliver} as failures arrive (outside the lock, in stream order, on the calling thread).
     *
     * @return whether the tracker drained; false on timeout
     */
    public boolean awaitEmpty(Duration timeout, Consumer<? super Redelivery<T>> redeliver)
            throws InterruptedException {
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        while (true) {
            takeRedeliveries().forEach(redeliver);
            long left = deadline - System.nanoTime();
            if (awaitEmptyOrFailure(Duration.ofNanos(Math.max(0, left)))) {
                return true;
            }
            if (deadline - System.nanoTime() <= 0) {
                return false;
            }
        }
    }

    private long append(Entry<T> entry) {
        if (count == ring.length) {
            grow();
        }
        ring[(headIndex + count) & (ring.length - 1)] = entry;
        count++;
        return nextPosition++;
    }

    private void grow() {
        Object[] larger = new Object[ring.length * 2];
        for (int i = 0; i < count; i++) {
            larger[i] = ring[(headIndex + i) & (ring.length - 1)];
        }
        ring = larger;
        headIndex = 0;
    }

    private int removeAckedPrefix() {
        int removed = 0;
        while (count > 0) {
            Entry<T> head = entryAtIndex(0);
            if (head.state != State.ACKED) {
                break;
            }
            ring[headIndex] = null;
            headIndex = (headIndex + 1) & (ring.length - 1);
            count--;
            if (head.completesRecord) {
                lastRemovedSequenceNumber = head.sequenceNumber;
                lastRemovedPosition = headPosition;
            }
            headPosition++;
            removed++;
        }
        if (removed > 0 && count == 0) {
            notifyAll();
        }
        return removed;
    }

    private Entry<T> entryAt(long position) {
        long index = position - headPosition;
        return index >= 0 && index < count ? entryAtIndex((int) index) : null;
    }

    @SuppressWarnings("unchecked")
    private Entry<T> entryAtIndex(int index) {
        return (Entry<T>) ring[(headIndex + index) & (ring.length - 1)];
    }

    private enum State { IN_FLIGHT, FAILED, ACKED }

    /**
     * One dispatched message; payload is null for a skipped record, which is never published; completesRecord is
     * false for a message its stream record's last message follows.
     */
    private static final class Entry<T> {
        final String sequenceNumber;
        final T payload;
        final boolean completesRecord;
        State state;

        Entry(String sequenceNumber, T payload, State state, boolean completesRecord) {
            this.sequenceNumber = sequenceNumber;
            this.payload = payload;
            this.state = state;
            this.completesRecord = completesRecord;
        }
    }

    /** A record to publish again, with the position its acknowledgement must name. */
    public record Redelivery<T>(long position, T payload) { }
}
