package org.apache.pulsar.io.dynamodb.convert;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.io.dynamodb.config.MessageKeyMode;
import org.apache.pulsar.io.dynamodb.config.OutputFormat;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * JMH: one DynamoDB stream record (a MODIFY of a ~1 KB item, old and new images) to what the connector publishes
 * (key, JSON value, properties), with the default PRIMARY_KEY key mode, one benchmark per output format. Run by
 * {@code ./bench.sh conversion}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ConversionBenchmark {

    /** Where the sample record was read. */
    public static final RecordOrigin ORIGIN = new RecordOrigin("orders", "eu-west-1",
            "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-01-02T03:04:05.123",
            "shardId-00000001767323045000-1a2b3c4d");
    /** A read time, as the shard processor passes it. */
    public static final long READ_TIME_MILLIS = 1_767_323_045_678L;

    private final RecordConverter dynamodbJson = converter(OutputFormat.DYNAMODB_JSON);
    private final RecordConverter document = converter(OutputFormat.DOCUMENT);
    private final RecordConverter envelope = converter(OutputFormat.ENVELOPE);
    private final Record record = sampleRecord();

    /** The connector's converter for a format with its defaults (PRIMARY_KEY, tombstones with ENVELOPE). */
    public static RecordConverter converter(OutputFormat format) {
        return new ChangeRecordConverter(KeyRenderer.forMode(MessageKeyMode.PRIMARY_KEY), format,
                format == OutputFormat.ENVELOPE);
    }

    @Benchmark
    public List<ChangeRecord> dynamodbJson() {
        return dynamodbJson.convert(record, ORIGIN, READ_TIME_MILLIS);
    }

    @Benchmark
    public List<ChangeRecord> document() {
        return document.convert(record, ORIGIN, READ_TIME_MILLIS);
    }

    @Benchmark
    public List<ChangeRecord> envelope() {
        return envelope.convert(record, ORIGIN, READ_TIME_MILLIS);
    }

    /** A MODIFY of a ~1 KB order item: strings, numbers, a map, a list, a string set and a boolean. */
    public static Record sampleRecord() {
        Map<String, AttributeValue> oldImage = item(41, "PENDING");
        Map<String, AttributeValue> newImage = item(42, "SHIPPED");
        return Record.builder()
                .eventID("7c6a1e2b5f0d4c3a9e8b1a2f3d4c5b6a")
                .eventName(OperationType.MODIFY)
                .eventVersion("1.1")
                .eventSource("aws:dynamodb")
                .awsRegion("eu-west-1")
                .dynamodb(StreamRecord.builder()
                        .approximateCreationDateTime(Instant.parse("2026-01-02T03:04:00Z"))
                        .keys(Map.of("pk", s("customer#0001234567"), "sk", s("order#2026-01-02#000042")))
                        .newImage(newImage)
                        .oldImage(oldImage)
                        .sequenceNumber("000000000000000004211")
                        .sizeBytes(1024L)
                        .streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)
                        .build())
                .build();
    }

    private static Map<String, AttributeValue> item(int version, String status) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put("pk", s("customer#0001234567"));
        item.put("sk", s("order#2026-01-02#000042"));
        item.put("status", s(status));
        item.put("version", n(Integer.toString(version)));
        item.put("total", n(new BigDecimal("1234.56").toPlainString()));
        item.put("currency", s("EUR"));
        item.put("express", AttributeValue.builder().bool(version % 2 == 0).build());
        item.put("customer", AttributeValue.builder().m(Map.of(
                "name", s("Ada Lovelace"),
                "email", s("ada.lovelace@example.com"),
                "phone", s("+44 20 7946 0958"))).build());
        item.put("address", AttributeValue.builder().m(Map.of(
                "street", s("12 Analytical Engine Road"),
                "city", s("London"),
                "zip", s("NW1 6XE"),
                "country", s("GB"))).build());
        item.put("lines", AttributeValue.builder().l(List.of(
                line("sku-000123", 2, "19.99"),
                line("sku-004567", 1, "1194.58"))).build());
        item.put("tags", AttributeValue.builder().ss("gift", "priority", "fragile").build());
        return item;
    }

    private static AttributeValue line(String sku, int quantity, String price) {
        return AttributeValue.builder().m(Map.of(
                "sku", s(sku), "quantity", n(Integer.toString(quantity)), "price", n(price))).build();
    }

    private static AttributeValue s(String value) {
        return AttributeValue.builder().s(value).build();
    }

    private static AttributeValue n(String value) {
        return AttributeValue.builder().n(value).build();
    }
}
