package org.apache.pulsar.io.dynamodb.kcl;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.dynamodbv2.streamsadapter.adapter.DynamoDBStreamsClientRecord;
import com.amazonaws.services.dynamodbv2.streamsadapter.model.DynamoDBStreamsProcessRecordsInput;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.stream.IntStream;
import org.apache.pulsar.functions.api.Record;
import org.apache.pulsar.io.dynamodb.config.MessageKeyMode;
import org.apache.pulsar.io.dynamodb.convert.ChangeRecordConverter;
import org.apache.pulsar.io.dynamodb.convert.RecordOrigin;
import org.apache.pulsar.io.dynamodb.filter.EventNameFilter;
import org.apache.pulsar.io.dynamodb.filter.RecordFilter;
import org.apache.pulsar.io.dynamodb.metrics.Metric;
import org.apache.pulsar.io.dynamodb.metrics.SourceMetrics;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.kinesis.lifecycle.events.InitializationInput;
import software.amazon.kinesis.lifecycle.events.LeaseLostInput;
import software.amazon.kinesis.lifecycle.events.ShutdownRequestedInput;
import software.amazon.kinesis.retrieval.kpl.ExtendedSequenceNumber;

/** What the shard processor tells the metrics: records through their life, the shard's lag, leases, checkpoints. */
class ShardChangeProcessorMetricsTest {

    private static final Instant T0 = Instant.parse("2024-05-01T12:00:00Z");
    private static final RecordOrigin ORIGIN = new RecordOrigin("table", "us-east-1",
            "arn:aws:dynamodb:us-east-1:123456789012:table/table/stream/2024-05-01T00:00:00.000", null);

    private final SourceMetrics metrics = new SourceMetrics(() -> 0);
    private final List<Record<byte[]>> published = new CopyOnWriteArrayList<>();
    private final FakeCheckpointer checkpointer = new FakeCheckpointer();

    private ShardChangeProcessor start(RecordFilter filter, Optional<Instant> skipBefore) {
        ProcessorSettings settings = new ProcessorSettings(Duration.ZERO, 0, Duration.ZERO, skipBefore,
                Duration.ofMillis(200));
        ShardChangeProcessor processor = new ShardChangeProcessor(new ProcessorContext(filter,
                new ChangeRecordConverter(MessageKeyMode.PRIMARY_KEY), ORIGIN, published::add, new Semaphore(100),
                settings, () -> false, error -> { }, metrics));
        processor.initialize(InitializationInput.builder().shardId("shardId-metrics")
                .extendedSequenceNumber(ExtendedSequenceNumber.TRIM_HORIZON).build());
        return processor;
    }

    /** Records i (odd: INSERT, even: MODIFY), each created i seconds after T0. */
    private DynamoDBStreamsProcessRecordsInput batch(int... i) {
        return DynamoDBStreamsProcessRecordsInput.builder()
                .records(Arrays.stream(i).mapToObj(n -> ShardChangeProcessorTest.change(n, T0.plusSeconds(n)))
                        .map(DynamoDBStreamsClientRecord::fromRecord).toList())
                .checkpointer(checkpointer).isAtShardEnd(false).millisBehindLatest(0L).childShards(List.of())
                .build();
    }

    private long value(Metric metric) {
        return metrics.read(T0.toEpochMilli()).value(metric);
    }

    private long lagAt(Instant now) {
        return metrics.read(now.toEpochMilli()).value(Metric.LAG_MS_MAX);
    }

    @Test
    void publishedFilteredAcknowledgedAndTheLagFollowTheRecords() {
        ShardChangeProcessor processor = start(EventNameFilter.of(Set.of(OperationType.INSERT)), Optional.empty());
        assertThat(value(Metric.LEASES_HELD)).isEqualTo(1);

        processor.processRecords(batch(1, 2, 3, 4));
        assertThat(value(Metric.RECORDS_READ)).isEqualTo(4);
        assertThat(value(Metric.RECORDS_PUBLISHED)).as("the INSERTs").isEqualTo(2);
        assertThat(value(Metric.RECORDS_FILTERED)).as("the MODIFYs").isEqualTo(2);
        assertThat(value(Metric.RECORDS_PENDING)).as("filtered records wait behind the published one before them")
                .isEqualTo(4);
        assertThat(lagAt(T0.plusSeconds(61))).as("the oldest unacknowledged record, created at T0 + 1 s")
                .isEqualTo(60_000);

        published.get(0).ack();
        assertThat(value(Metric.RECORDS_PENDING)).isEqualTo(2);
        assertThat(lagAt(T0.plusSeconds(61))).as("record 3 is the oldest held now").isEqualTo(58_000);
        published.get(1).ack();
        assertThat(value(Metric.RECORDS_ACKNOWLEDGED)).isEqualTo(2);
        assertThat(value(Metric.RECORDS_PENDING)).isZero();
        assertThat(lagAt(T0.plusSeconds(61))).as("nothing held; the newest record that left was created at T0 + 4 s")
                .isEqualTo(57_000);

        processor.processRecords(batch());
        assertThat(lagAt(T0.plusSeconds(3600))).as("an empty poll: caught up, however long it stays idle").isZero();
        assertThat(value(Metric.CHECKPOINTS_WRITTEN)).isEqualTo(checkpointer.checkpoints().size()).isPositive();
    }

    @Test
    void failedRecordsAreCountedAndSoAreTheirCopiesSentAgain() {
        ShardChangeProcessor processor = start(RecordFilter.ALL, Optional.empty());
        processor.processRecords(batch(1, 2, 3));
        published.get(1).fail();
        processor.processRecords(batch());

        assertThat(value(Metric.RECORDS_FAILED)).isEqualTo(1);
        assertThat(value(Metric.RECORDS_RESENT)).as("record 2 and the one after it").isEqualTo(2);
        assertThat(value(Metric.RECORDS_PUBLISHED)).as("first publications only").isEqualTo(3);
        assertThat(published).hasSize(5);
    }

    @Test
    void recordsBeforeTheStartAreSkippedNotFiltered() {
        ShardChangeProcessor processor = start(RecordFilter.ALL, Optional.of(T0.plusSeconds(3)));
        processor.processRecords(batch(IntStream.rangeClosed(1, 5).toArray()));

        assertThat(value(Metric.RECORDS_SKIPPED)).isEqualTo(2);
        assertThat(value(Metric.RECORDS_FILTERED)).isZero();
        assertThat(value(Metric.RECORDS_PUBLISHED)).isEqualTo(3);
    }

    @Test
    void aLostLeaseLeavesTheMetricsWithItsHeldRecords() {
        ShardChangeProcessor processor = start(RecordFilter.ALL, Optional.empty());
        processor.processRecords(batch(1, 2));
        assertThat(value(Metric.RECORDS_PENDING)).isEqualTo(2);

        processor.leaseLost(LeaseLostInput.builder().build());
        assertThat(value(Metric.LEASES_HELD)).isZero();
        assertThat(value(Metric.RECORDS_PENDING)).isZero();
        assertThat(lagAt(T0.plusSeconds(600))).isZero();
    }

    @Test
    void aGracefulShutdownHandsTheShardBack() {
        ShardChangeProcessor processor = start(RecordFilter.ALL, Optional.empty());
        processor.processRecords(batch(1));
        published.get(0).ack();

        processor.shutdownRequested(ShutdownRequestedInput.builder().checkpointer(checkpointer).build());
        assertThat(value(Metric.LEASES_HELD)).isZero();
        assertThat(value(Metric.CHECKPOINTS_WRITTEN)).isEqualTo(checkpointer.checkpoints().size()).isPositive();
    }

    @Test
    void aCheckpointThatCannotBeStoredIsCountedAsFailed() {
        ShardChangeProcessor processor = start(RecordFilter.ALL, Optional.empty());
        processor.processRecords(batch(1));
        published.get(0).ack();
        checkpointer.throttleNext(1);
        processor.processRecords(batch());

        assertThat(value(Metric.CHECKPOINTS_FAILED)).isEqualTo(1);
        assertThat(value(Metric.CHECKPOINTS_WRITTEN)).isZero();
    }
}
