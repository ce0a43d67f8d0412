package org.apache.pulsar.io.dynamodb.convert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Utf8JsonBuilderTest {

    // Every class of char the escaping treats differently: controls, the two escaped printables, ASCII, two- and
    // three-byte UTF-8, line separator, DEL, both surrogate halves (paired and alone).
    private static final char[] ALPHABET = {
        0x00, 0x01, '\b', '\t', '\n', 0x0B, '\f', '\r', 0x1F, '"', '\\', '/', 'a', 'Z', '0', ' ', 0x7F,
        0xA0, 0xE9, 0x7FF, 0x800, 0x4E2D, 0x2028, 0xFEFF, 0xFFFD, 0xFFFF, 0xD83D, 0xDE00, 0xDBFF, 0xDC00
    };

    private static final JsonFactory JACKSON = new JsonFactory();

    @Test
    void stringsComeOutAsJacksonsCharGeneratorEncodedAsUtf8WouldWriteThem() throws IOException {
        Random random = new Random(20261125);
        for (int run = 0; run < 20_000; run++) {
            char[] chars = new char[random.nextInt(12)];
            for (int i = 0; i < chars.length; i++) {
                chars[i] = ALPHABET[random.nextInt(ALPHABET.length)];
            }
            String s = new String(chars);

            byte[] ours = new Utf8JsonBuilder(4).string(s).toBytes();

            assertThat(ours).as("string %s", s.chars().mapToObj(Integer::toHexString).toList())
                    .isEqualTo(jackson(s));
        }
    }

    @Test
    void longMostlyAsciiStringsWithWideCharsLateInThemComeOutAsJacksonWritesThem() throws IOException {
        // a buffer sized for the ASCII run must grow correctly where an escape or a multi-byte char turns up
        Random random = new Random(20261202);
        for (int run = 0; run < 2_000; run++) {
            char[] chars = new char[1 + random.nextInt(2_000)];
            for (int i = 0; i < chars.length; i++) {
                chars[i] = random.nextInt(50) == 0 ? ALPHABET[random.nextInt(ALPHABET.length)]
                        : (char) ('a' + random.nextInt(26));
            }
            String s = new String(chars);

            byte[] ours = new Utf8JsonBuilder(chars.length + 2).string(s).toBytes();

            assertThat(ours).as("run %d", run).isEqualTo(jackson(s));
        }
    }

    @Test
    void nonBmpCharactersAreWrittenRawAsFourUtf8Bytes() {
        byte[] json = new Utf8JsonBuilder(4).string("a\uD83D\uDE00b").toBytes();

        assertThat(new String(json, StandardCharsets.UTF_8)).isEqualTo("\"a\uD83D\uDE00b\"");
        assertThat(json).hasSize(8);
    }

    @Test
    void nestedObjectsAndArraysGetCommasOnlyBetweenMembers() {
        Utf8JsonBuilder json = new Utf8JsonBuilder(1);
        json.beginObject()
                .name("a").number(-12)
                .name("b").beginArray().string("x").bool(true).nullValue().beginObject().endObject()
                .beginArray().endArray().endArray()
                .name("c").beginObject().name("d").bool(false).endObject()
                .name("e").base64(new byte[] {(byte) 0xFB, (byte) 0xFF, 0x00, 0x10})
                .endObject();

        assertThat(json.toUtf8String())
                .isEqualTo("{\"a\":-12,\"b\":[\"x\",true,null,{},[]],\"c\":{\"d\":false},\"e\":\"+/8AEA==\"}");
    }

    @Test
    void deepNestingBeyondTheInitialDepthStaysWellFormed() {
        Utf8JsonBuilder json = new Utf8JsonBuilder(1);
        for (int i = 0; i < 40; i++) {
            json.beginObject().name("k").string("v").name("m");
        }
        json.nullValue();
        for (int i = 0; i < 40; i++) {
            json.endObject();
        }

        assertThat(json.toUtf8String()).isEqualTo("{\"k\":\"v\",\"m\":".repeat(40) + "null" + "}".repeat(40));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-0", "5", "-5", "10", "100", "5.0", "5.00", "0.5", "-0.5", "0.50", ".5", "5.",
        "007", "-007", "1e3", "1E+3", "+5", " 5", "1.2.3", "", "-", "abc", "0.0", "-0.0", "1.25", "12345678901234567890123456789012345678",
        "0.000000000000000000000000000000000001", "-1.10", "1-2", "--1"})
    void canonicalNumbersAreSpelledAsBigDecimalsPlainStringWouldSpellThem(String n) {
        assertThat(AttributeValueJson.canonicalNumber(n)).isEqualTo(viaBigDecimal(n));
    }

    @Test
    void theCanonicalFastPathAgreesWithBigDecimalOnRandomNumbers() {
        Random random = new Random(7);
        String chars = "0123456789.-0";
        for (int run = 0; run < 50_000; run++) {
            StringBuilder n = new StringBuilder();
            int length = 1 + random.nextInt(6);
            for (int i = 0; i < length; i++) {
                n.append(chars.charAt(random.nextInt(chars.length())));
            }
            assertThat(AttributeValueJson.canonicalNumber(n.toString())).as(n.toString())
                    .isEqualTo(viaBigDecimal(n.toString()));
        }
    }

    private static String viaBigDecimal(String n) {
        try {
            BigDecimal d = new BigDecimal(n.trim());
            return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
        } catch (NumberFormatException e) {
            return n;
        }
    }

    private static byte[] jackson(String s) throws IOException {
        StringWriter out = new StringWriter();
        try (JsonGenerator gen = JACKSON.createGenerator(out)) {
            gen.writeString(s);
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}
