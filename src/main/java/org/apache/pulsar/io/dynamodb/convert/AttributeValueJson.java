package org.apache.pulsar.io.dynamodb.convert;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
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
    static void writeItem(JsonGenerator gen, Map<String, AttributeValue> item, boolean canonicalNumbers)
            throws IOException {
        gen.writeStartObject();
        for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
            gen.writeFieldName(e.getKey());
            write(gen, e.getValue(), canonicalNumbers);
        }
        gen.writeEndObject();
    }

    /**
     * Writes one typed value such as {"S":"x"}; canonicalNumbers rewrites N so 5, 5.0 and 5.00 look alike
     * (only wanted for keys: the value keeps DynamoDB's strings as returned).
     */
    static void write(JsonGenerator gen, AttributeValue value, boolean canonicalNumbers) throws IOException {
        gen.writeStartObject();
        // A value with no member set (or one newer than this SDK) has nothing to show; {} keeps the record flowing.
        AttributeValue.Type type = value == null ? null : value.type();
        if (type != null) {
            switch (type) {
                case S -> gen.writeStringField("S", value.s());
                case N -> gen.writeStringField("N", canonicalNumbers ? canonicalNumber(value.n()) : value.n());
                case B -> {
                    gen.writeFieldName("B");
                    writeBinary(gen, value.b());
                }
                case SS -> writeStrings(gen, "SS", value.ss(), false);
                case NS -> writeStrings(gen, "NS", value.ns(), canonicalNumbers);
                case BS -> {
                    gen.writeArrayFieldStart("BS");
                    for (SdkBytes b : value.bs()) {
                        writeBinary(gen, b);
                    }
                    gen.writeEndArray();
                }
                case M -> {
                    gen.writeFieldName("M");
                    writeItem(gen, value.m(), canonicalNumbers);
                }
                case L -> {
                    gen.writeArrayFieldStart("L");
                    for (AttributeValue element : value.l()) {
                        write(gen, element, canonicalNumbers);
                    }
                    gen.writeEndArray();
                }
                case NUL -> gen.writeBooleanField("NULL", value.nul());
                case BOOL -> gen.writeBooleanField("BOOL", value.bool());
                default -> {
                    // UNKNOWN_TO_SDK_VERSION: see above
                }
            }
        }
        gen.writeEndObject();
    }

    /** One canonical spelling per number; an unparsable string is kept as is rather than failing the record. */
    static String canonicalNumber(String n) {
        if (n == null) {
            return null;
        }
        try {
            BigDecimal d = new BigDecimal(n.trim());
            return d.signum() == 0 ? "0" : d.stripTrailingZeros().toPlainString();
        } catch (NumberFormatException e) {
            return n;
        }
    }

    private static void writeStrings(JsonGenerator gen, String field, List<String> values, boolean canonicalNumbers)
            throws IOException {
        gen.writeArrayFieldStart(field);
        for (String v : values) {
            gen.writeString(canonicalNumbers ? canonicalNumber(v) : v);
        }
        gen.writeEndArray();
    }

    private static void writeBinary(JsonGenerator gen, SdkBytes bytes) throws IOException {
        if (bytes == null) {
            gen.writeNull();
            return;
        }
        // MIME_NO_LINEFEEDS is standard Base64 (+/ alphabet, = padding) without line breaks; no copy of the bytes.
        byte[] raw = bytes.asByteArrayUnsafe();
        gen.writeBinary(Base64Variants.MIME_NO_LINEFEEDS, raw, 0, raw.length);
    }
}
