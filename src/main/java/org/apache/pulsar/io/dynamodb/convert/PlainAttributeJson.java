package org.apache.pulsar.io.dynamodb.convert;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Writes DynamoDB attribute values as plain JSON, the DOCUMENT and ENVELOPE form: S string, N number (exact),
 * BOOL boolean, NULL null, M object, L array, SS array of strings, NS array of numbers, B Base64 string, BS array
 * of Base64 strings.
 */
final class PlainAttributeJson {

    private PlainAttributeJson() {
    }

    /** Writes an attribute map as a JSON object, in the map's own iteration order. */
    static void writeItem(Utf8JsonBuilder json, Map<String, AttributeValue> item) {
        json.beginObject();
        for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
            json.name(e.getKey());
            write(json, e.getValue());
        }
        json.endObject();
    }

    /** Writes one value; a value with no member set (or one newer than this SDK) is null. */
    static void write(Utf8JsonBuilder json, AttributeValue value) {
        AttributeValue.Type type = value == null ? null : value.type();
        if (type == null) {
            json.nullValue();
            return;
        }
        switch (type) {
            case S -> json.string(value.s());
            case N -> writeNumber(json, value.n());
            case B -> writeBinary(json, value.b());
            case SS -> {
                json.beginArray();
                for (String s : value.ss()) {
                    json.string(s);
                }
                json.endArray();
            }
            case NS -> {
                json.beginArray();
                for (String n : value.ns()) {
                    writeNumber(json, n);
                }
                json.endArray();
            }
            case BS -> {
                json.beginArray();
                for (SdkBytes b : value.bs()) {
                    writeBinary(json, b);
                }
                json.endArray();
            }
            case M -> writeItem(json, value.m());
            case L -> writeList(json, value.l());
            case BOOL -> json.bool(value.bool());
            default -> json.nullValue();  // NUL, and UNKNOWN_TO_SDK_VERSION: nothing to show
        }
    }

    private static void writeList(Utf8JsonBuilder json, List<AttributeValue> list) {
        json.beginArray();
        for (AttributeValue element : list) {
            write(json, element);
        }
        json.endArray();
    }

    /**
     * Writes DynamoDB's decimal string as a JSON number with the same value, never through a double: as it is when
     * it is a JSON number literal (DynamoDB's own spelling always is), else rewritten exactly by BigDecimal (a
     * leading '+', '.5', '5.'). A string that is no number at all, which DynamoDB never returns, stays a string.
     */
    static void writeNumber(Utf8JsonBuilder json, String n) {
        if (n == null) {
            json.nullValue();
        } else if (isJsonNumber(n)) {
            json.numberLiteral(n);
        } else {
            try {
                json.numberLiteral(new BigDecimal(n.trim()).toString());
            } catch (NumberFormatException e) {
                json.string(n);
            }
        }
    }

    /** Whether the text is a number literal by JSON's grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
    static boolean isJsonNumber(String n) {
        int length = n.length();
        int i = 0;
        if (i < length && n.charAt(i) == '-') {
            i++;
        }
        if (i == length) {
            return false;
        }
        if (n.charAt(i) == '0') {
            i++;
        } else {
            int start = i;
            i = digits(n, i);
            if (i == start) {
                return false;
            }
        }
        if (i < length && n.charAt(i) == '.') {
            int start = ++i;
            i = digits(n, i);
            if (i == start) {
                return false;
            }
        }
        if (i < length && (n.charAt(i) == 'e' || n.charAt(i) == 'E')) {
            i++;
            if (i < length && (n.charAt(i) == '+' || n.charAt(i) == '-')) {
                i++;
            }
            int start = i;
            i = digits(n, i);
            if (i == start) {
                return false;
            }
        }
        return i == length;
    }

    private static int digits(String n, int from) {
        int i = from;
        while (i < n.length() && n.charAt(i) >= '0' && n.charAt(i) <= '9') {
            i++;
        }
        return i;
    }

    private static void writeBinary(Utf8JsonBuilder json, SdkBytes bytes) {
        if (bytes == null) {
            json.nullValue();
        } else {
            json.base64(bytes.asByteArrayUnsafe());
        }
    }
}
