package org.apache.pulsar.io.dynamodb.convert;

import static org.apache.pulsar.io.dynamodb.convert.TestRecords.b;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.bool;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.bs;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.decodeItem;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.fixture;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.item;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.l;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.m;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.n;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.ns;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.nul;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.parse;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.s;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.ss;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Identity;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

class StreamRecordJsonWriterTest {

    static Record.Builder base(String eventId, OperationType op) {
        return Record.builder()
                .eventID(eventId)
                .eventName(op)
                .eventVersion("1.1")
                .eventSource("aws:dynamodb")
                .awsRegion("eu-north-1");
    }

    static Record insertAllTypes() {
        Map<String, AttributeValue> newImage = item(
                "id", s("user0"),
                "name", s("Zoë 日本語 한국어 😀🚀"),
                "empty", s(""),
                "ctrl", s("line1\nline2\ttab\r\b\f\u0001\u001f\u0000 \"q\" \\ /"),
                "price", n("1.50"),
                "bin", b((byte) 0, (byte) 1, (byte) 2, (byte) 0xfe, (byte) 0xff),
                "tags", ss("a", "b"),
                "scores", ns("1", "2.5", "-300"),
                "blobs", bs(new byte[] {0}, "hi".getBytes(StandardCharsets.US_ASCII)),
                "nested", m(item(
                        "list", l(m(item("deep", m(item("flag", bool(true))))), n("7"), nul()),
                        "bool", bool(false))),
                "nothing", nul(),
                "active", bool(false),
                "emptyList", l(),
                "emptyMap", m(Map.of()));
        return base("c4ca4238a0b923820dcc509a6f75849b", OperationType.INSERT)
                .dynamodb(StreamRecord.builder()
                        .approximateCreationDateTime(Instant.ofEpochSecond(1752464541L))
                        .keys(item("id", s("user0")))
                        .newImage(newImage)
                        // some decoders hand an INSERT an empty OldImage; the builtin's value has none
                        .oldImage(Map.of())
                        .sequenceNumber("111100000000000000000001")
                        .sizeBytes(267L)
                        .streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)
                        .build())
                .build();
    }

    @Test
    void insertWithEveryAttributeTypeMatchesTheBuiltinsJson() {
        byte[] json = StreamRecordJsonWriter.write(insertAllTypes());

        assertThat(new String(json, StandardCharsets.UTF_8)).isEqualTo(fixture("insert-all-types.json"));
        assertThat(json).isEqualTo(fixture("insert-all-types.json").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void nonAsciiIsRawUtf8AndControlCharactersAreEscaped() {
        byte[] json = StreamRecordJsonWriter.write(insertAllTypes());
        String text = new String(json, StandardCharsets.UTF_8);

        // emoji beyond the BMP as 4-byte UTF-8, not as \ud83d\ude00 escapes
        assertThat(containsBytes(json, new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80})).isTrue();
        assertThat(containsBytes(json, "日本語".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(text).doesNotContain("\\ud83d", "\\uD83D", "\\u65E5");
        for (byte b : json) {
            assertThat(b & 0xff).as("raw control byte").isGreaterThanOrEqualTo(0x20);
        }
        assertThat(parse(json).at("/dynamodb/NewImage/ctrl/S").textValue())
                .isEqualTo("line1\nline2\ttab\r\b\f\u0001\u001f\u0000 \"q\" \\ /");
    }

    @Test
    void modifyCarriesBothImagesAndMillisecondTimestamp() {
        Record record = base("c81e728d9d4c2f636f067f89cc14862c", OperationType.MODIFY)
                .dynamodb(StreamRecord.builder()
                        .approximateCreationDateTime(Instant.ofEpochMilli(1752464541123L))
                        .keys(item("pk", s("order#1"), "sk", n("5")))
                        .newImage(item("pk", s("order#1"), "sk", n("5"), "status", s("shipped"),
                                "items", l(m(item("sku", s("A-1"), "qty", n("2"))))))
                        .oldImage(item("pk", s("order#1"), "sk", n("5"), "status", s("new"), "items", l()))
                        .sequenceNumber("111200000000000000000002")
                        .sizeBytes(123L)
                        .streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)
                        .build())
                .build();

        assertThat(StreamRecordJsonWriter.writeString(record)).isEqualTo(fixture("modify-composite-key.json"));
    }

    @Test
    void removeHasNoNewImage() {
        Record record = base("eccbc87e4b5ce2fe28308fd9f2a7baf3", OperationType.REMOVE)
                .dynamodb(StreamRecord.builder()
                        .approximateCreationDateTime(Instant.ofEpochSecond(1752464600L))
                        .keys(item("id", s("user0")))
                        .newImage(Map.of())
                        .oldImage(item("id", s("user0"), "name", s("Zoë")))
                        .sequenceNumber("111300000000000000000003")
                        .sizeBytes(31L)
                        .streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)
                        .build())
                .build();

        assertThat(StreamRecordJsonWriter.write(record))
                .isEqualTo(fixture("remove.json").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void ttlDeleteStartsWithUserIdentity() {
        Record record = base("a87ff679a2f3e71d9181a67b7542122c", OperationType.REMOVE)
                .userIdentity(Identity.builder().principalId("dynamodb.amazonaws.com").type("Service").build())
                .dynamodb(StreamRecord.builder()
                        .approximateCreationDateTime(Instant.ofEpochSecond(1752464700L))
                        .keys(item("id", s("session-42")))
                        .oldImage(item("id", s("session-42"), "expiresAt", n("1752464000")))
                        .sequenceNumber("111400000000000000000004")
                        .sizeBytes(45L)
                        .streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)
                        .build())
                .build();

        String json = StreamRecordJsonWriter.writeString(record);

        assertThat(json).isEqualTo(fixture("remove-ttl.json"));
        assertThat(parse(json.getBytes(StandardCharsets.UTF_8)).fieldNames().next()).isEqualTo("userIdentity");
    }

    @Test
    void keysOnlyStreamHasNoImages() {
        Record record = base("e4da3b7fbbce2345d7772b0674a318d5", OperationType.MODIFY)
                .dynamodb(StreamRecord.builder()
                        .approximateCreationDateTime(Instant.ofEpochSecond(1752464800L))
                        .keys(item("id", s("user0")))
                        .sequenceNumber("111500000000000000000005")
                        .sizeBytes(12L)
                        .streamViewType(StreamViewType.KEYS_ONLY)
                        .build())
                .build();

        assertThat(StreamRecordJsonWriter.writeString(record)).isEqualTo(fixture("modify-keys-only.json"));
    }

    @Test
    void newImageStreamHasNoOldImage() {
        Record record = base("1679091c5a880faf6fb5e6087eb1b2dc", OperationType.MODIFY)
                .dynamodb(StreamRecord.builder()
                        .approximateCreationDateTime(Instant.ofEpochSecond(1752464900L))
                        .keys(item("id", s("user0")))
                        .newImage(item("id", s("user0"), "visits", n("3")))
                        .sequenceNumber("111600000000000000000006")
                        .sizeBytes(22L)
                        .streamViewType(StreamViewType.NEW_IMAGE)
                        .build())
                .build();

        assertThat(StreamRecordJsonWriter.writeString(record)).isEqualTo(fixture("modify-new-image.json"));
    }

    @Test
    void absentFieldsAreLeftOutNotNull() {
        Record record = Record.builder()
                .eventID("id-1")
                .dynamodb(StreamRecord.builder().keys(item("id", s("x"))).build())
                .build();

        assertThat(StreamRecordJsonWriter.writeString(record))
                .isEqualTo("{\"eventID\":\"id-1\",\"dynamodb\":{\"Keys\":{\"id\":{\"S\":\"x\"}}}}");
    }

    @Test
    void unknownEventNameAndViewTypeAreWrittenAsReceived() {
        Record record = Record.builder()
                .eventName("FUTURE_OP")
                .dynamodb(StreamRecord.builder().streamViewType("FUTURE_VIEW").build())
                .build();

        assertThat(StreamRecordJsonWriter.writeString(record))
                .isEqualTo("{\"eventName\":\"FUTURE_OP\",\"dynamodb\":{\"StreamViewType\":\"FUTURE_VIEW\"}}");
    }

    @Test
    void binaryIsStandardBase64WithPadding() {
        Random random = new Random(7);
        for (int length = 0; length < 40; length++) {
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            Record record = Record.builder()
                    .dynamodb(StreamRecord.builder().newImage(item("b", b(bytes), "bs", bs(bytes, bytes))).build())
                    .build();

            JsonNode image = parse(StreamRecordJsonWriter.write(record)).at("/dynamodb/NewImage");

            String expected = Base64.getEncoder().encodeToString(bytes);
            assertThat(image.at("/b/B").textValue()).isEqualTo(expected);
            assertThat(image.at("/bs/BS/1").textValue()).isEqualTo(expected);
        }
    }

    @Test
    void randomItemsRoundTrip() {
        TestRecords.RandomItems random = new TestRecords.RandomItems(42);
        for (int i = 0; i < 300; i++) {
            Map<String, AttributeValue> keys = item("pk", s(random.string(20)), "sk", n(random.number()));
            Map<String, AttributeValue> newImage = random.item(12, 4);
            Map<String, AttributeValue> oldImage = random.item(5, 3);
            newImage.putAll(keys);
            Record record = base("ev" + i, OperationType.MODIFY)
                    .dynamodb(StreamRecord.builder()
                            .approximateCreationDateTime(Instant.ofEpochMilli(1_700_000_000_000L + i))
                            .keys(keys).newImage(newImage).oldImage(oldImage)
                            .sequenceNumber(Integer.toString(i))
                            .sizeBytes(100L + i)
                            .streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)
                            .build())
                    .build();

            JsonNode json = parse(StreamRecordJsonWriter.write(record));

            assertThat(decodeItem(json.at("/dynamodb/Keys"))).isEqualTo(keys);
            assertThat(decodeItem(json.at("/dynamodb/NewImage"))).isEqualTo(newImage);
            assertThat(decodeItem(json.at("/dynamodb/OldImage"))).isEqualTo(oldImage);
            assertThat(json.at("/dynamodb/ApproximateCreationDateTime").longValue())
                    .isEqualTo(1_700_000_000_000L + i);
            assertThat(json.at("/dynamodb/SizeBytes").isIntegralNumber()).isTrue();
        }
    }

    @Test
    void itemOfAbout400KiloBytesRoundTrips() {
        TestRecords.RandomItems random = new TestRecords.RandomItems(400);
        StringBuilder big = new StringBuilder();
        while (big.length() < 300_000) {
            big.append(random.string(200));
        }
        List<AttributeValue> list = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            list.add(i % 2 == 0 ? n(Integer.toString(i)) : m(item("i", n(Integer.toString(i)), "s", s("x" + i))));
        }
        byte[] blob = new byte[50_000];
        new Random(1).nextBytes(blob);
        Map<String, AttributeValue> image = item("id", s("big"), "text", s(big.toString()), "list",
                AttributeValue.builder().l(list).build(), "blob", b(blob));
        Record record = base("big-1", OperationType.INSERT)
                .dynamodb(StreamRecord.builder()
                        .keys(item("id", s("big"))).newImage(image)
                        .sizeBytes(400_000L)
                        .streamViewType(StreamViewType.NEW_IMAGE)
                        .build())
                .build();

        byte[] json = StreamRecordJsonWriter.write(record);

        assertThat(json.length).isGreaterThan(400_000);
        JsonNode parsed = parse(json);
        assertThat(decodeItem(parsed.at("/dynamodb/NewImage"))).isEqualTo(image);
        assertThat(parsed.at("/dynamodb/NewImage/blob/B").textValue())
                .isEqualTo(Base64.getEncoder().encodeToString(blob));
    }

    @Test
    void valueKeepsAttributeOrderOfTheImage() {
        Map<String, AttributeValue> image = new HashMap<>();
        for (int i = 0; i < 50; i++) {
            image.put("a" + i, n(Integer.toString(i)));
        }
        Record record = Record.builder().dynamodb(StreamRecord.builder().newImage(image).build()).build();

        List<String> names = new ArrayList<>();
        parse(StreamRecordJsonWriter.write(record)).at("/dynamodb/NewImage").fieldNames().forEachRemaining(names::add);

        assertThat(names).containsExactlyElementsOf(record.dynamodb().newImage().keySet());
    }

    @Test
    void emptyOrUnsetAttributeValueIsAnEmptyObject() {
        Record record = Record.builder()
                .dynamodb(StreamRecord.builder().newImage(item("x", AttributeValue.builder().build())).build())
                .build();

        assertThat(StreamRecordJsonWriter.writeString(record))
                .isEqualTo("{\"dynamodb\":{\"NewImage\":{\"x\":{}}}}");
    }

    private static boolean containsBytes(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
