package org.apache.pulsar.io.dynamodb.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pulsar.io.dynamodb.config.MessageKeyMode;
import org.apache.pulsar.io.dynamodb.config.OutputFormat;
import org.apache.pulsar.io.dynamodb.convert.ChangeRecord;
import org.apache.pulsar.io.dynamodb.convert.ChangeRecordConverter;
import org.apache.pulsar.io.dynamodb.convert.KeyRenderer;
import org.apache.pulsar.io.dynamodb.convert.RecordOrigin;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/** A scanned item as the record a snapshot publishes, and that record in each output format. */
class SnapshotReadsTest {

    private static final Instant READ = Instant.parse("2026-12-01T10:11:12.345Z");
    private static final String ARN = "arn:aws:dynamodb:eu-north-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000";
    private static final RecordOrigin ORIGIN = new RecordOrigin("orders", "eu-north-1", ARN, null);
    private static final SnapshotReads READS = new SnapshotReads(List.of("pk", "sk"),
            StreamViewType.NEW_AND_OLD_IMAGES, "eu-north-1");

    private static Map<String, AttributeValue> item() {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put("sk", AttributeValue.fromN("5"));
        item.put("total", AttributeValue.fromN("12.50"));
        item.put("pk", AttributeValue.fromS("order#1"));
        item.put("tags", AttributeValue.fromSs(List.of("new")));
        return item;
    }

    private static ChangeRecord convert(OutputFormat format, Record record) {
        List<ChangeRecord> messages = new ChangeRecordConverter(KeyRenderer.forMode(MessageKeyMode.PRIMARY_KEY),
                format, format == OutputFormat.ENVELOPE).convert(record, ORIGIN, READ.toEpochMilli() + 7);
        assertThat(messages).hasSize(1);
        return messages.get(0);
    }

    @Test
    void anItemIsAnInsertLikeReadWithItsKeysItsImageAndTheTimeItWasRead() {
        Record record = READS.read(item(), READ);

        assertThat(record.eventNameAsString()).isEqualTo("SNAPSHOT");
        assertThat(record.eventSource()).isEqualTo("aws:dynamodb");
        assertThat(record.awsRegion()).isEqualTo("eu-north-1");
        assertThat(record.eventID()).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        assertThat(record.dynamodb().keys()).isEqualTo(Map.of("pk", AttributeValue.fromS("order#1"),
                "sk", AttributeValue.fromN("5")));
        assertThat(record.dynamodb().newImage()).isEqualTo(item());
        assertThat(record.dynamodb().hasOldImage()).isFalse();
        assertThat(record.dynamodb().sequenceNumber()).isNull();
        assertThat(record.dynamodb().approximateCreationDateTime()).isEqualTo(READ);
        assertThat(record.dynamodb().streamViewType()).isEqualTo(StreamViewType.NEW_AND_OLD_IMAGES);
        assertThat(record.dynamodb().sizeBytes()).isBetween(20L, 60L);
    }

    @Test
    void aStreamWithoutNewImagesGetsTheKeysOnlyAsAnInsertWould() {
        for (StreamViewType viewType : List.of(StreamViewType.KEYS_ONLY, StreamViewType.OLD_IMAGE)) {
            Record record = new SnapshotReads(List.of("pk", "sk"), viewType, "eu-north-1").read(item(), READ);

            assertThat(record.dynamodb().hasNewImage()).as("%s", viewType).isFalse();
            assertThat(record.dynamodb().keys()).hasSize(2);
        }
    }

    @Test
    void dynamodbJsonIsTheStreamRecordShapeWithEventNameSnapshotAndNoSequenceNumber() {
        Record record = READS.read(item(), READ).toBuilder().eventID("e-1").build();
        ChangeRecord message = convert(OutputFormat.DYNAMODB_JSON, record);

        assertThat(new String(message.value(), StandardCharsets.UTF_8)).isEqualTo("{\"eventID\":\"e-1\","
                + "\"eventName\":\"SNAPSHOT\",\"eventSource\":\"aws:dynamodb\",\"awsRegion\":\"eu-north-1\","
                + "\"dynamodb\":{\"ApproximateCreationDateTime\":" + READ.toEpochMilli() + ",\"Keys\":{"
                + keysJson(record) + "},\"NewImage\":{\"sk\":{\"N\":\"5\"},\"total\":{\"N\":\"12.50\"},"
                + "\"pk\":{\"S\":\"order#1\"},\"tags\":{\"SS\":[\"new\"]}},\"SizeBytes\":"
                + record.dynamodb().sizeBytes() + ",\"StreamViewType\":\"NEW_AND_OLD_IMAGES\"}}");
        assertThat(message.key()).isEqualTo("{\"pk\":{\"S\":\"order#1\"},\"sk\":{\"N\":\"5\"}}");
        assertThat(message.properties()).isEqualTo(Map.of("EVENT_NAME", "SNAPSHOT"));
        assertThat(message.eventTimeMillis()).contains(READ.toEpochMilli());
        assertThat(message.sequenceNumber()).isNull();
    }

    /** Keys in the order the record's map gives them (a HashMap's). */
    private static String keysJson(Record record) {
        StringBuilder json = new StringBuilder();
        record.dynamodb().keys().forEach((name, value) -> json.append(json.length() == 0 ? "" : ",")
                .append('"').append(name).append("\":").append(value.s() != null ? "{\"S\":\"" + value.s() + "\"}"
                        : "{\"N\":\"" + value.n() + "\"}"));
        return json.toString();
    }

    @Test
    void documentIsThePlainItem() {
        ChangeRecord message = convert(OutputFormat.DOCUMENT, READS.read(item(), READ));

        assertThat(new String(message.value(), StandardCharsets.UTF_8))
                .isEqualTo("{\"sk\":5,\"total\":12.50,\"pk\":\"order#1\",\"tags\":[\"new\"]}");
        assertThat(message.properties()).isEqualTo(Map.of("EVENT_NAME", "SNAPSHOT"));
    }

    @Test
    void envelopeIsARead() {
        ChangeRecord message = convert(OutputFormat.ENVELOPE, READS.read(item(), READ));

        String value = new String(message.value(), StandardCharsets.UTF_8);
        assertThat(value).startsWith("{\"op\":\"r\",\"keys\":{").contains("\"before\":null,\"after\":{\"sk\":5,"
                        + "\"total\":12.50,\"pk\":\"order#1\",\"tags\":[\"new\"]},\"source\":{\"table\":\"orders\","
                        + "\"region\":\"eu-north-1\",\"stream_arn\":\"" + ARN + "\",\"shard_id\":null,"
                        + "\"sequence_number\":null,\"ts_ms\":" + READ.toEpochMilli() + "},\"ts_ms\":"
                        + (READ.toEpochMilli() + 7) + "}");
    }

    @Test
    void sizeCountsNamesAndValuesAsDynamoDbRoughlyDoes() {
        assertThat(SnapshotReads.estimateSize(Map.of("name", AttributeValue.fromS("x".repeat(100))))).isEqualTo(104);
        assertThat(SnapshotReads.estimateSize(Map.of("b", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[50])))))
                .isEqualTo(51);
        assertThat(SnapshotReads.estimateSize(Map.of("m", AttributeValue.fromM(Map.of("a", AttributeValue.fromBool(true))))))
                .isEqualTo(1 + 2 + 3);
    }

    @Test
    void cursorsRoundTripEveryKeyTypeExactly() {
        Map<String, AttributeValue> key = Map.of("pk", AttributeValue.fromS("a \"b\" ü"),
                "sk", AttributeValue.fromN("5.00"));
        String cursor = ScanCursor.after(key);

        assertThat(ScanCursor.startKey(cursor)).isEqualTo(key);
        Map<String, AttributeValue> binary = Map.of("b", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[] {0, -1})));
        assertThat(ScanCursor.startKey(ScanCursor.after(binary))).isEqualTo(binary);
        assertThat(ScanCursor.after(Map.of())).isEqualTo(ScanCursor.END);
        assertThat(ScanCursor.after(null)).isEqualTo(ScanCursor.END);
        assertThat(ScanCursor.startKey(ScanCursor.END)).isNull();
        assertThat(ScanCursor.startKey(null)).isNull();
    }
}
