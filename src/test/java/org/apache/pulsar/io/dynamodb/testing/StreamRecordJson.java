package org.apache.pulsar.io.dynamodb.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Identity;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

/**
 * Builds SDK stream records from the JSON a Lambda function receives for one (as AWS's documentation shows them),
 * so tests can state records as the documentation does. ApproximateCreationDateTime is epoch seconds, as in Lambda.
 */
public final class StreamRecordJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private StreamRecordJson() {
    }

    /** The SDK record for a Lambda-shaped JSON record; unknown fields fail the test that wrote them. */
    public static Record record(String json) {
        JsonNode node = parse(json);
        Record.Builder record = Record.builder();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode v = field.getValue();
            switch (field.getKey()) {
                case "eventID" -> record.eventID(v.textValue());
                case "eventName" -> record.eventName(v.textValue());
                case "eventVersion" -> record.eventVersion(v.textValue());
                case "eventSource" -> record.eventSource(v.textValue());
                case "awsRegion" -> record.awsRegion(v.textValue());
                case "userIdentity" -> record.userIdentity(Identity.builder()
                        .type(v.path("type").textValue()).principalId(v.path("principalId").textValue()).build());
                case "dynamodb" -> record.dynamodb(stream(v));
                default -> throw new AssertionError("not a field of a stream record here: " + field.getKey());
            }
        }
        return record.build();
    }

    private static StreamRecord stream(JsonNode node) {
        StreamRecord.Builder stream = StreamRecord.builder();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode v = field.getValue();
            switch (field.getKey()) {
                case "ApproximateCreationDateTime" -> {
                    BigDecimal seconds = new BigDecimal(v.asText());
                    stream.approximateCreationDateTime(Instant.ofEpochSecond(seconds.longValue(),
                            seconds.remainder(BigDecimal.ONE).movePointRight(9).intValue()));
                }
                case "Keys" -> stream.keys(item(v));
                case "NewImage" -> stream.newImage(item(v));
                case "OldImage" -> stream.oldImage(item(v));
                case "SequenceNumber" -> stream.sequenceNumber(v.textValue());
                case "SizeBytes" -> stream.sizeBytes(v.longValue());
                case "StreamViewType" -> stream.streamViewType(v.textValue());
                default -> throw new AssertionError("not a field of dynamodb here: " + field.getKey());
            }
        }
        return stream.build();
    }

    /** A typed JSON item such as {"id": {"S": "a"}} as attribute values. */
    public static Map<String, AttributeValue> item(JsonNode object) {
        Map<String, AttributeValue> map = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            map.put(e.getKey(), value(e.getValue()));
        }
        return map;
    }

    /** One typed JSON value such as {"N": "30"} as an attribute value. */
    public static AttributeValue value(JsonNode typed) {
        if (typed.size() != 1) {
            throw new AssertionError("typed value must have exactly one member: " + typed);
        }
        Map.Entry<String, JsonNode> e = typed.fields().next();
        JsonNode v = e.getValue();
        return switch (e.getKey()) {
            case "S" -> AttributeValue.fromS(v.textValue());
            case "N" -> AttributeValue.fromN(v.textValue());
            case "B" -> AttributeValue.fromB(SdkBytes.fromByteArray(Base64.getDecoder().decode(v.textValue())));
            case "SS" -> AttributeValue.fromSs(texts(v));
            case "NS" -> AttributeValue.fromNs(texts(v));
            case "BS" -> AttributeValue.fromBs(texts(v).stream()
                    .map(t -> SdkBytes.fromByteArray(Base64.getDecoder().decode(t))).toList());
            case "M" -> AttributeValue.fromM(item(v));
            case "L" -> {
                List<AttributeValue> list = new ArrayList<>();
                v.forEach(x -> list.add(value(x)));
                yield AttributeValue.fromL(list);
            }
            case "NULL" -> AttributeValue.fromNul(v.booleanValue());
            case "BOOL" -> AttributeValue.fromBool(v.booleanValue());
            default -> throw new AssertionError("unknown type " + e.getKey());
        };
    }

    private static List<String> texts(JsonNode v) {
        List<String> out = new ArrayList<>();
        v.forEach(x -> out.add(x.textValue()));
        return out;
    }

    private static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
