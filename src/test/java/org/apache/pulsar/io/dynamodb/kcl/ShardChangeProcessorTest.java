package org.apache.pulsar.io.dynamodb.kcl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.amazonaws.services.dynamodbv2.streamsadapter.adapter.DynamoDBStreamsClientRecord;
import com.amazonaws.services.dynamodbv2.streamsadapter.model.DynamoDBStreamsProcessRecordsInput;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.apache.pulsar.functions.api.Record;
import org.apache.pulsar.io.dynamodb.config.MessageKeyMode;
import org.apache.pulsar.io.dynamodb.config.OutputFormat;
import org.apache.pulsar.io.dynamodb.convert.ChangeRecord;
import org.apache.pulsar.io.dynamodb.convert.ChangeRecordConverter;
import org.apache.pulsar.io.dynamodb.convert.KeyRenderer;
import org.apache.pulsar.io.dynamodb.convert.RecordConverter;
import org.apache.pulsar.io.dynamodb.convert.RecordOrigin;
import org.apache.pulsar.io.dynamodb.filter.EventNameFilter;
import org.apache.pulsar.io.dynamodb.filter.RecordFilter;
import org.apache.pulsar.io.dynamodb.metrics.SourceMetrics;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.kinesis.lifecycle.events.InitializationInput;
import software.amazon.kinesis.lifecycle.events.LeaseLostInput;
import software.amazon.kinesis.lifecycle.events.ShardEndedInput;
import software.amazon.kinesis.lifecycle.events.ShutdownRequestedInput;
import software.amazon.kinesis.retrieval.kpl.ExtendedSequenceNumber;

/**
 * {@link ShardChangeProcessor} with the real converter and checkpoint tracker; only KCL (inputs, checkpointer)
 * and Pulsar (the sink, which acks and fails like Pulsar would) are faked.
 */
class ShardChangeProcessorTest {

    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");
    private static final Duration NOW = Duration.ZERO;
    private static final Duration NEVER = Duration.ofHours(1);
    private static final RecordConverter CONVERTER = new ChangeRecordConverter(MessageKeyMode.PRIMARY_KEY);
    private static final String SHARD = "shardId-00000001700000000000-test";
    private static final RecordOrigin ORIGIN = new RecordOrigin("table", "us-east-1",
            "arn:aws:dynamodb:us-east-1:123456789012:table/table/stream/2024-05-01T00:00:00.000", null);

    private final List<Record<byte[]>> published = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final List<Throwable> fatals = new CopyOnWriteArrayList<>();
    private final FakeCheckpointer checkpointer = new FakeCheckpointer();
    private final ExecutorService kclThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "test-kcl-shard");
        t.setDaemon(true);
        return t;
    });
    private Semaphore permits;
    private ShardChangeProcessor processor;
    private RecordFilter filter = RecordFilter.ALL;

    @AfterEach
    void tearDown() {
        // lets a processor still waiting for a permit give up
        stopping.set(true);
        kclThread.shutdownNow();
    }

    // ---- fixtures -------------------------------------------------------------------------------------------

    private static ProcessorSettings settings(Duration checkpointInterval) {
        return new ProcessorSettings(checkpointInterval, 0, Duration.ZERO, Optional.empty(), Duration.ofSeconds(5));
    }

    private static ProcessorSettings withRetries(ProcessorSettings s, int retries) {
        return new ProcessorSettings(s.checkpointInterval(), retries, s.backoff(), s.skipCreatedBefore(),
                s.shutdownAckWait());
    }

    private static ProcessorSettings withSkipBefore(ProcessorSettings s, Instant skipBefore) {
        return new ProcessorSettings(s.checkpointInterval(), s.checkpointRetries(), s.backoff(),
                Optional.of(skipBefore), s.shutdownAckWait());
    }

    private static ProcessorSettings withAckWait(ProcessorSettings s, Duration ackWait) {
        return new ProcessorSettings(s.checkpointInterval(), s.checkpointRetries(), s.backoff(),
                s.skipCreatedBefore(), ackWait);
    }

    private ShardChangeProcessor start(ProcessorSettings settings, int receiveQueueSize) {
        return start(settings, receiveQueueSize, CONVERTER);
    }

    private ShardChangeProcessor start(ProcessorSettings settings, int receiveQueueSize, RecordConverter converter) {
        permits = new Semaphore(receiveQueueSize);
        processor = new ShardChangeProcessor(new ProcessorContext(filter, converter, ORIGIN, published::add, permits,
                settings, stopping::get, fatals::add, new SourceMetrics(() -> 0)));
        processor.initialize(InitializationInput.builder()
                .shardId(SHARD)
                .extendedSequenceNumber(ExtendedSequenceNumber.TRIM_HORIZON)
                .build());
        return processor;
    }

    /** A 21-digit sequence number, like DynamoDB's, increasing with i. */
    static String seq(int i) {
        return String.format("%021d", 4_000_000_000L + i);
    }

    static software.amazon.awssdk.services.dynamodb.model.Record change(int i) {
        return change(i, T0.plusSeconds(i));
    }

    static software.amazon.awssdk.services.dynamodb.model.Record change(int i, Instant created) {
        Map<String, AttributeValue> keys = Map.of("pk", AttributeValue.builder().s("item-" + i).build());
        return software.amazon.awssdk.services.dynamodb.model.Record.builder()
                .eventID("event-" + i)
                .eventName(i % 2 == 0 ? OperationType.MODIFY : OperationType.INSERT)
                .eventVersion("1.1")
                .eventSource("aws:dynamodb")
                .awsRegion("us-east-1")
                .dynamodb(StreamRecord.builder()
                        .approximateCreationDateTime(created)
                        .keys(keys)
                        .newImage(Map.of(
                                "pk", AttributeValue.builder().s("item-" + i).build(),
                                "n", AttributeValue.builder().n(Integer.toString(i)).build()))
                        .sequenceNumber(seq(i))
                        .sizeBytes(42L)
                        .streamViewType(StreamViewType.NEW_IMAGE)
                        .build())
                .build();
    }

    private DynamoDBStreamsProcessRecordsInput batch(software.amazon.awssdk.services.dynamodb.model.Record... records) {
        Instant now = Instant.now();
        return DynamoDBStreamsProcessRecordsInput.builder()
                .records(Arrays.stream(records).map(DynamoDBStreamsClientRecord::fromRecord).toList())
                .checkpointer(checkpointer)
                .cacheEntryTime(now)
                .cacheExitTime(now)
                .isAtShardEnd(false)
                .millisBehindLatest(0L)
                .childShards(List.of())
                .build();
    }

    private DynamoDBStreamsProcessRecordsInput batch(int fromInclusive, int toInclusive) {
        return batch(IntStream.rangeClosed(fromInclusive, toInclusive).mapToObj(ShardChangeProcessorTest::change)
                .toArray(software.amazon.awssdk.services.dynamodb.model.Record[]::new));
    }

    private DynamoDBStreamsProcessRecordsInput idle() {
        return batch();
    }

    private Future<?> onKclThread(Runnable call) {
        return kclThread.submit(call);
    }

    private static ConditionFactory eventually() {
        return await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5));
    }

    /** Holds for a while: the processor had every chance to do what the assertion says it must not. */
    private static ConditionFactory throughout() {
        return await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10));
    }

    private static String seqOf(Record<byte[]> message) {
        return message.getProperties().get(ChangeRecordConverter.SEQUENCE_NUMBER);
    }

    private List<String> publishedSeqs() {
        return published.stream().map(ShardChangeProcessorTest::seqOf).toList();
    }

    private static List<String> seqs(int... i) {
        return Arrays.stream(i).mapToObj(ShardChangeProcessorTest::seq).toList();
    }

    /** The latest published copy of the record with this sequence number. */
    private Record<byte[]> latest(int i) {
        String wanted = seq(i);
        for (int k = published.size() - 1; k >= 0; k--) {
            if (seqOf(published.get(k)).equals(wanted)) {
                return published.get(k);
            }
        }
        throw new AssertionError("never published: " + wanted);
    }

    private void ack(int... i) {
        Arrays.stream(i).forEach(n -> latest(n).ack());
    }

    private void fail(int... i) {
        Arrays.stream(i).forEach(n -> latest(n).fail());
    }

    private static void join(Future<?> call) throws Exception {
        call.get(10, TimeUnit.SECONDS);
    }

    // ---- publishing -----------------------------------------------------------------------------------------

    @Test
    void publishesRecordsInStreamOrderWithTheConvertersKeyValueAndProperties() {
        start(settings(NEVER), 100);
        processor.processRecords(batch(1, 5));
        processor.processRecords(batch(6, 7));

        assertThat(publishedSeqs()).isEqualTo(seqs(1, 2, 3, 4, 5, 6, 7));
        for (int i = 1; i <= 7; i++) {
            Record<byte[]> message = published.get(i - 1);
            ChangeRecord expected = CONVERTER.convert(change(i), ORIGIN.withShard(SHARD), 0).get(0);
            assertThat(message.getKey()).contains(expected.key());
            assertThat(message.getKey().orElseThrow()).contains("item-" + i);
            assertThat(new String(message.getValue(), StandardCharsets.UTF_8))
                    .isEqualTo(new String(expected.value(), StandardCharsets.UTF_8))
                    .contains("item-" + i);
            assertThat(message.getProperties()).isEqualTo(Map.of(
                    ChangeRecordConverter.EVENT_NAME, i % 2 == 0 ? "MODIFY" : "INSERT",
                    ChangeRecordConverter.SEQUENCE_NUMBER, seq(i)));
            assertThat(message.getEventTime()).contains(T0.plusSeconds(i).toEpochMilli());
        }
        assertThat(permits.availablePermits()).isEqualTo(93);
        assertThat(fatals).isEmpty();
        assertThat(checkpointer.attempts()).isZero();
    }

    // ---- checkpointing --------------------------------------------------------------------------------------

    @Test
    void checkpointsOnlyTheContiguousAcknowledgedPrefix() {
        start(settings(NOW), 100);
        processor.processRecords(batch(1, 5));
        assertThat(checkpointer.attempts()).as("nothing acknowledged yet").isZero();

        ack(2, 3);
        processor.processRecords(idle());
        assertThat(checkpointer.attempts()).as("record 1 is not acknowledged").isZero();

        ack(1);
        processor.processRecords(idle());
        assertThat(checkpointer.checkpoints()).containsExactly(seq(3));

        ack(5);
        processor.processRecords(idle());
        processor.processRecords(batch(6, 6));
        assertThat(checkpointer.checkpoints()).as("record 4 is not acknowledged; no rewrite of 3")
                .containsExactly(seq(3));

        ack(4);
        processor.processRecords(idle());
        assertThat(checkpointer.checkpoints()).containsExactly(seq(3), seq(5));

        ack(6);
        processor.processRecords(idle());
        processor.processRecords(idle());
        assertThat(checkpointer.checkpoints()).containsExactly(seq(3), seq(5), seq(6));
        assertThat(permits.availablePermits()).isEqualTo(100);
    }

    @Test
    void idleCallCheckpointsNewlyAcknowledgedRecordsOnceTheIntervalPassed() {
        start(settings(NOW), 100);
        processor.processRecords(batch(1, 2));
        ack(1, 2);
        assertThat(checkpointer.attempts()).as("acks alone write nothing").isZero();

        processor.processRecords(idle());
        assertThat(checkpointer.checkpoints()).containsExactly(seq(2));
    }

    @Test
    void noCheckpointBeforeTheIntervalPassesButShutdownStillWritesIt() {
        start(settings(NEVER), 100);
        processor.processRecords(batch(1, 3));
        ack(1, 2, 3);
        for (int i = 0; i < 5; i++) {
            processor.processRecords(idle());
        }
        processor.processRecords(batch(4, 4));
        ack(4);
        processor.processRecords(idle());
        assertThat(checkpointer.attempts()).isZero();

        processor.shutdownRequested(ShutdownRequestedInput.builder().checkpointer(checkpointer).build());
        assertThat(checkpointer.checkpoints()).containsExactly(seq(4));
    }

    @Test
    void checkpointsAtMostOncePerInterval() {
        Duration interval = Duration.ofMillis(150);
        long initialized = System.nanoTime();
        start(settings(interval), 100);

        processor.processRecords(batch(1, 1));
        ack(1);
        eventually().until(() -> {
            processor.processRecords(idle());
            return !checkpointer.checkpoints().isEmpty();
        });
        assertThat(checkpointer.checkpoints()).containsExactly(seq(1));
        assertThat(checkpointer.writes().get(0).nanos() - initialized)
                .as("first checkpoint an interval after initialize").isGreaterThanOrEqualTo(interval.toNanos());

        processor.processRecords(batch(2, 2));
        ack(2);
        eventually().until(() -> {
            processor.processRecords(idle());
            return checkpointer.checkpoints().size() == 2;
        });
        List<FakeCheckpointer.Write> writes = checkpointer.writes();
        assertThat(writes.get(1).sequenceNumber()).isEqualTo(seq(2));
        assertThat(writes.get(1).nanos() - writes.get(0).nanos()).isGreaterThanOrEqualTo(interval.toNanos());
    }

    @Test
    void throttledCheckpointIsRetriedWithinTheCall() {
        start(withRetries(settings(NOW), 3), 100);
        checkpointer.throttleNext(3);
        processor.processRecords(batch(1, 2));
        ack(1, 2);

        processor.processRecords(idle());
        assertThat(checkpointer.attempts()).isEqualTo(4);
        assertThat(checkpointer.checkpoints()).containsExactly(seq(2));

        processor.processRecords(idle());
        assertThat(checkpointer.attempts()).as("written, so not written again").isEqualTo(4);
    }

    @Test
    void dependencyFailureIsRetriedLikeThrottling() {
        start(withRetries(settings(NOW), 2), 100);
        checkpointer.failDependencyNext(2);
        processor.processRecords(batch(1, 1));
        ack(1);

        processor.processRecords(idle());
        assertThat(checkpointer.attempts()).isEqualTo(3);
        assertThat(checkpointer.checkpoints()).containsExactly(seq(1));
    }

    @Test
    void unreachableLeaseTableIsRetriedLaterWithoutFailingTheSource() {
        start(withRetries(settings(NOW), 1), 100);
        checkpointer.unreachableNext(2);
        processor.processRecords(batch(1, 2));
        ack(1, 2);

        processor.processRecords(idle());
        assertThat(checkpointer.checkpoints()).isEmpty();
        assertThat(fatals).as("DynamoDB down is not a reason to fail the source").isEmpty();

        processor.processRecords(batch(3, 3));
        assertThat(checkpointer.checkpoints()).containsExactly(seq(2));
        assertThat(publishedSeqs()).as("publishing goes on").isEqualTo(seqs(1, 2, 3));
    }

    @Test
    void rejectedCheckpointStillFailsTheSource() {
        start(withRetries(settings(NOW), 3), 100);
        checkpointer.rejectNext(1);
        processor.processRecords(batch(1, 1));
        ack(1);

        processor.processRecords(idle());
        assertThat(checkpointer.attempts()).as("not retried").isEqualTo(1);
        assertThat(fatals).hasSize(1);
        assertThat(checkpointer.checkpoints()).isEmpty();
    }

    @Test
    void checkpointGivesUpAfterTheRetriesAndTriesAgainOnALaterCall() {
        start(withRetries(settings(NOW), 1), 100);
        checkpointer.throttleNext(3);
        processor.processRecords(batch(1, 2));
        ack(1, 2);

        processor.processRecords(idle());
        assertThat(checkpointer.attempts()).as("one attempt and one retry").isEqualTo(2);
        assertThat(checkpointer.checkpoints()).isEmpty();
        assertThat(fatals).isEmpty();

        processor.processRecords(batch(3, 3));
        assertThat(checkpointer.attempts()).isEqualTo(4);
        assertThat(checkpointer.checkpoints()).containsExactly(seq(2));
        assertThat(publishedSeqs()).as("publishing goes on").isEqualTo(seqs(1, 2, 3));
    }

    @Test
    void zeroRetriesMeansASingleAttempt() {
        start(settings(NOW), 100);
        checkpointer.throttleNext(1);
        processor.processRecords(batch(1, 1));
        ack(1);

        processor.processRecords(idle());
        assertThat(checkpointer.attempts()).isEqualTo(1);
        assertThat(checkpointer.checkpoints()).isEmpty();

        processor.processRecords(idle());
        assertThat(checkpointer.checkpoints()).containsExactly(seq(1));
    }

    // ---- failures and redelivery ----------------------------------------------------------------------------

    @Test
    void failedRecordIsPublishedAgainWithEveryRecordAfterItInOrder() {
        start(settings(NOW), 100);
        processor.processRecords(batch(1, 5));
        List<Record<byte[]>> firstCopies = List.copyOf(published);
        ack(1, 4);
        fail(2);

        processor.processRecords(idle());
        assertThat(publishedSeqs()).isEqualTo(seqs(1, 2, 3, 4, 5, 2, 3, 4, 5));
        for (int k = 0; k < 4; k++) {
            Record<byte[]> again = published.get(5 + k);
            Record<byte[]> first = firstCopies.get(1 + k);
            assertThat(again.getKey()).isEqualTo(first.getKey());
            assertThat(again.getValue()).isEqualTo(first.getValue());
            assertThat(again.getProperties()).isEqualTo(first.getProperties());
        }
        assertThat(checkpointer.checkpoints()).as("only record 1 is safe").containsExactly(seq(1));

        processor.processRecords(idle());
        assertThat(published).as("a failure is published again once").hasSize(9);

        ack(2, 3);
        processor.processRecords(idle());
        assertThat(checkpointer.checkpoints()).as("4 was acknowledged before the failure")
                .containsExactly(seq(1), seq(4));

        ack(5);
        processor.processRecords(idle());
        assertThat(checkpointer.checkpoints()).containsExactly(seq(1), seq(4), seq(5));
        assertThat(permits.availablePermits()).isEqualTo(100);
    }

    @Test
    void newRecordsFollowTheRedeliveredOnes() {
        start(settings(NOW), 100);
        processor.processRecords(batch(1, 2));
        fail(1);

        processor.processRecords(batch(3, 4));
        assertThat(publishedSeqs()).isEqualTo(seqs(1, 2, 1, 2, 3, 4));
    }

    @Test
    void failedAgainIsPublishedAgainAgain() {
        start(settings(NOW), 100);
        processor.processRecords(batch(1, 1));
        fail(1);
        processor.processRecords(idle());
        fail(1);
        processor.processRecords(idle());
        assertThat(publishedSeqs()).isEqualTo(seqs(1, 1, 1));
        assertThat(checkpointer.attempts()).isZero();

        ack(1);
        processor.processRecords(idle());
        assertThat(checkpointer.checkpoints()).containsExactly(seq(1));
        assertThat(permits.availablePermits()).isEqualTo(100);
    }

    // ---- receiveQueueSize permits ---------------------------------------------------------------------------

    @Test
    void dispatchBlocksAtReceiveQueueSizeUntilAnAckFreesAPermit() throws Exception {
        start(settings(NEVER), 3);
        Future<?> call = onKclThread(() -> processor.processRecords(batch(1, 6)));

        eventually().until(() -> published.size() == 3);
        throughout().until(() -> published.size() == 3 && !call.isDone());
        assertThat(permits.availablePermits()).isZero();

        ack(2);
        throughout().alias("record 1 still holds the queue").until(() -> published.size() == 3);

        ack(1);
        eventually().until(() -> published.size() == 5);
        throughout().until(() -> published.size() == 5 && !call.isDone());

        ack(3);
        join(call);
        assertThat(publishedSeqs()).isEqualTo(seqs(1, 2, 3, 4, 5, 6));
        assertThat(permits.availablePermits()).isZero();

        ack(4, 5, 6);
        assertThat(permits.availablePermits()).isEqualTo(3);
        assertThat(fatals).isEmpty();
    }

    @Test
    void recordFailedWhileWaitingForAPermitIsPublishedAgainBeforeTheRest() throws Exception {
        start(settings(NOW), 2);
        Future<?> call = onKclThread(() -> processor.processRecords(batch(1, 3)));
        eventually().until(() -> published.size() == 2);

        fail(1);
        eventually().until(() -> published.size() == 4);
        assertThat(publishedSeqs()).isEqualTo(seqs(1, 2, 1, 2));
        throughout().until(() -> published.size() == 4 && !call.isDone());

        ack(1);
        join(call);
        assertThat(publishedSeqs()).isEqualTo(seqs(1, 2, 1, 2, 3));

        ack(2, 3);
        processor.processRecords(idle());
        assertThat(checkpointer.checkpoints()).endsWith(seq(3));
        assertThat(permits.availablePermits()).isEqualTo(2);
    }

    @Test
    void permitsAreAllReturnedOnceEverythingIsAcknowledged() {
        start(settings(NOW), 10);
        processor.processRecords(batch(1, 4));
        fail(2);
        processor.processRecords(batch(5, 7));
        assertThat(permits.availablePermits()).as("7 records held, redelivered copies hold no extra permit")
                .isEqualTo(3);

        ack(1, 2, 3, 4, 5, 6, 7);
        assertThat(permits.availablePermits()).isEqualTo(10);
        // acks of earlier copies, and duplicate acks, release nothing more
        published.forEach(Record::ack);
        assertThat(permits.availablePermits()).isEqualTo(10);
    }

    // ---- AT_TIMESTAMP ---------------------------------------------------------------------------------------

    @Test
    void recordsCreatedBeforeTheStartTimeAreCheckpointedPastButNeverPublished() {
        Instant startAt = T0.plusSeconds(100);
        start(withSkipBefore(settings(NOW), startAt), 10);
        processor.processRecords(batch(
                change(1, startAt.minusSeconds(5)),
                change(2, startAt.minusMillis(1))));
        assertThat(published).isEmpty();
        assertThat(checkpointer.checkpoints()).as("nothing held before them").containsExactly(seq(2));

        processor.processRecords(batch(
                change(3, startAt),
                change(4, startAt.minusSeconds(1)),
                change(5, startAt.minusSeconds(1)),
                change(6, startAt.plusSeconds(1)),
                change(7, startAt.minusSeconds(1))));
        assertThat(publishedSeqs()).isEqualTo(seqs(3, 6));
        assertThat(checkpointer.checkpoints()).as("3 is not acknowledged").containsExactly(seq(2));

        ack(3);
        processor.processRecords(idle());
        assertThat(checkpointer.checkpoints()).containsExactly(seq(2), seq(5));

        ack(6);
        processor.processRecords(idle());
        assertThat(checkpointer.checkpoints()).containsExactly(seq(2), seq(5), seq(7));
        assertThat(permits.availablePermits()).isEqualTo(10);
    }

    @Test
    void skippedRecordsHoldPermitsUntilTheRecordsBeforeThemAreAcknowledged() throws Exception {
        Instant startAt = T0.plusSeconds(100);
        start(withSkipBefore(settings(NOW), startAt), 2);
        Future<?> call = onKclThread(() -> processor.processRecords(batch(
                change(1, startAt),
                change(2, startAt.minusSeconds(1)),
                change(3, startAt.minusSeconds(1)),
                change(4, startAt.plusSeconds(1)))));
        eventually().until(() -> permits.availablePermits() == 0);
        throughout().until(() -> !call.isDone() && published.size() == 1);

        ack(1);
        join(call);
        assertThat(publishedSeqs()).isEqualTo(seqs(1, 4));
        assertThat(checkpointer.checkpoints()).as("past the skipped records").containsExactly(seq(3));
        ack(4);
        assertThat(permits.availablePermits()).isEqualTo(2);
        processor.processRecords(idle());
        assertThat(checkpointer.checkpoints()).containsExactly(seq(3), seq(4));
    }

    @Test
    void recordsWithoutCreationTimeAreNotSkipped() {
        start(withSkipBefore(settings(NOW), T0.plusSeconds(100)), 10);
        software.amazon.awssdk.services.dynamodb.model.Record noTime = change(1).toBuilder()
                .dynamodb(change(1).dynamodb().toBuilder().approximateCreationDateTime(null).build())
                .build();
        processor.processRecords(batch(noTime));
        assertThat(publishedSeqs()).isEqualTo(seqs(1));
    }

    // ---- eventNames filter ----------------------------------------------------------------------------------

    @Test
    void filteredRecordsAreNeverPublishedAndCheckpointedPastInTheirTurn() {
        filter = EventNameFilter.of(Set.of(OperationType.INSERT, OperationType.REMOVE));
        start(settings(NOW), 10);
        // odd records are INSERTs, even ones MODIFYs
        processor.processRecords(batch(1, 5));
        assertThat(publishedSeqs()).isEqualTo(seqs(1, 3, 5));
        assertThat(permits.availablePermits()).as("filtered 2 and 4 wait for 1 and 3").isEqualTo(5);

        ack(5);
        processor.processRecords(idle());
        assertThat(checkpointer.checkpoints()).isEmpty();
        ack(1);
        processor.processRecords(idle());
        assertThat(checkpointer.checkpoints()).as("2 is filtered, 3 is not acknowledged").containsExactly(seq(2));
        ack(3);
        processor.processRecords(batch(6, 6));
        assertThat(checkpointer.checkpoints()).containsExactly(seq(2), seq(6));
        assertThat(publishedSeqs()).isEqualTo(seqs(1, 3, 5));
        assertThat(permits.availablePermits()).isEqualTo(10);
    }

    @Test
    void aFilterFailureFailsTheSourceAndReturnsItsPermit() {
        IllegalStateException boom = new IllegalStateException("filter failed (test)");
        filter = record -> {
            if (record.dynamodb().sequenceNumber().equals(seq(2))) {
                throw boom;
            }
            return true;
        };
        start(settings(NOW), 10);
        processor.processRecords(batch(1, 3));
        assertThat(fatals).containsExactly(boom);
        assertThat(publishedSeqs()).isEqualTo(seqs(1));
        assertThat(permits.availablePermits()).isEqualTo(9);
    }

    // ---- a delete followed by its tombstone (ENVELOPE) -------------------------------------------------------

    private static final RecordConverter ENVELOPE_WITH_TOMBSTONES = new ChangeRecordConverter(
            KeyRenderer.forMode(MessageKeyMode.PRIMARY_KEY), OutputFormat.ENVELOPE, true);

    static software.amazon.awssdk.services.dynamodb.model.Record remove(int i) {
        software.amazon.awssdk.services.dynamodb.model.Record change = change(i);
        return change.toBuilder().eventName(OperationType.REMOVE)
                .dynamodb(change.dynamodb().toBuilder().oldImage(change.dynamodb().newImage()).newImage(null)
                        .streamViewType(StreamViewType.NEW_AND_OLD_IMAGES).build())
                .build();
    }

    private static boolean isTombstone(Record<byte[]> message) {
        return message.getValue().length == 0;
    }

    @Test
    void aDeleteIsFollowedByItsTombstoneAndCheckpointedOnlyOnceBothAreAcknowledged() {
        start(settings(NOW), 10, ENVELOPE_WITH_TOMBSTONES);
        processor.processRecords(batch(change(1), remove(2), change(3)));

        assertThat(publishedSeqs()).isEqualTo(seqs(1, 2, 2, 3));
        Record<byte[]> delete = published.get(1);
        Record<byte[]> tombstone = published.get(2);
        assertThat(new String(delete.getValue(), StandardCharsets.UTF_8)).startsWith("{\"op\":\"d\",");
        assertThat(isTombstone(tombstone)).isTrue();
        assertThat(tombstone.getKey()).isEqualTo(delete.getKey()).contains("{\"pk\":{\"S\":\"item-2\"}}");
        assertThat(tombstone.getProperties()).isEqualTo(delete.getProperties())
                .containsEntry(ChangeRecordConverter.EVENT_NAME, "REMOVE");
        assertThat(permits.availablePermits()).as("one permit per message").isEqualTo(6);

        published.get(0).ack();
        delete.ack();
        published.get(3).ack();
        processor.processRecords(idle());
        assertThat(checkpointer.checkpoints()).as("the tombstone of 2 is not acknowledged").containsExactly(seq(1));

        tombstone.ack();
        processor.processRecords(idle());
        assertThat(checkpointer.checkpoints()).containsExactly(seq(1), seq(3));
        assertThat(permits.availablePermits()).isEqualTo(10);
    }

    @Test
    void aFailedDeleteIsPublishedAgainWithItsTombstoneInOrder() {
        start(settings(NOW), 10, ENVELOPE_WITH_TOMBSTONES);
        processor.processRecords(batch(remove(1), change(2)));
        List<Record<byte[]>> first = List.copyOf(published);
        first.get(1).ack();
        first.get(0).fail();

        processor.processRecords(idle());
        assertThat(publishedSeqs()).isEqualTo(seqs(1, 1, 2, 1, 1, 2));
        assertThat(published.subList(3, 6)).extracting(ShardChangeProcessorTest::isTombstone)
                .containsExactly(false, true, false);
        published.subList(3, 6).forEach(Record::ack);
        processor.processRecords(idle());
        assertThat(checkpointer.checkpoints()).containsExactly(seq(2));
    }

    @Test
    void aFailedTombstoneIsPublishedAgainAfterItsAcknowledgedDelete() {
        start(settings(NOW), 10, ENVELOPE_WITH_TOMBSTONES);
        processor.processRecords(batch(remove(1)));
        published.get(0).ack();
        published.get(1).fail();

        processor.processRecords(idle());
        assertThat(published).hasSize(3);
        assertThat(isTombstone(published.get(2))).isTrue();
        assertThat(checkpointer.checkpoints()).isEmpty();
        published.get(2).ack();
        processor.processRecords(idle());
        assertThat(checkpointer.checkpoints()).containsExactly(seq(1));
    }

    @Test
    void aDeleteAndItsTombstonePassThroughAReceiveQueueOfOne() throws Exception {
        start(settings(NOW), 1, ENVELOPE_WITH_TOMBSTONES);
        Future<?> call = onKclThread(() -> processor.processRecords(batch(remove(1), change(2))));
        eventually().until(() -> published.size() == 1);
        throughout().until(() -> published.size() == 1 && !call.isDone());

        published.get(0).ack();
        eventually().until(() -> published.size() == 2);
        assertThat(isTombstone(published.get(1))).isTrue();
        published.get(1).ack();
        eventually().until(() -> published.size() == 3);
        published.get(2).ack();
        join(call);
        processor.processRecords(idle());
        // the batch's own call may have checkpointed 1 before 2 was acknowledged
        assertThat(checkpointer.checkpoints()).endsWith(seq(2)).allSatisfy(s -> assertThat(s).isIn(seq(1), seq(2)));
        assertThat(permits.availablePermits()).isEqualTo(1);
    }

    @Test
    void stoppingBetweenADeleteAndItsTombstoneLeavesTheRecordForTheNextReader() throws Exception {
        start(settings(NOW), 1, ENVELOPE_WITH_TOMBSTONES);
        Future<?> call = onKclThread(() -> processor.processRecords(batch(change(1), remove(2))));
        eventually().until(() -> published.size() == 1);
        published.get(0).ack();
        eventually().until(() -> published.size() == 2);

        stopping.set(true);
        join(call);
        published.get(1).ack();
        join(onKclThread(() -> processor.shutdownRequested(
                ShutdownRequestedInput.builder().checkpointer(checkpointer).build())));
        assertThat(published).as("the tombstone of 2 was never published").hasSize(2);
        assertThat(checkpointer.checkpoints()).as("2 is read again, delete and tombstone").containsExactly(seq(1));
        assertThat(permits.availablePermits()).isEqualTo(1);
    }

    @Test
    void aFilteredRemoveGetsNoTombstone() {
        filter = EventNameFilter.of(Set.of(OperationType.INSERT, OperationType.MODIFY));
        start(settings(NOW), 10, ENVELOPE_WITH_TOMBSTONES);
        processor.processRecords(batch(change(1), remove(2)));

        assertThat(publishedSeqs()).isEqualTo(seqs(1));
        published.get(0).ack();
        processor.processRecords(idle());
        assertThat(checkpointer.checkpoints()).containsExactly(seq(2));
    }

    // ---- stopping, fatal errors -----------------------------------------------------------------------------

    @Test
    void stoppingWhileWaitingForPermitsLeavesTheRestForTheNextReader() throws Exception {
        start(settings(NOW), 2);
        Future<?> call = onKclThread(() -> processor.processRecords(batch(1, 4)));
        eventually().until(() -> published.size() == 2);

        stopping.set(true);
        join(call);
        assertThat(publishedSeqs()).isEqualTo(seqs(1, 2));

        ack(1, 2);
        assertThat(permits.availablePermits()).isEqualTo(2);
        processor.processRecords(batch(5, 6));
        processor.processRecords(idle());
        assertThat(publishedSeqs()).as("nothing after the gap").isEqualTo(seqs(1, 2));
        assertThat(checkpointer.checkpoints()).allSatisfy(s -> assertThat(s).isIn(seq(1), seq(2)));
        assertThat(fatals).isEmpty();
    }

    @Test
    void shardEndAfterAHalfDispatchedBatchIsNotCheckpointed() throws Exception {
        start(settings(NOW), 2);
        Future<?> call = onKclThread(() -> processor.processRecords(batch(1, 4)));
        eventually().until(() -> published.size() == 2);
        stopping.set(true);
        join(call);
        ack(1, 2);

        // records 3 and 4 were never published: a SHARD_END checkpoint would lose them
        join(onKclThread(() -> processor.shardEnded(ShardEndedInput.builder().checkpointer(checkpointer).build())));
        assertThat(checkpointer.checkpoints()).doesNotContain(FakeCheckpointer.SHARD_END)
                .allSatisfy(s -> assertThat(s).isIn(seq(1), seq(2)));
    }

    @Test
    void interruptedWhileWaitingForAPermitStopsTheShard() throws Exception {
        start(settings(NOW), 1);
        AtomicReference<Thread> kcl = new AtomicReference<>();
        AtomicBoolean interruptKept = new AtomicBoolean();
        Future<?> call = onKclThread(() -> {
            kcl.set(Thread.currentThread());
            processor.processRecords(batch(1, 3));
            interruptKept.set(Thread.interrupted());
        });
        eventually().until(() -> published.size() == 1);
        kcl.get().interrupt();
        join(call);
        assertThat(interruptKept).isTrue();

        ack(1);
        processor.processRecords(batch(4, 4));
        assertThat(publishedSeqs()).isEqualTo(seqs(1));
        assertThat(permits.availablePermits()).isEqualTo(1);
    }

    @Test
    void converterFailureFailsTheSourceAndPublishesNothingAfterIt() throws Exception {
        IllegalStateException boom = new IllegalStateException("cannot convert (test)");
        start(settings(NOW), 10, (record, origin, readTime) -> {
            if (record.dynamodb().sequenceNumber().equals(seq(3))) {
                throw boom;
            }
            return CONVERTER.convert(record, origin, readTime);
        });

        processor.processRecords(batch(1, 5));
        assertThat(fatals).containsExactly(boom);
        assertThat(publishedSeqs()).isEqualTo(seqs(1, 2));
        assertThat(permits.availablePermits()).as("the failed record's permit is returned").isEqualTo(8);

        ack(1, 2);
        assertThat(permits.availablePermits()).isEqualTo(10);
        processor.processRecords(batch(6, 7));
        processor.processRecords(idle());
        assertThat(publishedSeqs()).isEqualTo(seqs(1, 2));
        assertThat(checkpointer.checkpoints()).allSatisfy(s -> assertThat(s).isIn(seq(1), seq(2)));

        join(onKclThread(() -> processor.shardEnded(ShardEndedInput.builder().checkpointer(checkpointer).build())));
        assertThat(checkpointer.checkpoints()).as("record 3 was never published").doesNotContain(FakeCheckpointer.SHARD_END);
        assertThat(fatals).containsExactly(boom);
    }

    @Test
    void sinkFailureFailsTheSource() {
        RuntimeException full = new IllegalStateException("queue rejected (test)");
        permits = new Semaphore(10);
        processor = new ShardChangeProcessor(new ProcessorContext(RecordFilter.ALL, CONVERTER, ORIGIN, r -> {
            throw full;
        }, permits, settings(NOW), stopping::get, fatals::add, new SourceMetrics(() -> 0)));
        processor.initialize(InitializationInput.builder().shardId("shardId-test")
                .extendedSequenceNumber(ExtendedSequenceNumber.TRIM_HORIZON).build());

        processor.processRecords(batch(1, 3));
        assertThat(fatals).containsExactly(full);
        assertThat(checkpointer.attempts()).isZero();
    }

    // ---- shard end ------------------------------------------------------------------------------------------

    @Test
    void shardEndedWaitsForEveryAckThenCheckpointsAtShardEnd() throws Exception {
        start(settings(NEVER), 10);
        processor.processRecords(batch(1, 3));
        ack(1);

        Future<?> ended = onKclThread(() ->
                processor.shardEnded(ShardEndedInput.builder().checkpointer(checkpointer).build()));
        throughout().until(() -> !ended.isDone() && checkpointer.attempts() == 0);

        ack(3);
        fail(2);
        eventually().until(() -> published.size() == 5);
        assertThat(publishedSeqs()).isEqualTo(seqs(1, 2, 3, 2, 3));
        throughout().until(() -> !ended.isDone() && checkpointer.attempts() == 0);

        ack(2);
        join(ended);
        assertThat(checkpointer.checkpoints()).containsExactly(FakeCheckpointer.SHARD_END);
        assertThat(permits.availablePermits()).isEqualTo(10);

        processor.processRecords(batch(4, 4));
        assertThat(published).as("the shard is over").hasSize(5);
    }

    @Test
    void shardEndedWithEverythingAcknowledgedCheckpointsAtOnce() {
        start(settings(NEVER), 10);
        processor.processRecords(batch(1, 2));
        ack(1, 2);
        processor.shardEnded(ShardEndedInput.builder().checkpointer(checkpointer).build());
        assertThat(checkpointer.checkpoints()).containsExactly(FakeCheckpointer.SHARD_END);
    }

    @Test
    void shardEndedCheckpointIsRetried() {
        start(withRetries(settings(NEVER), 2), 10);
        checkpointer.throttleNext(2);
        processor.shardEnded(ShardEndedInput.builder().checkpointer(checkpointer).build());
        assertThat(checkpointer.attempts()).isEqualTo(3);
        assertThat(checkpointer.checkpoints()).containsExactly(FakeCheckpointer.SHARD_END);
    }

    @Test
    void shardEndedGivesUpWithoutCheckpointWhenTheSourceStops() throws Exception {
        start(settings(NOW), 10);
        processor.processRecords(batch(1, 2));
        ack(1);
        stopping.set(true);

        join(onKclThread(() -> processor.shardEnded(ShardEndedInput.builder().checkpointer(checkpointer).build())));
        assertThat(checkpointer.checkpoints()).doesNotContain(FakeCheckpointer.SHARD_END);
    }

    // ---- graceful shutdown ----------------------------------------------------------------------------------

    @Test
    void shutdownRequestedWaitsAtMostTheAckWaitThenCheckpointsTheAcknowledgedPrefix() {
        Duration ackWait = Duration.ofMillis(300);
        start(withAckWait(settings(NEVER), ackWait), 10);
        processor.processRecords(batch(1, 4));
        ack(1, 2, 4);

        long before = System.nanoTime();
        processor.shutdownRequested(ShutdownRequestedInput.builder().checkpointer(checkpointer).build());
        long took = System.nanoTime() - before;

        assertThat(took).isGreaterThanOrEqualTo(ackWait.toNanos()).isLessThan(Duration.ofSeconds(5).toNanos());
        assertThat(checkpointer.checkpoints()).containsExactly(seq(2));
        processor.processRecords(batch(5, 5));
        assertThat(published).as("nothing after shutdown").hasSize(4);
    }

    @Test
    void shutdownRequestedReturnsAsSoonAsEverythingIsAcknowledged() throws Exception {
        start(withAckWait(settings(NEVER), Duration.ofSeconds(60)), 10);
        processor.processRecords(batch(1, 3));
        ack(1);

        Future<?> shutdown = onKclThread(() ->
                processor.shutdownRequested(ShutdownRequestedInput.builder().checkpointer(checkpointer).build()));
        throughout().until(() -> !shutdown.isDone() && checkpointer.attempts() == 0);

        fail(2);
        eventually().until(() -> published.size() == 5);
        ack(2, 3);
        join(shutdown);
        assertThat(checkpointer.checkpoints()).containsExactly(seq(3));
    }

    // ---- lease lost -----------------------------------------------------------------------------------------

    @Test
    void leaseLostReturnsEveryPermitAndLaterAcksChangeNothing() {
        start(settings(NOW), 5);
        processor.processRecords(batch(1, 4));
        ack(2);
        fail(3);
        assertThat(permits.availablePermits()).isEqualTo(1);

        processor.leaseLost(LeaseLostInput.builder().build());
        assertThat(permits.availablePermits()).isEqualTo(5);

        ack(1, 3, 4);
        fail(2);
        published.forEach(Record::ack);
        assertThat(permits.availablePermits()).as("no extra permits").isEqualTo(5);

        processor.processRecords(batch(5, 6));
        processor.processRecords(idle());
        assertThat(publishedSeqs()).as("nothing published, nothing redelivered").isEqualTo(seqs(1, 2, 3, 4));
        assertThat(checkpointer.attempts()).as("the new owner resumes from the old checkpoint").isZero();
    }

    @Test
    void leaseLostReturnsOnlyThisShardsPermits() {
        // permits are shared by every shard of the source: a lost lease gives back only its own
        permits = new Semaphore(5);
        permits.acquireUninterruptibly(2);
        processor = new ShardChangeProcessor(new ProcessorContext(RecordFilter.ALL, CONVERTER, ORIGIN,
                published::add, permits, settings(NOW), stopping::get, fatals::add, new SourceMetrics(() -> 0)));
        processor.initialize(InitializationInput.builder().shardId("shardId-test")
                .extendedSequenceNumber(ExtendedSequenceNumber.TRIM_HORIZON).build());
        processor.processRecords(batch(1, 2));
        assertThat(permits.availablePermits()).isEqualTo(1);

        processor.leaseLost(LeaseLostInput.builder().build());
        assertThat(permits.availablePermits()).isEqualTo(3);
    }

    // ---- effectively-once -----------------------------------------------------------------------------------

    private ShardChangeProcessor startEffectivelyOnce(ExtendedSequenceNumber checkpoint, long brokerLast) {
        permits = new Semaphore(100);
        processor = new ShardChangeProcessor(new ProcessorContext(filter, CONVERTER, ORIGIN, published::add, permits,
                settings(NOW), stopping::get, fatals::add, new SourceMetrics(() -> 0),
                new org.apache.pulsar.io.dynamodb.exactlyonce.EffectivelyOnce("app", "topic", (topic, name, stop) -> brokerLast, fatals::add)));
        processor.initialize(InitializationInput.builder().shardId(SHARD).extendedSequenceNumber(checkpoint).build());
        return processor;
    }

    @Test
    void effectivelyOnceCheckpointsTheRecordNumberAndAfterARestartSendsNothingTheBrokerHolds() {
        startEffectivelyOnce(ExtendedSequenceNumber.TRIM_HORIZON, -1);
        processor.processRecords(batch(1, 5));
        published.forEach(Record::ack);
        processor.processRecords(batch(6, 6));
        assertThat(published).extracting(r -> r.getPartitionId().orElseThrow()).containsOnly(
                "app/table/2024-05-01T00:00:00.000/" + SHARD);
        assertThat(published).extracting(r -> r.getRecordSequence().orElseThrow())
                .containsExactly(2L, 4L, 6L, 8L, 10L, 12L);
        assertThat(checkpointer.writes()).extracting(FakeCheckpointer.Write::sequenceNumber)
                .as("record 5 is number 5: the checkpoint holds it").containsExactly(seq(5) + "#5");

        // a restart from (record 5, number 5) while the broker holds up to record 6's id: 7 is the first sent
        published.clear();
        startEffectivelyOnce(new ExtendedSequenceNumber(seq(5), 5L), 12);
        processor.processRecords(batch(6, 8));
        assertThat(published).extracting(r -> r.getRecordSequence().orElseThrow()).containsExactly(14L, 16L);
        assertThat(published).extracting(r -> r.getProperties().get("SEQUENCE_NUMBER"))
                .containsExactly(seq(7), seq(8));
        assertThat(fatals).isEmpty();
    }

    @Test
    void atLeastOnceRecordsCarryNoPartitionIdOrSequence() {
        start(settings(NOW), 100);
        processor.processRecords(batch(1, 2));
        assertThat(published).allMatch(r -> r.getPartitionId().isEmpty() && r.getRecordSequence().isEmpty());
    }
}
