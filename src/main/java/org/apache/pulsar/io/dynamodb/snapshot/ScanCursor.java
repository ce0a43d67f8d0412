package org.apache.pulsar.io.dynamodb.snapshot;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Where a segment's Scan resumes, as stored in the snapshot table: a Scan page's LastEvaluatedKey as typed JSON
 * ({@code {"id":{"S":"a"}}}, key attributes are S, N or B; N kept as DynamoDB wrote it), or {@link #END} once the
 * segment's last page is behind.
 */
final class ScanCursor {

    /** The position after a segment's last page. */
    static final String END = "END";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ScanCursor() {
    }

    /** The cursor after a page: its LastEvaluatedKey, or END when it has none (the segment's last page). */
    static String after(Map<String, AttributeValue> lastEvaluatedKey) {
        if (lastEvaluatedKey == null || lastEvaluatedKey.isEmpty()) {
            return END;
        }
        ObjectNode json = JSON.createObjectNode();
        for (Map.Entry<String, AttributeValue> attribute : lastEvaluatedKey.entrySet()) {
            AttributeValue value = attribute.getValue();
            ObjectNode typed = json.putObject(attribute.getKey());
            switch (value.type()) {
                case S -> typed.put("S", value.s());
                case N -> typed.put("N", value.n());
                case B -> typed.put("B", Base64.getEncoder().encodeToString(value.b().asByteArray()));
                default -> throw new IllegalArgumentException("a Scan's LastEvaluatedKey holds key attributes (S, N"
                        + " or B), but " + attribute.getKey() + " is " + value.type());
            }
        }
        return json.toString();
    }

    /** The ExclusiveStartKey a stored cursor stands for: null for the segment's start (no cursor) and for END. */
    static Map<String, AttributeValue> startKey(String cursor) {
        if (cursor == null || END.equals(cursor)) {
            return null;
        }
        JsonNode json;
        try {
            json = JSON.readTree(cursor);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Unreadable snapshot cursor " + cursor, e);
        }
        Map<String, AttributeValue> key = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> attribute = it.next();
            JsonNode typed = attribute.getValue();
            AttributeValue value;
            if (typed.has("S")) {
                value = AttributeValue.fromS(typed.get("S").asText());
            } else if (typed.has("N")) {
                value = AttributeValue.fromN(typed.get("N").asText());
            } else if (typed.has("B")) {
                byte[] bytes = Base64.getDecoder().decode(typed.get("B").asText());
                value = AttributeValue.fromB(SdkBytes.fromByteArray(bytes));
            } else {
                throw new IllegalStateException("Unreadable snapshot cursor " + cursor);
            }
            key.put(attribute.getKey(), value);
        }
        return key;
    }
}
