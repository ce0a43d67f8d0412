package org.apache.pulsar.io.dynamodb.convert;

import static org.apache.pulsar.io.dynamodb.convert.TestRecords.fixture;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.item;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.n;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.io.dynamodb.DynamoDBSourceConfig;
import org.apache.pulsar.io.dynamodb.config.MessageKeyMode;
import org.apache.pulsar.io.dynamodb.config.OutputFormat;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

class ChangeRecordConverterTest {

    static final RecordOrigin ORIGIN = new RecordOrigin("orders", "eu-north-1",
            "arn:aws:dynamodb:eu-north-1:123456789012:table/orders/stream/2026-01-02T03:04:05.123",
            "shardId-00000001752464000000-0123abcd");
    static final long READ_TIME = 1752464545678L;

    /** The only message a DYNAMODB_JSON converter publishes for a record. */
    private static ChangeRecord one(RecordConverter converter, Record record) {
        List<ChangeRecord> messages = converter.convert(record, ORIGIN, READ_TIME);
        assertThat(messages).hasSize(1);
        return messages.get(0);
    }

    private static Record modify() {
        return StreamRecordJsonWriterTest.base("c81e728d9d4c2f636f067f89cc14862c", OperationType.MODIFY)
                .dynamodb(StreamRecord.builder()
                        .approximateCreationDateTime(Instant.ofEpochMilli(1752464541123L))
                        .keys(item("sk", n("5.0"), "pk", s("order#1")))
                        .newImage(item("pk", s("order#1"), "sk", n("5.0"), "status", s("shipped")))
                        .oldImage(item("pk", s("order#1"), "sk", n("5.0"), "status", s("new")))
                        .sequenceNumber("111200000000000000000002")
                        .sizeBytes(123L)
                        .streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)
                        .build())
                .build();
    }

    @Test
    void primaryKeyModeBuildsTheWholeRecord() {
        ChangeRecord out = one(new ChangeRecordConverter(MessageKeyMode.PRIMARY_KEY), modify());

        assertThat(out.key()).isEqualTo("{\"pk\":{\"S\":\"order#1\"},\"sk\":{\"N\":\"5\"}}");
        assertThat(out.value()).isEqualTo(StreamRecordJsonWriter.write(modify()));
        assertThat(new String(out.value(), StandardCharsets.UTF_8))
                .startsWith("{\"eventID\":\"c81e728d9d4c2f636f067f89cc14862c\",\"eventName\":\"MODIFY\"")
                // the value keeps DynamoDB's number string; only the key is normalised
                .contains("\"sk\":{\"N\":\"5.0\"}");
        assertThat(out.properties()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "EVENT_NAME", "MODIFY",
                "SEQUENCE_NUMBER", "111200000000000000000002"));
        assertThat(out.eventTimeMillis()).contains(1752464541123L);
        assertThat(out.sequenceNumber()).isEqualTo("111200000000000000000002");
    }

    @Test
    void eventIdModeKeysByEventId() {
        ChangeRecord out = one(new ChangeRecordConverter(MessageKeyMode.EVENT_ID), modify());

        assertThat(out.key()).isEqualTo("c81e728d9d4c2f636f067f89cc14862c");
    }

    @Test
    void customKeyRendererIsUsed() {
        ChangeRecord out = one(new ChangeRecordConverter(r -> "k-" + r.dynamodb().sequenceNumber()), modify());

        assertThat(out.key()).isEqualTo("k-111200000000000000000002");
    }

    @Test
    void propertiesAreImmutable() {
        Map<String, String> properties =
                one(new ChangeRecordConverter(MessageKeyMode.PRIMARY_KEY), modify()).properties();

        assertThatThrownBy(() -> properties.put("X", "y")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void eventTimeIsEmptyWithoutApproximateCreationDateTime() {
        Record record = Record.builder().eventID("e").eventName(OperationType.INSERT)
                .dynamodb(StreamRecord.builder().keys(item("id", s("x"))).sequenceNumber("9").build())
                .build();

        ChangeRecord out = one(new ChangeRecordConverter(MessageKeyMode.PRIMARY_KEY), record);

        assertThat(out.eventTimeMillis()).isEqualTo(Optional.empty());
        assertThat(out.properties()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "EVENT_NAME", "INSERT", "SEQUENCE_NUMBER", "9"));
    }

    @Test
    void aMissingEventNameOrSequenceNumberLeavesOnlyThatPropertyOut() {
        ChangeRecordConverter converter = new ChangeRecordConverter(MessageKeyMode.PRIMARY_KEY);
        StreamRecord withSequence = StreamRecord.builder().keys(item("id", s("x"))).sequenceNumber("9").build();
        StreamRecord withoutSequence = StreamRecord.builder().keys(item("id", s("x"))).build();

        assertThat(one(converter, Record.builder().eventID("e").dynamodb(withSequence).build()).properties())
                .isEqualTo(Map.of("SEQUENCE_NUMBER", "9"));
        assertThat(one(converter, Record.builder().eventID("e").eventName(OperationType.REMOVE)
                .dynamodb(withoutSequence).build()).properties()).isEqualTo(Map.of("EVENT_NAME", "REMOVE"));
        assertThat(one(converter, Record.builder().eventID("e").dynamodb(withoutSequence).build()).properties())
                .isEmpty();
    }

    @Test
    void eachChangeTypeIsItsEventNameProperty() {
        ChangeRecordConverter converter = new ChangeRecordConverter(MessageKeyMode.PRIMARY_KEY);
        for (OperationType op : List.of(OperationType.INSERT, OperationType.MODIFY, OperationType.REMOVE)) {
            Record record = Record.builder().eventID("e").eventName(op)
                    .dynamodb(StreamRecord.builder().keys(item("id", s("x"))).sequenceNumber("1").build())
                    .build();

            assertThat(one(converter, record).properties()).containsEntry("EVENT_NAME", op.toString());
        }
    }

    @Test
    void concurrentConversionMatchesSingleThreaded() throws Exception {
        TestRecords.RandomItems random = new TestRecords.RandomItems(2024);
        List<Record> records = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Map<String, AttributeValue> keys = item("pk", s(random.string(16)), "sk", n(random.number()));
            Map<String, AttributeValue> image = random.item(10, 3);
            image.putAll(keys);
            records.add(StreamRecordJsonWriterTest.base("ev-" + i, OperationType.MODIFY)
                    .dynamodb(StreamRecord.builder()
                            .approximateCreationDateTime(Instant.ofEpochMilli(1_752_000_000_000L + i))
                            .keys(keys).newImage(image).oldImage(image)
                            .sequenceNumber(Long.toString(1_000_000L + i))
                            .sizeBytes(200L)
                            .streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)
                            .build())
                    .build());
        }
        ChangeRecordConverter converter = new ChangeRecordConverter(MessageKeyMode.PRIMARY_KEY);
        List<ChangeRecord> expected = records.stream().map(r -> one(converter, r)).toList();

        int threads = 16;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<String>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = t;
                results.add(pool.submit(() -> {
                    List<Integer> order = new ArrayList<>();
                    for (int round = 0; round < 5; round++) {
                        for (int i = 0; i < records.size(); i++) {
                            order.add(i);
                        }
                    }
                    Collections.shuffle(order, new Random(seed));
                    start.await();
                    List<String> mismatches = new ArrayList<>();
                    for (int i : order) {
                        ChangeRecord got = one(converter, records.get(i));
                        ChangeRecord want = expected.get(i);
                        if (!got.key().equals(want.key())
                                || !Arrays.equals(got.value(), want.value())
                                || !got.properties().equals(want.properties())
                                || !got.eventTimeMillis().equals(want.eventTimeMillis())
                                || !got.sequenceNumber().equals(want.sequenceNumber())) {
                            mismatches.add("record " + i);
                        }
                    }
                    return mismatches;
                }));
            }
            start.countDown();
            for (Future<List<String>> f : results) {
                assertThat(f.get(2, TimeUnit.MINUTES)).isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- output formats --------------------------------------------------------------------------------------

    private static ChangeRecordConverter converter(OutputFormat format, boolean tombstoneAfterDelete) {
        return new ChangeRecordConverter(KeyRenderer.forMode(MessageKeyMode.PRIMARY_KEY), format,
                tombstoneAfterDelete);
    }

    private static String text(ChangeRecord message) {
        return new String(message.value(), StandardCharsets.UTF_8);
    }

    @Test
    void everyFormatKeepsTheKeyPropertiesAndEventTime() {
        for (OutputFormat format : OutputFormat.values()) {
            for (Record record : List.of(FormatRecords.insertAllTypes(), FormatRecords.modifyCompositeKey(),
                    FormatRecords.remove())) {
                ChangeRecord builtin = one(new ChangeRecordConverter(MessageKeyMode.PRIMARY_KEY), record);
                for (ChangeRecord message : converter(format, true).convert(record, FormatRecords.ORIGIN, 1L)) {
                    assertThat(message.key()).as("%s %s", format, record.eventName()).isEqualTo(builtin.key());
                    assertThat(message.properties()).isEqualTo(builtin.properties());
                    assertThat(message.eventTimeMillis()).isEqualTo(builtin.eventTimeMillis()).isPresent();
                    assertThat(message.sequenceNumber()).isEqualTo(builtin.sequenceNumber()).isNotNull();
                }
            }
        }
    }

    @Test
    void documentPublishesTheItemAndARemoveAsATombstone() {
        ChangeRecordConverter document = converter(OutputFormat.DOCUMENT, true);

        assertThat(document.convert(FormatRecords.modifyCompositeKey(), FormatRecords.ORIGIN, 1L))
                .singleElement().extracting(ChangeRecordConverterTest::text)
                .isEqualTo(fixture("document-modify-composite-key.json"));
        List<ChangeRecord> remove = document.convert(FormatRecords.remove(), FormatRecords.ORIGIN, 1L);
        assertThat(remove).singleElement().satisfies(tombstone -> {
            assertThat(tombstone.value()).isEmpty();
            assertThat(tombstone.isTombstone()).isTrue();
            assertThat(tombstone.key()).isEqualTo("{\"id\":{\"S\":\"user0\"}}");
            assertThat(tombstone.properties()).containsEntry("EVENT_NAME", "REMOVE");
        });
    }

    @Test
    void envelopeFollowsARemoveWithATombstoneWhenAsked() {
        List<ChangeRecord> withTombstone = converter(OutputFormat.ENVELOPE, true)
                .convert(FormatRecords.remove(), FormatRecords.ORIGIN, FormatRecords.READ_TIME);
        assertThat(withTombstone).hasSize(2);
        assertThat(text(withTombstone.get(0))).isEqualTo(fixture("envelope-remove.json"));
        assertThat(withTombstone.get(1)).isEqualTo(withTombstone.get(0).tombstone());
        assertThat(withTombstone.get(1).value()).isEmpty();
        assertThat(withTombstone.get(1).key()).isEqualTo(withTombstone.get(0).key());

        assertThat(converter(OutputFormat.ENVELOPE, false)
                .convert(FormatRecords.remove(), FormatRecords.ORIGIN, FormatRecords.READ_TIME))
                .singleElement().extracting(ChangeRecordConverterTest::text)
                .isEqualTo(fixture("envelope-remove.json"));
        assertThat(converter(OutputFormat.ENVELOPE, true)
                .convert(FormatRecords.modifyCompositeKey(), FormatRecords.ORIGIN, FormatRecords.READ_TIME))
                .as("only a REMOVE gets a tombstone").singleElement().extracting(ChangeRecordConverterTest::text)
                .isEqualTo(fixture("envelope-modify-composite-key.json"));
    }

    @Test
    void dynamodbJsonNeverPublishesATombstone() {
        assertThat(converter(OutputFormat.DYNAMODB_JSON, true)
                .convert(FormatRecords.remove(), FormatRecords.ORIGIN, 1L)).singleElement()
                .extracting(ChangeRecord::value).isEqualTo(StreamRecordJsonWriter.write(FormatRecords.remove()));
    }

    @Test
    void aSnapshotReadGoesOutInEveryFormatWithEventNameSnapshotAndNoSequenceNumber() {
        Record snapshot = FormatRecords.snapshot();
        RecordOrigin origin = FormatRecords.snapshotOrigin();
        long readTime = FormatRecords.READ_TIME;
        assertThat(text(one(converter(OutputFormat.DYNAMODB_JSON, false), snapshot)))
                .isEqualTo(fixture("snapshot.json"));
        assertThat(converter(OutputFormat.DOCUMENT, true).convert(snapshot, origin, readTime)).singleElement()
                .extracting(ChangeRecordConverterTest::text).isEqualTo(fixture("document-snapshot.json"));
        assertThat(converter(OutputFormat.ENVELOPE, true).convert(snapshot, origin, readTime)).singleElement()
                .extracting(ChangeRecordConverterTest::text).isEqualTo(fixture("envelope-snapshot.json"));

        for (OutputFormat format : OutputFormat.values()) {
            ChangeRecord message = converter(format, true).convert(snapshot, origin, readTime).get(0);
            assertThat(message.properties()).as("%s", format).isEqualTo(Map.of("EVENT_NAME", "SNAPSHOT"));
            assertThat(message.key()).isEqualTo("{\"id\":{\"S\":\"user1\"}}");
            assertThat(message.eventTimeMillis()).contains(1752464545000L);
            assertThat(message.sequenceNumber()).isNull();
        }
    }

    @Test
    void theConverterOfAConfigFollowsItsOutputKeys() {
        Map<String, Object> config = new java.util.HashMap<>(Map.of(
                "awsDynamodbStreamArn", FormatRecords.ORIGIN.streamArn(),
                "awsCredentialPluginParam", "{\"accessKey\":\"a\",\"secretKey\":\"b\"}",
                "outputFormat", "envelope"));
        RecordConverter envelope = ChangeRecordConverter.of(DynamoDBSourceConfig.load(config, null).getOutput());
        assertThat(envelope.convert(FormatRecords.remove(), FormatRecords.ORIGIN, 1L)).hasSize(2);

        config.put("tombstoneAfterDelete", "false");
        RecordConverter noTombstones =
                ChangeRecordConverter.of(DynamoDBSourceConfig.load(config, null).getOutput());
        assertThat(noTombstones.convert(FormatRecords.remove(), FormatRecords.ORIGIN, 1L)).hasSize(1);
    }
}
