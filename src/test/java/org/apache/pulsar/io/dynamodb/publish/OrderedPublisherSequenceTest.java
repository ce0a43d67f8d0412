package org.apache.pulsar.io.dynamodb.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import org.apache.pulsar.functions.api.Record;
import org.apache.pulsar.io.dynamodb.DynamoDBSource;
import org.apache.pulsar.io.dynamodb.config.MessageKeyMode;
import org.apache.pulsar.io.dynamodb.config.OutputFormat;
import org.apache.pulsar.io.dynamodb.convert.ChangeRecordConverter;
import org.apache.pulsar.io.dynamodb.convert.KeyRenderer;
import org.apache.pulsar.io.dynamodb.convert.RecordOrigin;
import org.apache.pulsar.io.dynamodb.exactlyonce.EffectivelyOnce;
import org.apache.pulsar.io.dynamodb.exactlyonce.ReaderSequence;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

/**
 * The publisher of a shard under effectively-once, against a stand-in broker that keeps, per producer name, the
 * messages it acknowledged: a restart from a checkpoint with acknowledged records after it sends none of them again,
 * only what the broker lacks, with ids above the broker's; ENVELOPE deletes (two messages a record) included; a
 * failed publish fails the source instead of being sent again.
 */
class OrderedPublisherSequenceTest {

    private static final String ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-12-01T10:00:00.000";
    private static final RecordOrigin SHARD = new RecordOrigin("t", "us-east-1", ARN, "shardId-1");

    /** The stand-in broker: messages stored per sequence id (one producer name here). */
    private final TreeMap<Long, String> stored = new TreeMap<>();
    private final List<Throwable> failures = new ArrayList<>();
    private final List<Record<byte[]>> sent = new CopyOnWriteArrayList<>();
    private Semaphore permits;

    private static String sequenceNumber(int record) {
        // AWS-length sequence numbers, about 1e20 apart: the ids never depend on them
        return BigInteger.valueOf(62L + record).multiply(BigInteger.TEN.pow(24)).add(BigInteger.valueOf(record))
                .toString();
    }

    private static software.amazon.awssdk.services.dynamodb.model.Record change(int record) {
        Map<String, AttributeValue> key = Map.of("id", AttributeValue.fromS("item-" + record % 7));
        boolean delete = record % 3 == 2;
        StreamRecord.Builder data = StreamRecord.builder().keys(key).sequenceNumber(sequenceNumber(record))
                .approximateCreationDateTime(Instant.EPOCH).streamViewType("NEW_AND_OLD_IMAGES");
        data = delete ? data.oldImage(key) : data.newImage(key);
        return software.amazon.awssdk.services.dynamodb.model.Record.builder()
                .eventName(delete ? OperationType.REMOVE : OperationType.INSERT).eventID("e" + record)
                .dynamodb(data.build()).build();
    }

    private OrderedPublisher take(String checkpoint, long subsequence) throws Exception {
        sent.clear();
        permits = new Semaphore(100); // a new instance after the crash
        EffectivelyOnce sequencing = new EffectivelyOnce("app", "topic",
                (topic, name, stopping) -> stored.isEmpty() ? -1 : stored.lastKey(), failures::add);
        ReaderSequence sequence = sequencing.forShard(SHARD, checkpoint, subsequence, () -> false);
        PublishContext context = new PublishContext(new ChangeRecordConverter(KeyRenderer.forMode(
                MessageKeyMode.PRIMARY_KEY), OutputFormat.ENVELOPE, true), sent::add, permits, () -> false);
        return new OrderedPublisher(context, "Shard shardId-1", PublishListener.NONE, sequence);
    }

    private void read(OrderedPublisher publisher, int from, int to) throws Exception {
        for (int record = from; record < to; record++) {
            assertThat(publisher.publish(change(record), SHARD, sequenceNumber(record), true, Skip.NO, 0)).isTrue();
        }
    }

    /** The broker stores and acknowledges the messages sent from index {@code from} to {@code to}, in order. */
    private void brokerStores(int from, int to) {
        for (Record<byte[]> message : sent.subList(from, to)) {
            stored.merge(message.getRecordSequence().orElseThrow(), message.getProperties().get("SEQUENCE_NUMBER"),
                    (a, b) -> a + " and again " + b);
            message.ack();
        }
    }

    @Test
    void aRestartWithAcknowledgedRecordsAfterTheCheckpointSendsOnlyWhatTheBrokerLacks() throws Exception {
        OrderedPublisher first = take("TRIM_HORIZON", 0);
        read(first, 0, 30);
        int messages = sent.size();
        assertThat(messages).as("records 2, 5, 8, ... are deletes: a message and a tombstone").isEqualTo(40);
        assertThat(sent).allMatch(m -> m.getPartitionId().orElseThrow().equals(
                "app/t/2026-12-01T10:00:00.000/shardId-1"));
        brokerStores(0, 10);
        String checkpoint = first.checkpointable().orElseThrow();
        long number = first.checkpointSubsequence(checkpoint);
        first.checkpointed(checkpoint);
        brokerStores(10, messages - 5); // the crash: 5 messages in flight never reached the broker
        long brokerLast = stored.lastKey();

        OrderedPublisher second = take(checkpoint, number);
        read(second, 7, 35);
        assertThat(sent).as("nothing the broker holds is sent again").allMatch(
                m -> m.getRecordSequence().orElseThrow() > brokerLast);
        List<Long> ids = sent.stream().map(m -> m.getRecordSequence().orElseThrow()).toList();
        assertThat(ids).isSorted().doesNotHaveDuplicates();
        brokerStores(0, sent.size());

        assertThat(stored.values()).as("every message once").noneMatch(v -> v.contains("again"));
        assertThat(stored.values().stream().distinct().count()).as("every record of 0..34").isEqualTo(35);
        assertThat(stored).hasSize(35 + 12);
        assertThat(second.checkpointable()).as("the record before the newest read: KCL's rule")
                .contains(sequenceNumber(33));
        assertThat(permits.availablePermits()).isEqualTo(100);
    }

    @Test
    void aFailedPublishFailsTheSourceAndIsNotSentAgain() throws Exception {
        OrderedPublisher publisher = take("TRIM_HORIZON", 0);
        read(publisher, 0, 2);
        sent.get(0).fail();
        int before = sent.size();
        publisher.redeliverFailed();
        assertThat(sent).hasSize(before);
        assertThat(failures).hasSize(1);
        assertThat(failures.get(0)).hasMessageContaining("not sent again");
    }

    /**
     * Records already queued behind the failed message (up to receiveQueueSize) must not reach Pulsar: the broker
     * would store them, its last sequence id would pass the failed message's, and the restarted instance would pass
     * over it for good. Pulsar takes them through the source's read(), which fails the source instead.
     */
    @Test
    void messagesQueuedBehindAFailedPublishAreNotHandedToPulsar() throws Exception {
        OrderedPublisher publisher = take("TRIM_HORIZON", 0);
        read(publisher, 0, 4);
        DynamoDBSource source = new DynamoDBSource();
        sent.forEach(source::consume);
        assertThat(source.read()).as("before any failure Pulsar takes the messages").isSameAs(sent.get(0));
        sent.get(1).fail();  // e.g. the instance thread interrupted while sendAsync waited for room

        assertThatThrownBy(source::read).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Shard shardId-1: not handed to Pulsar")
                .hasMessageContaining("producer 'app/t/2026-12-01T10:00:00.000/shardId-1'");
        assertThatThrownBy(source::read).as("nor the one after it").isInstanceOf(IllegalStateException.class);
        assertThat(failures).hasSize(1);
    }

    @Test
    void aFailedPublishOfOneReaderLeavesTheMessagesOfAnotherToBeSent() throws Exception {
        OrderedPublisher failing = take("TRIM_HORIZON", 0);
        read(failing, 0, 2);
        Record<byte[]> failed = sent.get(0);
        PublishContext context = new PublishContext(new ChangeRecordConverter(KeyRenderer.forMode(
                MessageKeyMode.PRIMARY_KEY), OutputFormat.ENVELOPE, true), sent::add, permits, () -> false);
        OrderedPublisher other = new OrderedPublisher(context, "Shard shardId-2", PublishListener.NONE,
                new EffectivelyOnce("app", "topic", (topic, name, stopping) -> -1, failures::add).forShard(
                        new RecordOrigin("t", "us-east-1", ARN, "shardId-2"), "TRIM_HORIZON", 0, () -> false));
        read(other, 2, 3);
        failed.fail();

        DynamoDBSource source = new DynamoDBSource();
        source.consume(sent.get(2));
        assertThat(source.read()).isSameAs(sent.get(2));
    }
}
