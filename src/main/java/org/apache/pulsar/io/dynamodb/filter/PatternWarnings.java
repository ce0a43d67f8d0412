package org.apache.pulsar.io.dynamodb.filter;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the parts of a valid pattern that can never match a DynamoDB stream record, as Lambda would silently let
 * them: a field the record lacks, a rule placed on a typed attribute instead of its type, {@code numeric} on a
 * DynamoDB number (a string in the record). The pattern still works as in Lambda; the warnings only say why a user
 * may see nothing pass.
 */
final class PatternWarnings {

    private static final List<String> RECORD_FIELDS =
            List.of("eventID", "eventName", "eventVersion", "eventSource", "awsRegion", "dynamodb", "userIdentity");
    private static final List<String> STREAM_FIELDS = List.of("ApproximateCreationDateTime", "Keys", "NewImage",
            "OldImage", "SequenceNumber", "SizeBytes", "StreamViewType");
    private static final List<String> IMAGES = List.of("Keys", "NewImage", "OldImage");
    private static final List<String> TYPES = List.of("S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS");

    /** Where a pattern object sits in the record: which names its fields may have. */
    private enum Level { RECORD, STREAM, ATTRIBUTES, TYPED, OTHER }

    private final Set<String> warnings = new LinkedHashSet<>();

    private PatternWarnings() {
    }

    /** One line per part of a compiled (so valid) pattern that never matches; empty if none. */
    static List<String> of(JsonNode pattern) {
        PatternWarnings found = new PatternWarnings();
        found.object(pattern, Level.RECORD, "");
        return List.copyOf(found.warnings);
    }

    private void object(JsonNode node, Level level, String path) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            JsonNode value = field.getValue();
            String at = path.isEmpty() ? name : path + "." + name;
            if (name.equals("$or")) {
                value.forEach(alternative -> object(alternative, level, at));
                continue;
            }
            Level below = fieldLevel(level, name, value, at);
            if (value.isObject()) {
                object(value, below, at);
            } else {
                rules(value, name, at);
            }
        }
    }

    /** Checks the field's name at this level and says at which level its own fields are. */
    private Level fieldLevel(Level level, String name, JsonNode value, String at) {
        switch (level) {
            case RECORD -> {
                if (name.equals("eventSourceARN")) {
                    warn(at, "the stream records this connector reads do not carry eventSourceARN, so it is always"
                            + " absent");
                } else if (!RECORD_FIELDS.contains(name)) {
                    warn(at, "a DynamoDB stream record has no field " + name + " (it has "
                            + String.join(", ", RECORD_FIELDS) + ")");
                }
                return name.equals("dynamodb") ? Level.STREAM : Level.OTHER;
            }
            case STREAM -> {
                if (!STREAM_FIELDS.contains(name)) {
                    warn(at, "a stream record's dynamodb has no field " + name + " (it has "
                            + String.join(", ", STREAM_FIELDS) + ")");
                }
                if (IMAGES.contains(name) && !value.isObject()) {
                    warn(at, name + " is a map of attributes: match one as {\"attribute\": {\"S\": [\"x\"]}}");
                }
                return IMAGES.contains(name) ? Level.ATTRIBUTES : Level.OTHER;
            }
            case ATTRIBUTES -> {
                if (!value.isObject()) {
                    warn(at, "an attribute's value is typed, such as {\"S\": \"x\"}: rules directly on it never"
                            + " match (write {\"S\": [...]})");
                }
                return Level.TYPED;
            }
            case TYPED -> {
                if (!TYPES.contains(name)) {
                    warn(at, name + " is not a DynamoDB type (" + String.join(", ", TYPES) + ")");
                }
                return name.equals("M") ? Level.ATTRIBUTES : name.equals("L") ? Level.TYPED : Level.OTHER;
            }
            default -> {
                return Level.OTHER;
            }
        }
    }

    private void rules(JsonNode rules, String name, String at) {
        for (JsonNode rule : rules) {
            if (rule.isNull()) {
                warn(at, "null never matches: a stream record holds no JSON null (DynamoDB's NULL type reads as"
                        + " {\"NULL\": [true]})");
            }
            boolean number = rule.isNumber() || rule.has("numeric")
                    || (rule.has("anything-but") && isNumeric(rule.get("anything-but")));
            if (number && (name.equals("N") || name.equals("NS"))) {
                warn(at, "a DynamoDB number is a string in the stream record ({\"N\": \"30\"}): as in Lambda, a"
                        + " JSON number or numeric never matches it (and anything-but numbers passes it); match the"
                        + " string instead, e.g. [\"30\"]");
            }
        }
    }

    private static boolean isNumeric(JsonNode operand) {
        return operand.isNumber() || (operand.isArray() && operand.size() > 0 && operand.get(0).isNumber());
    }

    private void warn(String at, String problem) {
        warnings.add(at + ": " + problem);
    }
}
