package org.apache.pulsar.io.dynamodb.filter;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Identity;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

/**
 * Reads a stream record field by field as the JSON Lambda matches filters against, straight from the SDK model, so
 * nothing is serialised. A node is an object (the record, its {@code dynamodb}, {@code userIdentity}, an attribute
 * map or a typed attribute value), an array ({@link List}) or a leaf: a JSON string ({@link String}; binaries as
 * Base64), a JSON number ({@link BigDecimal}) or a JSON boolean ({@link Boolean}). Stream records hold no JSON null.
 */
final class RecordTree {

    /** What a field the record does not have reads as; also every field below a leaf. */
    static final Object MISSING = new Object() {
        @Override
        public String toString() {
            return "MISSING";
        }
    };

    private RecordTree() {
    }

    /** The named field of an object node; {@link #MISSING} if there is none or the node is no object. */
    static Object child(Object node, String name) {
        // the model's final classes first: checking an interface (Map) costs more, most when it fails
        Object child;
        if (node instanceof AttributeValue value) {
            child = typed(value, name);
        } else if (node instanceof StreamRecord stream) {
            child = streamField(stream, name);
        } else if (node instanceof Record record) {
            child = recordField(record, name);
        } else if (node instanceof Identity identity) {
            child = identityField(identity, name);
        } else if (node instanceof String || node == MISSING) {
            child = null;
        } else if (node instanceof Map<?, ?> attributes) {
            child = attributes.get(name);
        } else {
            child = null;
        }
        return child == null ? MISSING : child;
    }

    /** Whether the node is an array, ruling out the common final classes before the interface check. */
    static boolean isArray(Object node) {
        if (node instanceof AttributeValue || node instanceof String || node instanceof StreamRecord
                || node instanceof Record || node == MISSING) {
            return false;
        }
        return node instanceof List<?>;
    }

    /** The node as a leaf value (String, BigDecimal or Boolean), or null when it is an object or missing. */
    static Object leaf(Object node) {
        if (node instanceof String || node instanceof BigDecimal || node instanceof Boolean) {
            return node;
        }
        if (node instanceof SdkBytes bytes) {
            // Lambda's JSON carries binaries as standard Base64 text
            return Base64.getEncoder().encodeToString(bytes.asByteArrayUnsafe());
        }
        return null;
    }

    /** A typed value reads as an object with one member named for its type: {"S": "x"}, {"L": [...]}. */
    private static Object typed(AttributeValue value, String type) {
        return switch (type) {
            case "S" -> value.s();
            case "N" -> value.n();
            case "BOOL" -> value.bool();
            case "M" -> value.hasM() ? value.m() : null;
            case "L" -> value.hasL() ? value.l() : null;
            case "B" -> value.b();
            case "SS" -> value.hasSs() ? value.ss() : null;
            case "NS" -> value.hasNs() ? value.ns() : null;
            case "BS" -> value.hasBs() ? value.bs() : null;
            case "NULL" -> value.nul();
            default -> null;
        };
    }

    private static Object recordField(Record record, String name) {
        return switch (name) {
            case "dynamodb" -> record.dynamodb();
            case "eventName" -> record.eventNameAsString();
            case "eventID" -> record.eventID();
            case "eventSource" -> record.eventSource();
            case "eventVersion" -> record.eventVersion();
            case "awsRegion" -> record.awsRegion();
            case "userIdentity" -> record.userIdentity();
            default -> null;  // eventSourceARN: the SDK record does not carry the stream's ARN
        };
    }

    private static Object streamField(StreamRecord stream, String name) {
        return switch (name) {
            // an empty image reads as absent, as in the published JSON: a real image holds at least the key
            case "NewImage" -> stream.hasNewImage() && !stream.newImage().isEmpty() ? stream.newImage() : null;
            case "OldImage" -> stream.hasOldImage() && !stream.oldImage().isEmpty() ? stream.oldImage() : null;
            case "Keys" -> stream.hasKeys() && !stream.keys().isEmpty() ? stream.keys() : null;
            case "SequenceNumber" -> stream.sequenceNumber();
            case "SizeBytes" -> stream.sizeBytes() == null ? null : BigDecimal.valueOf(stream.sizeBytes());
            case "StreamViewType" -> stream.streamViewTypeAsString();
            case "ApproximateCreationDateTime" -> epochSeconds(stream.approximateCreationDateTime());
            default -> null;
        };
    }

    private static Object identityField(Identity identity, String name) {
        return switch (name) {
            case "type" -> identity.type();
            case "principalId" -> identity.principalId();
            default -> null;
        };
    }

    /** Lambda gives ApproximateCreationDateTime as a JSON number of epoch seconds; exact, fraction only if any. */
    static BigDecimal epochSeconds(Instant time) {
        if (time == null) {
            return null;
        }
        BigDecimal seconds = BigDecimal.valueOf(time.getEpochSecond());
        return time.getNano() == 0 ? seconds : seconds.add(BigDecimal.valueOf(time.getNano(), 9)).stripTrailingZeros();
    }
}
