package org.apache.pulsar.io.dynamodb.convert;

import static org.apache.pulsar.io.dynamodb.convert.TestRecords.b;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.item;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.n;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.s;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pulsar.io.dynamodb.config.MessageKeyMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

class PrimaryKeyRendererTest {

    private static Record withKeys(String eventId, Map<String, AttributeValue> keys) {
        return Record.builder()
                .eventID(eventId)
                .eventName(OperationType.MODIFY)
                .dynamodb(StreamRecord.builder().keys(keys).sequenceNumber("1").build())
                .build();
    }

    private static String key(Map<String, AttributeValue> keys) {
        return KeyRenderer.forMode(MessageKeyMode.PRIMARY_KEY).render(withKeys("ev", keys));
    }

    @Test
    void simpleKeyIsCompactTypedJson() {
        assertThat(key(item("id", s("user0")))).isEqualTo("{\"id\":{\"S\":\"user0\"}}");
    }

    @Test
    void compositeKeyIsSortedByAttributeNameWhateverTheInputOrder() {
        String expected = "{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"5\"}}";

        assertThat(key(item("pk", s("a"), "sk", n("5")))).isEqualTo(expected);
        assertThat(key(item("sk", n("5"), "pk", s("a")))).isEqualTo(expected);
    }

    @Test
    void sameItemGetsSameKeyAcrossEventsAndChangeTypes() {
        Record insert = withKeys("ev-1", item("id", s("u")));
        Record remove = Record.builder().eventID("ev-2").eventName(OperationType.REMOVE)
                .dynamodb(StreamRecord.builder().keys(item("id", s("u"))).oldImage(item("id", s("u"), "x", n("1")))
                        .build())
                .build();

        assertThat(PrimaryKeyRenderer.INSTANCE.render(insert)).isEqualTo(PrimaryKeyRenderer.INSTANCE.render(remove));
    }

    @Test
    void attributeNamesSortInNaturalStringOrder() {
        Map<String, AttributeValue> keys = new LinkedHashMap<>();
        keys.put("b", s("2"));
        keys.put("B", s("1"));
        keys.put("a", s("3"));

        assertThat(key(keys)).isEqualTo("{\"B\":{\"S\":\"1\"},\"a\":{\"S\":\"3\"},\"b\":{\"S\":\"2\"}}");
    }

    @Test
    void differentItemsGetDifferentKeys() {
        List<Map<String, AttributeValue>> items = List.of(
                item("a", s("b|c")),
                item("a", s("b"), "c", s("")),
                item("a", s("b"), "|c", s("")),
                item("pk", s("a|sk=b")),
                item("pk", s("a"), "sk", s("b")),
                // a string that spells out the JSON of a composite key
                item("pk", s("a\"},\"sk\":{\"S\":\"b")),
                item("pk", s("5")),
                item("pk", n("5")),
                item("pk", b((byte) '5')),
                item("pk", s("NQ==")),
                item("pk", b((byte) 0x35, (byte) 0)),
                item("pk", s("")),
                item("pk", s(" ")),
                item("pk ", s("")),
                item("pk", s("\u0000")),
                item("pk", s("é")),
                item("pk", s("e\u0301")));

        List<String> keys = new ArrayList<>();
        for (Map<String, AttributeValue> i : items) {
            keys.add(key(i));
        }

        assertThat(new HashSet<>(keys)).hasSize(items.size());
    }

    @ParameterizedTest
    @CsvSource({
        "5, 5", "5.0, 5", "5.00, 5", "05, 5", "5E0, 5", "0.5E1, 5", "+5, 5",
        "0, 0", "0.0, 0", "-0, 0", "0E+10, 0",
        "1E+2, 100", "100, 100", "-1.50, -1.5", "0.000123, 0.000123", "1.23E-4, 0.000123",
        "12345678901234567890123456789012345678, 12345678901234567890123456789012345678"})
    void numberKeysAreNormalised(String input, String canonical) {
        assertThat(key(item("n", n(input)))).isEqualTo("{\"n\":{\"N\":\"" + canonical + "\"}}");
    }

    @Test
    void differentNumbersStayDifferent() {
        Set<String> keys = new HashSet<>();
        for (String n : List.of("1", "10", "0.1", "-1", "100", "1.000000000000000000000000000000000001")) {
            keys.add(key(item("n", n(n))));
        }
        assertThat(keys).hasSize(6);
    }

    @Test
    void binaryKeyIsStandardBase64() {
        assertThat(key(item("id", b((byte) 0, (byte) 1, (byte) 2, (byte) 0xfe, (byte) 0xff))))
                .isEqualTo("{\"id\":{\"B\":\"AAEC/v8=\"}}");
    }

    @Test
    void unicodeAndControlCharactersInKeys() {
        assertThat(key(item("ключ", s("日本😀\n\"")))).isEqualTo("{\"ключ\":{\"S\":\"日本😀\\n\\\"\"}}");
    }

    @Test
    void keyIsDeterministicOverManyShuffledInputs() {
        List<String> names = new ArrayList<>(List.of("pk", "sk", "gsi", "a", "Z", "é"));
        String first = null;
        for (int i = 0; i < 50; i++) {
            Collections.shuffle(names, new java.util.Random(i));
            Map<String, AttributeValue> keys = new LinkedHashMap<>();
            for (String name : names) {
                keys.put(name, s(name + "-v"));
            }
            String k = key(keys);
            if (first == null) {
                first = k;
            }
            assertThat(k).isEqualTo(first);
        }
    }

    @Test
    void recordWithoutKeysFallsBackToEventId() {
        Record record = Record.builder().eventID("ev-9").dynamodb(StreamRecord.builder().build()).build();

        assertThat(PrimaryKeyRenderer.INSTANCE.render(record)).isEqualTo("ev-9");
    }

    @Test
    void eventIdModeUsesTheEventId() {
        Record record = withKeys("f07a4b2c9d", item("id", s("user0")));

        assertThat(KeyRenderer.forMode(MessageKeyMode.EVENT_ID).render(record)).isEqualTo("f07a4b2c9d");
    }

    @Test
    void forModeMapsEveryMode() {
        assertThat(KeyRenderer.forMode(MessageKeyMode.PRIMARY_KEY)).isInstanceOf(PrimaryKeyRenderer.class);
        assertThat(KeyRenderer.forMode(MessageKeyMode.EVENT_ID)).isInstanceOf(EventIdKeyRenderer.class);
    }
}
