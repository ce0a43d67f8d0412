package org.apache.pulsar.io.dynamodb.e2e;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A consumer written from README's description of each value format, decoding with a plain JSON parser (numbers
 * as BigDecimal) and comparing with DynamoDB's own model of the item (the stream or a Scan): the first difference
 * as a path, or null when equal. Numbers compare by value, set members in any order.
 */
final class DocumentedFormats {

    /** What README tells a consumer to use: a JSON parser that keeps numbers exact. */
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

    private DocumentedFormats() {
    }

    static JsonNode parse(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + new String(value, java.nio.charset.StandardCharsets.UTF_8),
                    e);
        }
    }

    /**
     * DOCUMENT, and ENVELOPE's keys, before and after: S string, N number, BOOL boolean, NULL null, M object,
     * L array, SS array of strings, NS array of numbers, B Base64 string, BS array of Base64 strings.
     */
    static String plainItemDifference(String path, Map<String, AttributeValue> expected, JsonNode actual) {
        return itemDifference(path, expected, actual, DocumentedFormats::plainDifference);
    }

    /** How one value's JSON differs from the value; null when it does not. */
    private interface ValueDifference {
        String of(String path, AttributeValue expected, JsonNode actual);
    }

    private static String itemDifference(String path, Map<String, AttributeValue> expected, JsonNode actual,
                                         ValueDifference values) {
        if (actual == null || !actual.isObject()) {
            return path + ": expected an object, got " + actual;
        }
        if (!new TreeSet<>(expected.keySet()).equals(names(actual))) {
            return path + ": attributes " + new TreeSet<>(expected.keySet()) + " became " + names(actual);
        }
        for (Map.Entry<String, AttributeValue> e : expected.entrySet()) {
            String d = values.of(path + "." + e.getKey(), e.getValue(), actual.get(e.getKey()));
            if (d != null) {
                return d;
            }
        }
        return null;
    }

    private static String listDifference(String path, List<AttributeValue> expected, JsonNode actual,
                                         ValueDifference values) {
        if (!actual.isArray() || actual.size() != expected.size()) {
            return differs(path, expected.size() + " elements", actual);
        }
        for (int i = 0; i < expected.size(); i++) {
            String d = values.of(path + "[" + i + "]", expected.get(i), actual.get(i));
            if (d != null) {
                return d;
            }
        }
        return null;
    }

    private static String plainDifference(String path, AttributeValue e, JsonNode a) {
        return switch (e.type()) {
            case S -> a.isTextual() && a.textValue().equals(e.s()) ? null : differs(path, e.s(), a);
            case N -> a.isNumber() && number(a).equals(number(e.n())) ? null : differs(path, e.n(), a);
            case BOOL -> a.isBoolean() && a.booleanValue() == e.bool() ? null : differs(path, e.bool(), a);
            case NUL -> a.isNull() ? null : differs(path, "null", a);
            case B -> a.isTextual() && base64(a).equals(base64(e.b())) ? null : differs(path, base64(e.b()), a);
            case SS -> sameMembers(path, e.ss(), a, JsonNode::isTextual, JsonNode::textValue);
            case NS -> sameMembers(path, e.ns().stream().map(DocumentedFormats::number).toList(), a,
                    JsonNode::isNumber, DocumentedFormats::number);
            case BS -> sameMembers(path, e.bs().stream().map(DocumentedFormats::base64).toList(), a,
                    JsonNode::isTextual, DocumentedFormats::base64);
            case M -> plainItemDifference(path, e.m(), a);
            case L -> listDifference(path, e.l(), a, DocumentedFormats::plainDifference);
            default -> path + ": unexpected type " + e.type();
        };
    }

    /** DYNAMODB_JSON's images: each value an object with one member named for its type, N as a string. */
    static String typedItemDifference(String path, Map<String, AttributeValue> expected, JsonNode actual) {
        return itemDifference(path, expected, actual, DocumentedFormats::typedDifference);
    }

    private static String typedDifference(String path, AttributeValue e, JsonNode a) {
        String tag = e.type() == AttributeValue.Type.NUL ? "NULL" : e.type().name();
        if (!a.isObject() || a.size() != 1 || !a.has(tag)) {
            return differs(path, "{\"" + tag + "\":...}", a);
        }
        JsonNode v = a.get(tag);
        return switch (e.type()) {
            case S -> v.isTextual() && v.textValue().equals(e.s()) ? null : differs(path, e.s(), v);
            case N -> v.isTextual() && number(v.textValue()).equals(number(e.n())) ? null : differs(path, e.n(), v);
            case BOOL -> v.isBoolean() && v.booleanValue() == e.bool() ? null : differs(path, e.bool(), v);
            case NUL -> v.isBoolean() && v.booleanValue() ? null : differs(path, true, v);
            case B -> v.isTextual() && base64(v).equals(base64(e.b())) ? null : differs(path, base64(e.b()), v);
            case SS -> sameMembers(path, e.ss(), v, JsonNode::isTextual, JsonNode::textValue);
            case NS -> sameMembers(path, e.ns().stream().map(DocumentedFormats::number).toList(), v,
                    JsonNode::isTextual, n -> number(n.textValue()));
            case BS -> sameMembers(path, e.bs().stream().map(DocumentedFormats::base64).toList(), v,
                    JsonNode::isTextual, DocumentedFormats::base64);
            case M -> typedItemDifference(path, e.m(), v);
            case L -> listDifference(path, e.l(), v, DocumentedFormats::typedDifference);
            default -> path + ": unexpected type " + e.type();
        };
    }

    private static <T extends Comparable<T>> String sameMembers(String path, List<T> expected, JsonNode a,
                                                                java.util.function.Predicate<JsonNode> isMember,
                                                                Function<JsonNode, T> member) {
        if (!a.isArray()) {
            return differs(path, expected, a);
        }
        List<T> actual = new ArrayList<>();
        for (JsonNode element : a) {
            if (!isMember.test(element)) {
                return differs(path, expected, a);
            }
            actual.add(member.apply(element));
        }
        List<T> sortedExpected = new ArrayList<>(expected);
        sortedExpected.sort(null);
        actual.sort(null);
        return sortedExpected.equals(actual) ? null : differs(path, expected, a);
    }

    /** A number by value: 5, 5.0 and 5E+0 are one. */
    static BigDecimal number(String text) {
        BigDecimal value = new BigDecimal(text);
        return value.signum() == 0 ? BigDecimal.ZERO : value.stripTrailingZeros();
    }

    private static BigDecimal number(JsonNode node) {
        BigDecimal value = node.decimalValue();
        return value.signum() == 0 ? BigDecimal.ZERO : value.stripTrailingZeros();
    }

    private static String base64(SdkBytes bytes) {
        return Base64.getEncoder().encodeToString(bytes.asByteArray());
    }

    /** A Base64 value, re-encoded so that any valid spelling of the same bytes compares equal. */
    private static String base64(JsonNode node) {
        return Base64.getEncoder().encodeToString(Base64.getDecoder().decode(node.textValue()));
    }

    private static Set<String> names(JsonNode object) {
        Set<String> names = new TreeSet<>();
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    private static String differs(String path, Object expected, JsonNode actual) {
        String got = String.valueOf(actual);
        return path + ": expected " + expected + ", got " + (got.length() > 200 ? got.substring(0, 200) + "..." : got);
    }
}
