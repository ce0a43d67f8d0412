package org.apache.pulsar.io.dynamodb.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Shorthands for building attribute values, reading fixtures and decoding typed JSON back into the SDK model. */
final class TestRecords {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private TestRecords() {
    }

    static AttributeValue s(String v) {
        return AttributeValue.builder().s(v).build();
    }

    static AttributeValue n(String v) {
        return AttributeValue.builder().n(v).build();
    }

    static AttributeValue b(byte... v) {
        return AttributeValue.builder().b(SdkBytes.fromByteArray(v)).build();
    }

    static AttributeValue ss(String... v) {
        return AttributeValue.builder().ss(v).build();
    }

    static AttributeValue ns(String... v) {
        return AttributeValue.builder().ns(v).build();
    }

    static AttributeValue bs(byte[]... v) {
        return AttributeValue.builder().bs(Arrays.stream(v).map(SdkBytes::fromByteArray).toList()).build();
    }

    static AttributeValue m(Map<String, AttributeValue> v) {
        return AttributeValue.builder().m(v).build();
    }

    static AttributeValue l(AttributeValue... v) {
        return AttributeValue.builder().l(v).build();
    }

    static AttributeValue nul() {
        return AttributeValue.builder().nul(true).build();
    }

    static AttributeValue bool(boolean v) {
        return AttributeValue.builder().bool(v).build();
    }

    /** An insertion-ordered map from alternating name, value arguments. */
    static Map<String, AttributeValue> item(Object... nameValues) {
        Map<String, AttributeValue> map = new LinkedHashMap<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            map.put((String) nameValues[i], (AttributeValue) nameValues[i + 1]);
        }
        return map;
    }

    /** A fixture's text without the trailing newline editors add. */
    static String fixture(String name) {
        try (InputStream in = TestRecords.class.getResourceAsStream("/fixtures/convert/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).stripTrailing();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode parse(byte[] json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Decodes a typed JSON item back into attribute values, independently of the code under test. */
    static Map<String, AttributeValue> decodeItem(JsonNode object) {
        Map<String, AttributeValue> map = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            map.put(e.getKey(), decode(e.getValue()));
        }
        return map;
    }

    static AttributeValue decode(JsonNode typed) {
        if (typed.size() != 1) {
            throw new AssertionError("typed value must have exactly one member: " + typed);
        }
        Map.Entry<String, JsonNode> e = typed.fields().next();
        JsonNode v = e.getValue();
        return switch (e.getKey()) {
            case "S" -> s(text(v));
            case "N" -> n(text(v));
            case "B" -> AttributeValue.builder().b(SdkBytes.fromByteArray(Base64.getDecoder().decode(text(v)))).build();
            case "SS" -> AttributeValue.builder().ss(texts(v)).build();
            case "NS" -> AttributeValue.builder().ns(texts(v)).build();
            case "BS" -> AttributeValue.builder().bs(texts(v).stream()
                    .map(t -> SdkBytes.fromByteArray(Base64.getDecoder().decode(t))).toList()).build();
            case "M" -> m(decodeItem(v));
            case "L" -> {
                List<AttributeValue> list = new ArrayList<>();
                v.forEach(x -> list.add(decode(x)));
                yield AttributeValue.builder().l(list).build();
            }
            case "NULL" -> {
                if (!v.isBoolean()) {
                    throw new AssertionError("NULL must be a boolean: " + v);
                }
                yield AttributeValue.builder().nul(v.booleanValue()).build();
            }
            case "BOOL" -> {
                if (!v.isBoolean()) {
                    throw new AssertionError("BOOL must be a boolean: " + v);
                }
                yield bool(v.booleanValue());
            }
            default -> throw new AssertionError("unknown type " + e.getKey());
        };
    }

    private static String text(JsonNode v) {
        if (!v.isTextual()) {
            throw new AssertionError("expected a JSON string: " + v);
        }
        return v.textValue();
    }

    private static List<String> texts(JsonNode v) {
        if (!v.isArray()) {
            throw new AssertionError("expected a JSON array: " + v);
        }
        List<String> out = new ArrayList<>();
        v.forEach(x -> out.add(text(x)));
        return out;
    }

    /** Random items of every type, nested, with strings drawn from ASCII, control, Latin, CJK and emoji. */
    static final class RandomItems {
        private final Random random;

        RandomItems(long seed) {
            this.random = new Random(seed);
        }

        Map<String, AttributeValue> item(int attributes, int depth) {
            Map<String, AttributeValue> map = new LinkedHashMap<>();
            for (int i = 0; i < attributes; i++) {
                map.put(string(12) + "#" + i, value(depth));
            }
            return map;
        }

        AttributeValue value(int depth) {
            int kinds = depth > 0 ? 10 : 8;
            return switch (random.nextInt(kinds)) {
                case 0 -> s(string(40));
                case 1 -> n(number());
                case 2 -> AttributeValue.builder().b(SdkBytes.fromByteArray(bytes())).build();
                case 3 -> AttributeValue.builder().ss(List.of(string(10) + "a", string(10) + "b")).build();
                case 4 -> AttributeValue.builder().ns(List.of(number(), number() + "1")).build();
                case 5 -> AttributeValue.builder().bs(List.of(SdkBytes.fromByteArray(bytes()))).build();
                case 6 -> nul();
                case 7 -> bool(random.nextBoolean());
                case 8 -> m(item(random.nextInt(4), depth - 1));
                default -> {
                    List<AttributeValue> list = new ArrayList<>();
                    int size = random.nextInt(4);
                    for (int i = 0; i < size; i++) {
                        list.add(value(depth - 1));
                    }
                    yield AttributeValue.builder().l(list).build();
                }
            };
        }

        String string(int maxLength) {
            int length = random.nextInt(maxLength + 1);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < length; i++) {
                int cp = switch (random.nextInt(6)) {
                    case 0 -> random.nextInt(0x20);                   // control characters
                    case 1 -> 0x20 + random.nextInt(0x5f);            // printable ASCII, quote and backslash included
                    case 2 -> 0xa0 + random.nextInt(0x100);           // Latin-1 and beyond
                    case 3 -> 0x4e00 + random.nextInt(0x5000);        // CJK
                    case 4 -> 0x1f300 + random.nextInt(0x300);        // emoji, beyond the BMP
                    default -> 0x2000 + random.nextInt(0x70);         // punctuation incl. U+2028/U+2029
                };
                sb.appendCodePoint(cp);
            }
            return sb.toString();
        }

        String number() {
            return switch (random.nextInt(3)) {
                case 0 -> Long.toString(random.nextLong());
                case 1 -> random.nextInt(1000) + "." + random.nextInt(1000) + "0";
                default -> "-" + random.nextInt(10) + "E+" + random.nextInt(100);
            };
        }

        byte[] bytes() {
            byte[] b = new byte[random.nextInt(20)];
            random.nextBytes(b);
            return b;
        }
    }
}
