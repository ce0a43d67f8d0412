package org.apache.pulsar.io.dynamodb.publish;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pulsar.functions.api.Record;
import org.apache.pulsar.io.dynamodb.config.MessageKeyMode;
import org.apache.pulsar.io.dynamodb.convert.ChangeRecordConverter;
import org.apache.pulsar.io.dynamodb.convert.RecordOrigin;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

/**
 * The publisher as a snapshot segment uses it: several records per position (a Scan page's items), only the last of
 * which completes the position, so the checkpoint moves to a page only once all its items are acknowledged.
 */
class OrderedPublisherTest {

    private static final java.time.Instant READ_AT = java.time.Instant.parse("2024-05-01T12:00:00Z");
    private static final RecordOrigin ORIGIN = new RecordOrigin("t", "us-east-1", "arn", null);

    private final List<Record<byte[]>> published = new CopyOnWriteArrayList<>();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final Semaphore permits = new Semaphore(10);
    private final CountingListener events = new CountingListener();
    private final OrderedPublisher publisher = new OrderedPublisher(new PublishContext(
            new ChangeRecordConverter(MessageKeyMode.PRIMARY_KEY), published::add, permits, stopping::get),
            "Snapshot segment 0", events);

    private static software.amazon.awssdk.services.dynamodb.model.Record read(int i) {
        Map<String, AttributeValue> item = Map.of("id", AttributeValue.fromS("item-" + i));
        return software.amazon.awssdk.services.dynamodb.model.Record.builder().eventName("SNAPSHOT")
                .dynamodb(StreamRecord.builder().keys(item).newImage(item).approximateCreationDateTime(READ_AT).build())
                .build();
    }

    /** Publishes a page: its items in order, the last one completing the page's position. */
    private void page(String position, int from, int to, int... filtered) throws InterruptedException {
        for (int i = from; i < to; i++) {
            int item = i;
            Skip skip = java.util.Arrays.stream(filtered).anyMatch(f -> f == item) ? Skip.FILTERED : Skip.NO;
            assertThat(publisher.publish(read(i), ORIGIN, position, i == to - 1, skip, 0)).isTrue();
        }
    }

    @Test
    void aPageIsCheckpointableOnceEveryOneOfItsItemsIsAcknowledged() throws Exception {
        page("page-1", 0, 3);
        page("page-2", 3, 5);
        assertThat(published).hasSize(5);
        assertThat(permits.availablePermits()).isEqualTo(5);

        published.get(0).ack();
        published.get(2).ack();
        published.get(3).ack();
        published.get(4).ack();
        assertThat(publisher.checkpointable()).as("item 1 of page 1 is not acknowledged").isEmpty();

        published.get(1).ack();
        assertThat(publisher.checkpointable()).contains("page-2");
        assertThat(permits.availablePermits()).isEqualTo(10);
    }

    @Test
    void filteredItemsHoldNothingButThePagesPositionStillMovesInItsTurn() throws Exception {
        page("page-1", 0, 4, 1, 3);

        assertThat(published).extracting(r -> r.getKey().orElseThrow())
                .containsExactly("{\"id\":{\"S\":\"item-0\"}}", "{\"id\":{\"S\":\"item-2\"}}");
        assertThat(permits.availablePermits()).as("two published, and the filtered last item waits").isEqualTo(7);
        published.get(0).ack();
        assertThat(publisher.checkpointable()).isEmpty();
        published.get(1).ack();
        assertThat(publisher.checkpointable()).contains("page-1");
        assertThat(permits.availablePermits()).isEqualTo(10);
    }

    @Test
    void anEmptyPageIsPassedOnceWhatCameBeforeIsAcknowledged() throws Exception {
        page("page-1", 0, 2);
        assertThat(publisher.passEmpty("page-2", 0)).isTrue();
        published.forEach(Record::ack);

        assertThat(publisher.checkpointable()).contains("page-2");
        publisher.checkpointed("page-2");
        assertThat(publisher.checkpointable()).isEmpty();
    }

    @Test
    void aFailedItemIsPublishedAgainWithEveryItemAfterIt() throws Exception {
        page("page-1", 0, 3);
        published.get(1).fail();
        publisher.redeliverFailed();

        assertThat(published).hasSize(5);
        assertThat(published.subList(3, 5)).extracting(r -> r.getKey().orElseThrow())
                .containsExactly("{\"id\":{\"S\":\"item-1\"}}", "{\"id\":{\"S\":\"item-2\"}}");
        published.get(0).ack();
        published.get(3).ack();
        published.get(4).ack();
        assertThat(publisher.awaitAcknowledged(Duration.ofSeconds(1))).isTrue();
        assertThat(publisher.checkpointable()).contains("page-1");
    }

    @Test
    void aPublisherWaitingForRoomGivesUpWhenTheSourceCloses() throws Exception {
        permits.drainPermits();
        stopping.set(true);

        assertThat(publisher.publish(read(0), ORIGIN, "page-1", true, Skip.NO, 0)).isFalse();
        assertThat(published).isEmpty();
    }

    @Test
    void aLostPositionReleasesItsPermitsAndForgetsItsProgress() throws Exception {
        page("page-1", 0, 3);
        publisher.clear();

        assertThat(permits.availablePermits()).isEqualTo(10);
        published.forEach(Record::ack);
        assertThat(publisher.checkpointable()).isEmpty();
        assertThat(publisher.held()).isZero();
    }

    @Test
    void theListenerHearsEveryRecordsWayThrough() throws Exception {
        page("page-1", 0, 4, 1, 3);  // items 0 and 2 published, 1 and 3 filtered (3 completes the page)
        assertThat(events.published).hasValue(2);
        assertThat(events.filtered).hasValue(2);
        assertThat(events.held()).as("two messages and the filtered item completing the page").isEqualTo(3);

        published.get(0).fail();
        publisher.redeliverFailed();
        assertThat(events.failed).hasValue(1);
        assertThat(events.resent).as("item 0 and item 2 after it").hasValue(2);
        assertThat(events.published).as("first publications only").hasValue(2);

        published.get(1).ack();
        published.get(2).ack();
        published.get(3).ack();
        assertThat(events.acknowledged).hasValue(3);
        assertThat(events.held()).as("every entry released once the page is acknowledged").isZero();
        assertThat(events.createdMillis).as("a snapshot read's creation time is its read time")
                .hasValue(READ_AT.toEpochMilli());

        publisher.publish(read(5), ORIGIN, "page-2", false, Skip.BEFORE_START, 0);
        assertThat(events.skipped).hasValue(1);
        assertThat(events.held()).as("a skipped record that completes nothing holds nothing").isZero();
    }

    /** Counts what the publisher tells its listener. */
    private static final class CountingListener implements PublishListener {
        final AtomicLong published = new AtomicLong();
        final AtomicLong resent = new AtomicLong();
        final AtomicLong acknowledged = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final AtomicLong filtered = new AtomicLong();
        final AtomicLong skipped = new AtomicLong();
        final AtomicLong heldIn = new AtomicLong();
        final AtomicLong heldOut = new AtomicLong();
        final AtomicLong createdMillis = new AtomicLong();

        long held() {
            return heldIn.get() - heldOut.get();
        }

        @Override
        public void held(long created) {
            heldIn.incrementAndGet();
            createdMillis.set(created);
        }

        @Override
        public void released(int entries) {
            heldOut.addAndGet(entries);
        }

        @Override
        public void published() {
            published.incrementAndGet();
        }

        @Override
        public void resent() {
            resent.incrementAndGet();
        }

        @Override
        public void acknowledged() {
            acknowledged.incrementAndGet();
        }

        @Override
        public void failed() {
            failed.incrementAndGet();
        }

        @Override
        public void passedOver(Skip reason) {
            (reason == Skip.FILTERED ? filtered : skipped).incrementAndGet();
        }
    }
}
