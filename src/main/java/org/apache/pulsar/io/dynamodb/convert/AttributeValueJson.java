package org.apache.pulsar.io.dynamodb.convert;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Writes DynamoDB attribute values in their typed JSON form, shared by the value and the key so both agree. */
final class AttributeValueJson {

    private AttributeValueJson() {
    }

    /** Writes an attribute map as a JSON object, in the map's own iteration order. */
    static void writeItem(Utf8JsonBuilder json, Map<String, AttributeValue> item, boolean canonicalNumbers) {
        json.beginObject();
        for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
            json.name(e.getKey());
            write(json, e.getValue(), canonicalNumbers);
        }
        json.endObject();
    }

    /**
     * Writes one typed value such as {"S":"x"}; canonicalNumbers rewrites N so 5, 5.0 and 5.00 look alike
     * (only wanted for keys: the value keeps DynamoDB's strings as returned).
     */
    static void write(Utf8JsonBuilder json, AttributeValue value, boolean canonicalNumbers) {
        json.beginObject();
        // A value with no member set (or one newer than this SDK) has nothing to show; {} keeps the record flowing.
        AttributeValue.Type type = value == null ? null : value.type();
        if (type != null) {
            switch (type) {
                case S -> json.name("S").string(value.s());
                case N -> json.name("N").string(canonicalNumbers ? canonicalNumber(value.n()) : value.n());
                case B -> writeBinary(json.name("B"), value.b());
                case SS -> writeStrings(json, "SS", value.ss(), false);
                case NS -> writeStrings(json, "NS", value.ns(), canonicalNumbers);
                case BS -> {
                    json.name("BS").beginArray();
                    for (SdkBytes b : value.bs()) {
                        writeBinary(json, b);
                    }
                    json.endArray();
                }
                case M -> writeItem(json.name("M"), value.m(), canonicalNumbers);
                case L -> {
                    json.name("L").beginArray();
                    for (AttributeValue element : value.l()) {
                        write(json, element, canonicalNumbers);
                    }
                    json.endArray();
                }
                case NUL -> json.name("NULL").bool(value.nul());
                case BOOL -> json.name("BOOL").bool(value.bool());
                default -> {
                    // UNKNOWN_TO_SDK_VERSION: see above
                }
            }
        }
        json.endObject();
    }

    /** One canonical spelling per number; an unparsable string is kept as is rather than failing the record. */
    static String canonicalNumber(String n) {
        if (n == null || isCanonical(n)) {
            return n;
        }
        try {
            BigDecimal d = new BigDecimal(n.trim());
            return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
        } catch (NumberFormatException e) {
            return n;
        }
    }

    /**
     * Whether the number is already spelled as {@link #canonicalNumber} would spell it: no sign but '-', no
     * exponent, no leading zero, no trailing fractional zero, not negative zero. Most keys are, and skipping
     * BigDecimal for them halves the cost of a numeric key.
     */
    static boolean isCanonical(String n) {
        int length = n.length();
        int i = n.startsWith("-") ? 1 : 0;
        if (i == length) {
            return false;
        }
        boolean zeroIntegerPart = n.charAt(i) == '0';
        if (zeroIntegerPart && i + 1 < length && n.charAt(i + 1) != '.') {
            return false;
        }
        int dot = -1;
        for (int p = i; p < length; p++) {
            char c = n.charAt(p);
            if (c == '.' && dot < 0) {
                dot = p;
            } else if (c < '0' || c > '9') {
                return false;
            }
        }
        if (dot < 0) {
            return !(zeroIntegerPart && i == 1);
        }
        return dot > i && dot < length - 1 && n.charAt(length - 1) != '0';
    }

    private static void writeStrings(Utf8JsonBuilder json, String field, List<String> values,
                                     boolean canonicalNumbers) {
        json.name(field).beginArray();
        for (String v : values) {
            json.string(canonicalNumbers ? canonicalNumber(v) : v);
        }
        json.endArray();
    }

    private static void writeBinary(Utf8JsonBuilder json, SdkBytes bytes) {
        if (bytes == null) {
            json.nullValue();
        } else {
            json.base64(bytes.asByteArrayUnsafe());
        }
    }
}
