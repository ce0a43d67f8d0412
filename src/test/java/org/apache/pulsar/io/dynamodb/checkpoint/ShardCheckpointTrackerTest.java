package org.apache.pulsar.io.dynamodb.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pulsar.io.dynamodb.checkpoint.ShardCheckpointTracker.Redelivery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Unit, concurrency and model-based tests of {@link ShardCheckpointTracker}. */
class ShardCheckpointTrackerTest {

    private final ShardCheckpointTracker<String> tracker = new ShardCheckpointTracker<>();

    @Test
    void inOrderAcksMoveTheCheckpointOneByOne() {
        long p0 = tracker.add("s0", "r0");
        long p1 = tracker.add("s1", "r1");
        long p2 = tracker.add("s2", "r2");
        assertThat(List.of(p0, p1, p2)).containsExactly(0L, 1L, 2L);
        assertThat(tracker.size()).isEqualTo(3);
        assertThat(tracker.checkpointable()).isEmpty();

        assertThat(tracker.ack(p0)).isEqualTo(1);
        assertThat(tracker.checkpointable()).contains("s0");
        assertThat(tracker.ack(p1)).isEqualTo(1);
        assertThat(tracker.checkpointable()).contains("s1");
        assertThat(tracker.ack(p2)).isEqualTo(1);
        assertThat(tracker.checkpointable()).contains("s2");
        assertThat(tracker.size()).isZero();
        assertThat(tracker.isEmpty()).isTrue();
    }

    @Test
    void outOfOrderAcksMoveTheCheckpointOnlyOverTheContiguousPrefix() {
        long p0 = tracker.add("s0", "r0");
        long p1 = tracker.add("s1", "r1");
        long p2 = tracker.add("s2", "r2");
        long p3 = tracker.add("s3", "r3");

        assertThat(tracker.ack(p2)).isZero();
        assertThat(tracker.ack(p1)).isZero();
        assertThat(tracker.checkpointable()).isEmpty();
        assertThat(tracker.size()).isEqualTo(4);

        assertThat(tracker.ack(p0)).isEqualTo(3);
        assertThat(tracker.checkpointable()).contains("s2");
        assertThat(tracker.size()).isEqualTo(1);

        assertThat(tracker.ack(p3)).isEqualTo(1);
        assertThat(tracker.checkpointable()).contains("s3");
    }

    @Test
    void aGapThatNeverAcksBlocksTheCheckpoint() {
        long p0 = tracker.add("s0", "r0");
        tracker.add("s1", "r1"); // never acknowledged
        List<Long> later = new ArrayList<>();
        for (int i = 2; i < 50; i++) {
            later.add(tracker.add("s" + i, "r" + i));
        }
        assertThat(tracker.ack(p0)).isEqualTo(1);
        for (long p : later) {
            assertThat(tracker.ack(p)).isZero();
        }
        assertThat(tracker.checkpointable()).contains("s0");
        tracker.checkpointed("s0");
        assertThat(tracker.checkpointable()).isEmpty();
        assertThat(tracker.size()).isEqualTo(49);
    }

    @Test
    void failRedeliversTheFailedRecordAndEveryLaterOneInOrderIncludingAckedOnes() {
        long p0 = tracker.add("s0", "r0");
        long p1 = tracker.add("s1", "r1");
        long p2 = tracker.add("s2", "r2");
        long p3 = tracker.add("s3", "r3");
        long p4 = tracker.add("s4", "r4");

        assertThat(tracker.ack(p0)).isEqualTo(1);
        tracker.ack(p2);
        tracker.fail(p1);
        tracker.ack(p4);

        assertThat(tracker.takeRedeliveries()).containsExactly(
                new Redelivery<>(p1, "r1"), new Redelivery<>(p2, "r2"),
                new Redelivery<>(p3, "r3"), new Redelivery<>(p4, "r4"));
        // taken once: the failed entry is in flight again
        assertThat(tracker.takeRedeliveries()).isEmpty();
        assertThat(tracker.checkpointable()).contains("s0");

        // the new copies of already acked records are acked again: no-op
        assertThat(tracker.ack(p2)).isZero();
        assertThat(tracker.ack(p4)).isZero();
        assertThat(tracker.ack(p1)).isEqualTo(2);
        assertThat(tracker.checkpointable()).contains("s2");
        assertThat(tracker.ack(p3)).isEqualTo(2);
        assertThat(tracker.checkpointable()).contains("s4");
        assertThat(tracker.size()).isZero();
    }

    @Test
    void redeliveryStartsAtTheEarliestFailureAndResetsEveryFailure() {
        long p0 = tracker.add("s0", "r0");
        long p1 = tracker.add("s1", "r1");
        long p2 = tracker.add("s2", "r2");
        tracker.fail(p2);
        tracker.fail(p0);
        tracker.fail(p0); // duplicate fail

        assertThat(tracker.takeRedeliveries()).extracting(Redelivery::position).containsExactly(p0, p1, p2);
        assertThat(tracker.takeRedeliveries()).isEmpty();

        // a redelivered record can fail again, and is redelivered again
        tracker.fail(p1);
        assertThat(tracker.takeRedeliveries()).extracting(Redelivery::position).containsExactly(p1, p2);
        assertThat(tracker.ack(p0)).isEqualTo(1);
        assertThat(tracker.ack(p2)).isZero();
        assertThat(tracker.ack(p1)).isEqualTo(2);
        assertThat(tracker.checkpointable()).contains("s2");
    }

    @Test
    void failedRecordNeverLetsTheCheckpointPass() {
        long p0 = tracker.add("s0", "r0");
        long p1 = tracker.add("s1", "r1");
        tracker.fail(p0);
        tracker.ack(p1);
        assertThat(tracker.checkpointable()).isEmpty();
        assertThat(tracker.size()).isEqualTo(2);
    }

    @Test
    void ackOfAFailedRecordBeforeRedeliveryCountsAndCancelsTheRedelivery() {
        long p0 = tracker.add("s0", "r0");
        long p1 = tracker.add("s1", "r1");
        tracker.fail(p0);
        // e.g. an ack of an earlier attempt of the same position arriving late
        assertThat(tracker.ack(p0)).isEqualTo(1);
        assertThat(tracker.takeRedeliveries()).isEmpty();
        assertThat(tracker.ack(p1)).isEqualTo(1);
        assertThat(tracker.checkpointable()).contains("s1");
    }

    @Test
    void duplicateAcksAreNoOps() {
        long p0 = tracker.add("s0", "r0");
        long p1 = tracker.add("s1", "r1");
        long p2 = tracker.add("s2", "r2");

        assertThat(tracker.ack(p1)).isZero();
        assertThat(tracker.ack(p1)).isZero();
        assertThat(tracker.ack(p0)).isEqualTo(2);
        assertThat(tracker.ack(p0)).isZero();
        assertThat(tracker.ack(p1)).isZero();
        assertThat(tracker.size()).isEqualTo(1);
        assertThat(tracker.ack(p2)).isEqualTo(1);
        assertThat(tracker.ack(p2)).isZero();
        assertThat(tracker.size()).isZero();
    }

    @Test
    void unknownPositionsAreIgnored() {
        long p0 = tracker.add("s0", "r0");
        assertThat(tracker.ack(-1)).isZero();
        assertThat(tracker.ack(p0 + 1)).isZero();
        assertThat(tracker.ack(Long.MAX_VALUE)).isZero();
        assertThat(tracker.ack(Long.MIN_VALUE)).isZero();
        tracker.fail(-1);
        tracker.fail(p0 + 1);
        tracker.fail(Long.MAX_VALUE);
        assertThat(tracker.takeRedeliveries()).isEmpty();
        assertThat(tracker.size()).isEqualTo(1);
        // a position added later is not affected by the ack that named it too early
        long p1 = tracker.add("s1", "r1");
        assertThat(p1).isEqualTo(p0 + 1);
        assertThat(tracker.ack(p0)).isEqualTo(1);
        assertThat(tracker.size()).isEqualTo(1);
    }

    @Test
    void failOfAnAckedOrRemovedRecordIsIgnored() {
        long p0 = tracker.add("s0", "r0");
        long p1 = tracker.add("s1", "r1");
        long p2 = tracker.add("s2", "r2");
        tracker.ack(p1); // acked, still held behind p0
        tracker.fail(p1);
        assertThat(tracker.takeRedeliveries()).isEmpty();

        assertThat(tracker.ack(p0)).isEqualTo(2);
        tracker.fail(p0); // removed
        assertThat(tracker.takeRedeliveries()).isEmpty();
        assertThat(tracker.ack(p2)).isEqualTo(1);
        assertThat(tracker.checkpointable()).contains("s2");
    }

    @Test
    void skippedRecordAloneIsCheckpointableAtOnce() {
        assertThat(tracker.addAcknowledged("s0")).isEqualTo(1);
        assertThat(tracker.size()).isZero();
        assertThat(tracker.checkpointable()).contains("s0");
    }

    @Test
    void skippedRecordsAtTheHeadLeaveAtOnceAndDoNotBlock() {
        assertThat(tracker.addAcknowledged("s0")).isEqualTo(1);
        assertThat(tracker.addAcknowledged("s1")).isEqualTo(1);
        long p2 = tracker.add("s2", "r2");
        assertThat(tracker.checkpointable()).contains("s1");
        assertThat(tracker.ack(p2)).isEqualTo(1);
        assertThat(tracker.checkpointable()).contains("s2");
    }

    @Test
    void skippedRecordsInTheMiddleWaitForTheRecordsBeforeThem() {
        long p0 = tracker.add("s0", "r0");
        assertThat(tracker.addAcknowledged("s1")).isZero();
        assertThat(tracker.addAcknowledged("s2")).isZero();
        long p3 = tracker.add("s3", "r3");
        assertThat(tracker.addAcknowledged("s4")).isZero();
        assertThat(tracker.size()).isEqualTo(5);
        assertThat(tracker.checkpointable()).isEmpty();

        assertThat(tracker.ack(p0)).isEqualTo(3);
        assertThat(tracker.checkpointable()).contains("s2");
        assertThat(tracker.ack(p3)).isEqualTo(2);
        assertThat(tracker.checkpointable()).contains("s4");
    }

    @Test
    void skippedRecordsAreNotRedeliveredBecauseTheyWereNeverPublished() {
        long p0 = tracker.add("s0", "r0");
        tracker.addAcknowledged("s1");
        long p2 = tracker.add("s2", "r2");
        tracker.fail(p0);
        assertThat(tracker.takeRedeliveries()).containsExactly(new Redelivery<>(p0, "r0"), new Redelivery<>(p2, "r2"));
        assertThat(tracker.ack(p0)).isEqualTo(2);
        assertThat(tracker.checkpointable()).contains("s1");
    }

    // ---- a record published as several messages (a delete and its tombstone) ----------------------------------

    @Test
    void aLeadingMessageLeavingTheHeadDoesNotMoveTheCheckpoint() {
        long p0 = tracker.add("s0", "r0");
        long delete = tracker.addLeading("s1", "r1-delete");
        long tombstone = tracker.add("s1", "r1-tombstone");
        long p2 = tracker.add("s2", "r2");

        assertThat(tracker.ack(p0)).isEqualTo(1);
        assertThat(tracker.checkpointable()).contains("s0");
        assertThat(tracker.ack(delete)).as("the delete leaves the head, holding no permit").isEqualTo(1);
        assertThat(tracker.checkpointable()).as("not past s0: its tombstone is not acknowledged").contains("s0");
        assertThat(tracker.ack(p2)).isZero();
        assertThat(tracker.checkpointable()).contains("s0");

        assertThat(tracker.ack(tombstone)).isEqualTo(2);
        assertThat(tracker.checkpointable()).contains("s2");
        assertThat(tracker.isEmpty()).isTrue();
    }

    @Test
    void aRecordIsCheckpointableOnceItsLastMessageIsAcknowledgedWhateverTheOrder() {
        long delete = tracker.addLeading("s0", "r0-delete");
        long tombstone = tracker.add("s0", "r0-tombstone");

        assertThat(tracker.ack(tombstone)).isZero();
        assertThat(tracker.checkpointable()).isEmpty();
        assertThat(tracker.ack(delete)).isEqualTo(2);
        assertThat(tracker.checkpointable()).contains("s0");
    }

    @Test
    void aFailedDeleteIsRedeliveredWithItsTombstoneInOrder() {
        long delete = tracker.addLeading("s0", "r0-delete");
        long tombstone = tracker.add("s0", "r0-tombstone");
        long p1 = tracker.add("s1", "r1");
        tracker.ack(tombstone);
        tracker.fail(delete);

        assertThat(tracker.takeRedeliveries()).containsExactly(new Redelivery<>(delete, "r0-delete"),
                new Redelivery<>(tombstone, "r0-tombstone"), new Redelivery<>(p1, "r1"));
        assertThat(tracker.ack(delete)).isEqualTo(2);
        assertThat(tracker.checkpointable()).contains("s0");
    }

    @Test
    void aFailedTombstoneIsRedeliveredAloneOnceItsDeleteIsAcknowledged() {
        long delete = tracker.addLeading("s0", "r0-delete");
        long tombstone = tracker.add("s0", "r0-tombstone");
        tracker.ack(delete);
        tracker.fail(tombstone);

        assertThat(tracker.takeRedeliveries()).containsExactly(new Redelivery<>(tombstone, "r0-tombstone"));
        assertThat(tracker.checkpointable()).isEmpty();
        assertThat(tracker.ack(tombstone)).isEqualTo(1);
        assertThat(tracker.checkpointable()).contains("s0");
    }

    @Test
    void aClearAfterALeadingMessageOffersNothingOfItsRecord() {
        long delete = tracker.addLeading("s0", "r0-delete");
        assertThat(tracker.ack(delete)).isEqualTo(1);
        assertThat(tracker.clear()).isZero();
        assertThat(tracker.checkpointable()).isEmpty();
    }

    @Test
    void checkpointedSuppressesTheOfferUntilProgress() {
        long p0 = tracker.add("s0", "r0");
        long p1 = tracker.add("s1", "r1");
        long p2 = tracker.add("s2", "r2");
        tracker.ack(p0);
        Optional<String> offered = tracker.checkpointable();
        assertThat(offered).contains("s0");
        // offered again until written
        assertThat(tracker.checkpointable()).contains("s0");
        tracker.checkpointed(offered.orElseThrow());
        assertThat(tracker.checkpointable()).isEmpty();

        tracker.ack(p2);
        assertThat(tracker.checkpointable()).isEmpty();
        tracker.ack(p1);
        assertThat(tracker.checkpointable()).contains("s2");
        tracker.checkpointed("s2");
        assertThat(tracker.checkpointable()).isEmpty();
    }

    @Test
    void checkpointedWithAStaleOfferKeepsOfferingTheNewestValue() {
        long p0 = tracker.add("s0", "r0");
        long p1 = tracker.add("s1", "r1");
        tracker.ack(p0);
        String first = tracker.checkpointable().orElseThrow();
        tracker.ack(p1);
        // the checkpoint for "s0" completes after "s1" became checkpointable
        tracker.checkpointed(first);
        assertThat(tracker.checkpointable()).contains("s1");
        tracker.checkpointed("s1");
        assertThat(tracker.checkpointable()).isEmpty();
        // an older value never moves the checkpoint mark backwards
        tracker.checkpointed("s0");
        tracker.checkpointed("never-seen");
        assertThat(tracker.checkpointable()).isEmpty();
    }

    @Test
    void sequenceNumbersAreOpaqueAndOrderedByDispatchOnly() {
        // lexicographically descending, numerically mixed: only dispatch order counts
        long p0 = tracker.add("9", "a");
        long p1 = tracker.add("10", "b");
        long p2 = tracker.add("1", "c");
        tracker.ack(p0);
        tracker.checkpointed(tracker.checkpointable().orElseThrow());
        tracker.ack(p1);
        assertThat(tracker.checkpointable()).contains("10");
        tracker.checkpointed("10");
        tracker.ack(p2);
        assertThat(tracker.checkpointable()).contains("1");
    }

    @Test
    void clearDropsEverythingAndForgetsProgress() {
        long p0 = tracker.add("s0", "r0");
        long p1 = tracker.add("s1", "r1");
        long p2 = tracker.add("s2", "r2");
        tracker.ack(p0);
        tracker.fail(p2);
        assertThat(tracker.checkpointable()).contains("s0");

        assertThat(tracker.clear()).isEqualTo(2);
        assertThat(tracker.size()).isZero();
        assertThat(tracker.checkpointable()).isEmpty();
        assertThat(tracker.takeRedeliveries()).isEmpty();
        // late acks and fails of dropped positions
        assertThat(tracker.ack(p1)).isZero();
        assertThat(tracker.ack(p2)).isZero();
        tracker.fail(p1);
        assertThat(tracker.takeRedeliveries()).isEmpty();
        assertThat(tracker.checkpointable()).isEmpty();
        assertThat(tracker.clear()).isZero();

        // positions are not reused, so a late ack cannot hit a new entry
        long p3 = tracker.add("s3", "r3");
        assertThat(p3).isGreaterThan(p2);
        assertThat(tracker.ack(p1)).isZero();
        assertThat(tracker.ack(p0)).isZero();
        assertThat(tracker.checkpointable()).isEmpty();
        tracker.checkpointed("s0"); // from before the clear: ignored
        assertThat(tracker.ack(p3)).isEqualTo(1);
        assertThat(tracker.checkpointable()).contains("s3");
    }

    @Test
    void permitsAccountingReturnedCountsSumToEntriesAppended() {
        int released = 0;
        List<Long> positions = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            positions.add(tracker.add("s" + i, "r" + i));
        }
        released += tracker.addAcknowledged("s10");
        positions.add(tracker.add("s11", "r11"));
        for (int i = positions.size() - 1; i >= 0; i--) {
            released += tracker.ack(positions.get(i));
            released += tracker.ack(positions.get(i));
        }
        assertThat(released).isEqualTo(12);

        long a = tracker.add("s12", "r12");
        tracker.add("s13", "r13");
        released += tracker.addAcknowledged("s14");
        released += tracker.ack(a);
        released += tracker.clear();
        assertThat(released).isEqualTo(15);
        assertThat(tracker.size()).isZero();
    }

    @Test
    void headWrapsAndGrowsAroundTheRingWithoutLosingEntries() {
        // keep a sliding window so the head index wraps many times, then grow while wrapped
        List<Long> held = new ArrayList<>();
        int released = 0;
        int seq = 0;
        for (int round = 0; round < 200; round++) {
            held.add(tracker.add("s" + seq, "r" + seq));
            seq++;
            if (held.size() > 10) {
                released += tracker.ack(held.remove(0));
            }
        }
        for (int i = 0; i < 100; i++) {
            held.add(tracker.add("s" + seq, "r" + seq));
            seq++;
        }
        assertThat(tracker.size()).isEqualTo(held.size());
        long failed = held.get(3);
        tracker.fail(failed);
        assertThat(tracker.takeRedeliveries()).extracting(Redelivery::position)
                .containsExactlyElementsOf(held.subList(3, held.size()));
        for (int i = held.size() - 1; i >= 0; i--) {
            released += tracker.ack(held.get(i));
        }
        assertThat(released).isEqualTo(seq);
        assertThat(tracker.checkpointable()).contains("s" + (seq - 1));
    }

    @Test
    void nullSequenceNumberOrPayloadIsRejected() {
        assertThatThrownBy(() -> tracker.add(null, "r")).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> tracker.add("s", null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> tracker.addAcknowledged(null)).isInstanceOf(NullPointerException.class);
        assertThat(tracker.size()).isZero();
    }

    @Test
    void awaitReturnsAtOnceWhenEmpty() throws InterruptedException {
        assertThat(tracker.awaitEmptyOrFailure(Duration.ZERO)).isTrue();
        assertThat(tracker.awaitEmpty(Duration.ZERO, r -> { })).isTrue();
    }

    @Test
    void awaitTimesOutWhileSomethingIsUnacknowledged() throws InterruptedException {
        tracker.add("s0", "r0");
        assertThat(tracker.awaitEmptyOrFailure(Duration.ZERO)).isFalse();
        assertThat(tracker.awaitEmptyOrFailure(Duration.ofMillis(20))).isFalse();
        assertThat(tracker.awaitEmpty(Duration.ofMillis(20), r -> { })).isFalse();
        assertThat(tracker.size()).isEqualTo(1);
    }

    @Test
    void awaitReturnsWhenAnotherThreadAcksTheLastEntry() throws Exception {
        long p0 = tracker.add("s0", "r0");
        long p1 = tracker.add("s1", "r1");
        FutureTask<Boolean> drained = startWaiting(() -> tracker.awaitEmptyOrFailure(Duration.ofMinutes(1)));
        tracker.ack(p1);
        assertThat(drained).isNotDone();
        tracker.ack(p0);
        assertThat(drained.get(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void awaitEmptyOrFailureReturnsEarlyOnAFailure() throws Exception {
        long p0 = tracker.add("s0", "r0");
        FutureTask<Boolean> result = startWaiting(() -> tracker.awaitEmptyOrFailure(Duration.ofMinutes(1)));
        tracker.fail(p0);
        assertThat(result.get(10, TimeUnit.SECONDS)).isFalse();
        // and at once while the failure is still pending
        assertThat(tracker.awaitEmptyOrFailure(Duration.ofMinutes(1))).isFalse();
        assertThat(tracker.takeRedeliveries()).containsExactly(new Redelivery<>(p0, "r0"));
    }

    @Test
    void awaitEmptyOrFailureReturnsWhenCleared() throws Exception {
        tracker.add("s0", "r0");
        FutureTask<Boolean> result = startWaiting(() -> tracker.awaitEmptyOrFailure(Duration.ofMinutes(1)));
        tracker.clear();
        assertThat(result.get(10, TimeUnit.SECONDS)).isTrue();
    }

    /** Runs the wait on a new thread and returns once that thread is blocked in it. */
    private static FutureTask<Boolean> startWaiting(Callable<Boolean> wait) {
        FutureTask<Boolean> task = new FutureTask<>(wait);
        Thread waiter = new Thread(task, "waiter");
        waiter.setDaemon(true);
        waiter.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> waiter.getState() == Thread.State.TIMED_WAITING);
        return task;
    }

    @Test
    void awaitEmptyHandsFailuresToTheRedelivererUntilDrained() throws Exception {
        long p0 = tracker.add("s0", "r0");
        long p1 = tracker.add("s1", "r1");
        List<Redelivery<String>> redelivered = new ArrayList<>();
        ExecutorService pulsar = Executors.newSingleThreadExecutor();
        try {
            pulsar.submit(() -> {
                tracker.ack(p1);
                tracker.fail(p0);
            });
            boolean drained = tracker.awaitEmpty(Duration.ofMinutes(1), r -> {
                redelivered.add(r);
                // the redelivered copy is acknowledged by Pulsar, on another thread
                pulsar.submit(() -> tracker.ack(r.position()));
            });
            assertThat(drained).isTrue();
        } finally {
            pulsar.shutdownNow();
        }
        assertThat(redelivered).containsExactly(new Redelivery<>(p0, "r0"), new Redelivery<>(p1, "r1"));
        assertThat(tracker.checkpointable()).contains("s1");
    }

    @Test
    void awaitIsInterruptible() throws Exception {
        tracker.add("s0", "r0");
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try {
                tracker.awaitEmpty(Duration.ofMinutes(1), r -> { });
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        waiter.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> waiter.getState() == Thread.State.TIMED_WAITING);
        waiter.interrupt();
        waiter.join(10_000);
        assertThat(waiter.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    }

    @Test
    void concurrentAcksAndFailsKeepTheInvariantsAndEventuallyCheckpointEverything() throws Exception {
        int total = 20_000;
        int receiveQueueSize = 64;
        int workers = 4;
        Semaphore permits = new Semaphore(receiveQueueSize);
        BlockingQueue<Long> published = new LinkedBlockingQueue<>();
        // positions whose ack was (or is about to be) given: added before calling ack, and ack is terminal
        Set<Long> acked = ConcurrentHashMap.newKeySet();
        Map<Long, AtomicInteger> failures = new ConcurrentHashMap<>();
        AtomicInteger released = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();

        ExecutorService pool = Executors.newFixedThreadPool(workers);
        List<Future<?>> workerResults = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            Random random = new Random(1000 + w);
            workerResults.add(pool.submit(() -> {
                while (!done.get()) {
                    Long position = published.poll(5, TimeUnit.MILLISECONDS);
                    if (position == null) {
                        continue;
                    }
                    AtomicInteger failuresOfPosition = failures.computeIfAbsent(position, p -> new AtomicInteger());
                    // bounded failures per record so that everything is eventually acknowledged
                    if (random.nextInt(5) == 0 && failuresOfPosition.incrementAndGet() <= 3) {
                        failed.incrementAndGet();
                        tracker.fail(position);
                    } else {
                        acked.add(position);
                        int left = tracker.ack(position);
                        released.addAndGet(left);
                        permits.release(left);
                    }
                }
                return null;
            }));
        }

        CheckpointChecker checker = new CheckpointChecker(acked);
        int redeliveredRecords = 0;
        try {
            for (int i = 0; i < total; i++) {
                while (!permits.tryAcquire(1, TimeUnit.MILLISECONDS)) {
                    // a failed head blocks every permit until it is redelivered
                    redeliveredRecords += redeliver(published);
                }
                String sequenceNumber = String.valueOf(i);
                if (i % 10 == 3) {
                    acked.add((long) i);
                    int left = tracker.addAcknowledged(sequenceNumber);
                    released.addAndGet(left);
                    permits.release(left);
                } else {
                    long position = tracker.add(sequenceNumber, sequenceNumber);
                    assertThat(position).isEqualTo(i);
                    published.add(position);
                }
                assertThat(tracker.size()).isLessThanOrEqualTo(receiveQueueSize);
                redeliveredRecords += redeliver(published);
                checker.check(tracker, i % 7 == 0);
            }
            AtomicInteger redeliveredWhileDraining = new AtomicInteger();
            boolean drained = tracker.awaitEmpty(Duration.ofMinutes(1), r -> {
                redeliveredWhileDraining.incrementAndGet();
                published.add(r.position());
            });
            redeliveredRecords += redeliveredWhileDraining.get();
            assertThat(drained).isTrue();
        } finally {
            done.set(true);
            pool.shutdown();
        }
        for (Future<?> result : workerResults) {
            result.get(1, TimeUnit.MINUTES);
        }
        assertThat(pool.awaitTermination(1, TimeUnit.MINUTES)).isTrue();

        // the last sequence number may already have been offered and written inside the loop
        checker.check(tracker, true);
        assertThat(checker.verifiedUpTo).isEqualTo(total - 1);
        assertThat(tracker.checkpointable()).isEmpty();
        assertThat(tracker.size()).isZero();
        assertThat(released.get()).isEqualTo(total);
        assertThat(permits.availablePermits()).isEqualTo(receiveQueueSize);
        assertThat(tracker.takeRedeliveries()).isEmpty();
        // the failure path was exercised
        assertThat(failed.get()).isPositive();
        assertThat(redeliveredRecords).isPositive();
    }

    private int redeliver(BlockingQueue<Long> published) {
        List<Redelivery<String>> redeliveries = tracker.takeRedeliveries();
        long previous = Long.MIN_VALUE;
        for (Redelivery<String> r : redeliveries) {
            assertThat(r.position()).isGreaterThan(previous);
            assertThat(r.payload()).isEqualTo(String.valueOf(r.position()));
            previous = r.position();
            published.add(r.position());
        }
        return redeliveries.size();
    }

    /** Checks offered checkpoints against the acknowledgements actually given, incrementally. */
    private static final class CheckpointChecker {
        private final Set<Long> acked;
        private long verifiedUpTo = -1;

        CheckpointChecker(Set<Long> acked) {
            this.acked = acked;
        }

        void check(ShardCheckpointTracker<String> tracker, boolean write) {
            Optional<String> offered = tracker.checkpointable();
            if (offered.isEmpty()) {
                return;
            }
            long upTo = Long.parseLong(offered.get());
            // offers only move forward once written
            assertThat(upTo).isGreaterThanOrEqualTo(verifiedUpTo);
            for (long p = verifiedUpTo + 1; p <= upTo; p++) {
                assertThat(acked).as("checkpoint %s passes unacknowledged position %s", upTo, p).contains(p);
            }
            verifiedUpTo = upTo;
            if (write) {
                tracker.checkpointed(offered.get());
                // acks on other threads may have moved it meanwhile, but never to the written value or before
                tracker.checkpointable().ifPresent(next -> assertThat(Long.parseLong(next)).isGreaterThan(upTo));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1L, 2L, 3L, 42L, 20240601L})
    void behavesLikeTheReferenceModel(long seed) {
        Random random = new Random(seed);
        for (int run = 0; run < 200; run++) {
            runAgainstModel(new Random(random.nextLong()), 300);
        }
    }

    private static void runAgainstModel(Random random, int steps) {
        ShardCheckpointTracker<String> actual = new ShardCheckpointTracker<>();
        Model model = new Model();
        int appended = 0;
        int released = 0;
        for (int step = 0; step < steps; step++) {
            int op = random.nextInt(100);
            String context = "step " + step + " op " + op;
            if (op < 25) {
                String seq = model.nextSequenceNumber(random);
                String payload = "p" + seq;
                if (random.nextInt(4) == 0) {
                    // a delete and its tombstone
                    assertThat(actual.addLeading(seq, payload + "-delete")).as(context)
                            .isEqualTo(model.addLeading(seq, payload + "-delete"));
                    appended++;
                }
                assertThat(actual.add(seq, payload)).as(context).isEqualTo(model.add(seq, payload));
                appended++;
            } else if (op < 30) {
                String seq = model.nextSequenceNumber(random);
                int left = actual.addAcknowledged(seq);
                assertThat(left).as(context).isEqualTo(model.addAcknowledged(seq));
                released += left;
                appended++;
            } else if (op < 60) {
                long position = model.randomPosition(random);
                int left = actual.ack(position);
                assertThat(left).as(context + " ack " + position).isEqualTo(model.ack(position));
                released += left;
            } else if (op < 72) {
                long position = model.randomPosition(random);
                actual.fail(position);
                model.fail(position);
            } else if (op < 82) {
                assertThat(actual.takeRedeliveries()).as(context).isEqualTo(model.takeRedeliveries());
            } else if (op < 97) {
                Optional<String> offered = actual.checkpointable();
                assertThat(offered).as(context).isEqualTo(model.checkpointable());
                if (offered.isPresent() && random.nextBoolean()) {
                    actual.checkpointed(offered.get());
                    model.checkpointed(offered.get());
                } else if (random.nextInt(4) == 0 && !model.sequenceNumbers.isEmpty()) {
                    // an arbitrary earlier value: must never make an older value checkpointable
                    String stale = model.sequenceNumbers.get(random.nextInt(model.sequenceNumbers.size()));
                    actual.checkpointed(stale);
                    model.checkpointedStale(stale);
                }
            } else {
                int dropped = actual.clear();
                assertThat(dropped).as(context).isEqualTo(model.clear());
                released += dropped;
            }
            assertThat(actual.size()).as(context).isEqualTo(model.entries.size());
            assertThat(actual.isEmpty()).isEqualTo(model.entries.isEmpty());
            assertThat(released).as(context + " permits").isEqualTo(appended - actual.size());
        }
        assertThat(actual.checkpointable()).isEqualTo(model.checkpointable());
    }

    /** Naive reference: a list scanned linearly, positions kept per entry, no cleverness. */
    private static final class Model {
        final List<ModelEntry> entries = new ArrayList<>();
        final List<String> sequenceNumbers = new ArrayList<>();
        final Map<String, Long> positionOf = new HashMap<>();
        long next;
        long lastRemovedPosition = -1;
        String lastRemoved;
        long checkpointedPosition = -1;
        long clearedBelow;

        String nextSequenceNumber(Random random) {
            // opaque and not lexicographically ordered
            String seq = Integer.toString(random.nextInt(1000)) + "-" + next;
            sequenceNumbers.add(seq);
            positionOf.put(seq, next);
            return seq;
        }

        long randomPosition(Random random) {
            return random.nextInt((int) next + 4) - 2;
        }

        long add(String seq, String payload) {
            entries.add(new ModelEntry(next, seq, payload, false, true));
            return next++;
        }

        long addLeading(String seq, String payload) {
            entries.add(new ModelEntry(next, seq, payload, false, false));
            // the record's checkpoint is its last message's
            positionOf.put(seq, next + 1);
            return next++;
        }

        int addAcknowledged(String seq) {
            ModelEntry entry = new ModelEntry(next++, seq, null, true, true);
            entry.state = "acked";
            entries.add(entry);
            return drain();
        }

        int ack(long position) {
            for (ModelEntry e : entries) {
                if (e.position == position) {
                    if (e.state.equals("acked")) {
                        return 0;
                    }
                    e.state = "acked";
                    return drain();
                }
            }
            return 0;
        }

        void fail(long position) {
            for (ModelEntry e : entries) {
                if (e.position == position && e.state.equals("inflight")) {
                    e.state = "failed";
                }
            }
        }

        List<Redelivery<String>> takeRedeliveries() {
            List<Redelivery<String>> out = new ArrayList<>();
            boolean started = false;
            for (ModelEntry e : entries) {
                started |= e.state.equals("failed");
                if (started) {
                    if (e.state.equals("failed")) {
                        e.state = "inflight";
                    }
                    if (!e.skipped) {
                        out.add(new Redelivery<>(e.position, e.payload));
                    }
                }
            }
            return out;
        }

        Optional<String> checkpointable() {
            return lastRemovedPosition > checkpointedPosition ? Optional.of(lastRemoved) : Optional.empty();
        }

        void checkpointed(String seq) {
            checkpointedPosition = Math.max(checkpointedPosition, positionOf.get(seq));
        }

        void checkpointedStale(String seq) {
            long position = positionOf.get(seq);
            // a value from before a clear, or one never removed, must not count
            if (position >= clearedBelow && position <= lastRemovedPosition) {
                checkpointedPosition = Math.max(checkpointedPosition, position);
            }
        }

        int clear() {
            int dropped = entries.size();
            entries.clear();
            lastRemoved = null;
            lastRemovedPosition = -1;
            checkpointedPosition = next - 1;
            clearedBelow = next;
            return dropped;
        }

        private int drain() {
            int removed = 0;
            while (!entries.isEmpty() && entries.get(0).state.equals("acked")) {
                ModelEntry head = entries.remove(0);
                if (head.completesRecord) {
                    lastRemoved = head.sequenceNumber;
                    lastRemovedPosition = head.position;
                }
                removed++;
            }
            return removed;
        }
    }

    /** One entry of the reference model. */
    private static final class ModelEntry {
        final long position;
        final String sequenceNumber;
        final String payload;
        final boolean skipped;
        final boolean completesRecord;
        String state = "inflight";

        ModelEntry(long position, String sequenceNumber, String payload, boolean skipped, boolean completesRecord) {
            this.position = position;
            this.sequenceNumber = sequenceNumber;
            this.payload = payload;
            this.skipped = skipped;
            this.completesRecord = completesRecord;
        }
    }
}
