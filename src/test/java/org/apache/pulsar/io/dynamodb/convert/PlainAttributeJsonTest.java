package org.apache.pulsar.io.dynamodb.convert;

import static org.apache.pulsar.io.dynamodb.convert.TestRecords.b;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.bool;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.bs;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.item;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.l;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.m;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.n;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.ns;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.nul;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.s;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.ss;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The plain JSON of DOCUMENT and ENVELOPE values: each type's mapping, and numbers exact. */
class PlainAttributeJsonTest {

    /** A consumer's parser: numbers exact, never through a double. */
    private static final ObjectMapper EXACT = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

    private static String plain(Map<String, AttributeValue> item) {
        Utf8JsonBuilder json = new Utf8JsonBuilder(16);
        PlainAttributeJson.writeItem(json, item);
        return json.toUtf8String();
    }

    private static String plain(AttributeValue value) {
        Utf8JsonBuilder json = new Utf8JsonBuilder(16);
        PlainAttributeJson.write(json, value);
        return json.toUtf8String();
    }

    private static JsonNode parse(String json) {
        try {
            return EXACT.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(json, e);
        }
    }

    @Test
    void everyTypeHasItsDocumentedPlainForm() {
        Map<String, AttributeValue> item = item(
                "s", s("Zoë \"q\" \n 😀"),
                "n", n("1.50"),
                "bool", bool(true),
                "null", nul(),
                "m", m(item("a", n("1"), "b", m(Map.of()))),
                "l", l(s("x"), n("2"), l(), nul()),
                "ss", ss("a", "b"),
                "ns", ns("1", "-2.5", "1E+125"),
                "b", b((byte) 0, (byte) 1, (byte) 0xfe, (byte) 0xff),
                "bs", bs(new byte[] {0}, "hi".getBytes(StandardCharsets.US_ASCII)),
                "unset", AttributeValue.builder().build());

        assertThat(plain(item)).isEqualTo("{\"s\":\"Zoë \\\"q\\\" \\n 😀\",\"n\":1.50,\"bool\":true,\"null\":null,"
                + "\"m\":{\"a\":1,\"b\":{}},\"l\":[\"x\",2,[],null],\"ss\":[\"a\",\"b\"],\"ns\":[1,-2.5,1E+125],"
                + "\"b\":\"AAH+/w==\",\"bs\":[\"AA==\",\"aGk=\"],\"unset\":null}");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // DynamoDB's own spellings are JSON number literals and are written as they are
        "0|0",
        "-0|-0",
        "42|42",
        "-7.25|-7.25",
        "1.50|1.50",
        "12345678901234567890123456789012345678|12345678901234567890123456789012345678",
        "0.12345678901234567890123456789012345678|0.12345678901234567890123456789012345678",
        "1E+125|1E+125",
        "-1E-130|-1E-130",
        "9.9999999999999999999999999999999999999E+125|9.9999999999999999999999999999999999999E+125",
        "1e5|1e5",
        "2.5E-3|2.5E-3",
        // spellings that are no JSON literal are rewritten exactly
        "+5|5",
        ".5|0.5",
        "-.5|-0.5",
        "5.|5",
        "007|7",
        "+1E+125|1E+125",
        "1.E3|1E+3",
        "' 12 '|12",
        // not a number at all (DynamoDB never returns one): kept, as a string
        "NaN|\"NaN\"",
        "12abc|\"12abc\"",
    })
    void numbersAreWrittenExactlyAsJsonNumbers(String dynamodb, String expected) {
        assertThat(plain(n(dynamodb))).isEqualTo(expected);
        JsonNode parsed = parse(plain(n(dynamodb)));
        if (parsed.isNumber()) {
            assertThat(parsed.decimalValue()).isEqualByComparingTo(new BigDecimal(dynamodb.trim()));
        }
    }

    @Test
    void jsonNumberGrammarIsFollowedExactly() {
        for (String valid : List.of("0", "-0", "1", "10", "0.0", "1.25", "1e1", "1E+1", "1e-1", "-0.5E-10")) {
            assertThat(PlainAttributeJson.isJsonNumber(valid)).as(valid).isTrue();
        }
        for (String invalid : List.of("", "-", "+1", "01", "-01", ".5", "5.", "1e", "1e+", "1.e5", "0x10", " 1",
                "1 ", "1.2.3", "Infinity", "--1", "1E5.5")) {
            assertThat(PlainAttributeJson.isJsonNumber(invalid)).as(invalid).isFalse();
        }
    }

    @Test
    void randomItemsDecodeToTheDocumentedMapping() {
        TestRecords.RandomItems random = new TestRecords.RandomItems(11);
        for (int i = 0; i < 500; i++) {
            Map<String, AttributeValue> item = random.item(12, 4);

            JsonNode parsed = parse(plain(item));

            assertThat(decoded(parsed)).as("item %d", i).isEqualTo(expected(item));
        }
    }

    /** The parsed JSON as maps, lists, strings, booleans, null and numbers by value (BigDecimal, no trailing 0). */
    private static Object decoded(JsonNode node) {
        if (node.isObject()) {
            Map<String, Object> out = new LinkedHashMap<>();
            node.fields().forEachRemaining(e -> out.put(e.getKey(), decoded(e.getValue())));
            return out;
        }
        if (node.isArray()) {
            List<Object> out = new ArrayList<>();
            node.forEach(element -> out.add(decoded(element)));
            return out;
        }
        if (node.isNumber()) {
            return byValue(node.decimalValue());
        }
        return node.isNull() ? null : node.isBoolean() ? (Object) node.booleanValue() : node.textValue();
    }

    private static BigDecimal byValue(BigDecimal number) {
        return number.signum() == 0 ? BigDecimal.ZERO : number.stripTrailingZeros();
    }

    /** The documented mapping, built independently of the writer: what a consumer's parser should give. */
    private static Map<String, Object> expected(Map<String, AttributeValue> item) {
        Map<String, Object> out = new LinkedHashMap<>();
        item.forEach((name, value) -> out.put(name, expected(value)));
        return out;
    }

    private static Object expected(AttributeValue v) {
        return switch (v.type()) {
            case S -> v.s();
            case N -> byValue(new BigDecimal(v.n()));
            case BOOL -> v.bool();
            case NUL -> null;
            case M -> expected(v.m());
            case L -> v.l().stream().map(PlainAttributeJsonTest::expected).toList();
            case SS -> v.ss();
            case NS -> v.ns().stream().map(n -> byValue(new BigDecimal(n))).toList();
            case B -> base64(v.b());
            case BS -> v.bs().stream().map(PlainAttributeJsonTest::base64).toList();
            default -> throw new AssertionError(v);
        };
    }

    private static String base64(SdkBytes bytes) {
        return Base64.getEncoder().encodeToString(bytes.asByteArray());
    }

    @Test
    void valueKeepsTheImagesAttributeOrder() {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        for (int i = 0; i < 30; i++) {
            item.put("a" + (30 - i), n(Integer.toString(i)));
        }
        List<String> names = new ArrayList<>();
        parse(plain(item)).fieldNames().forEachRemaining(names::add);

        assertThat(names).containsExactlyElementsOf(item.keySet());
    }

    @Test
    void anAttributeValueWithNothingSetIsNull() {
        assertThat(plain(AttributeValue.builder().build())).isEqualTo("null");
        assertThat(plain((AttributeValue) null)).isEqualTo("null");
    }
}
