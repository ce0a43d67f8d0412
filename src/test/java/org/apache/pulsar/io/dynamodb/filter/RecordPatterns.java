package org.apache.pulsar.io.dynamodb.filter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.pulsar.io.dynamodb.convert.StreamRecordJsonWriter;
import org.apache.pulsar.io.dynamodb.testing.RandomItems;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

/**
 * Random stream records (items of every attribute type from {@link RandomItems}) and filter patterns drawn from
 * them: a record's leaf paths and values are read from its JSON as the connector publishes it, the shape Lambda
 * matches. Seeded, so a failing property repeats.
 */
final class RecordPatterns {

    static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Random random;
    private final RandomItems items;
    private final Map<Record, Map<List<String>, Leaves>> pathsOf = new IdentityHashMap<>();

    RecordPatterns(long seed) {
        this.random = new Random(seed);
        this.items = new RandomItems(seed + 1);
    }

    /** The leaf values at one path of a record's JSON, arrays crushed; whether the path crosses an array. */
    record Leaves(List<JsonNode> values, boolean throughArray) {
    }

    /** The generator's own seeded Random, for tests that draw more. */
    Random random() {
        return random;
    }

    /** A record of event i: INSERT, MODIFY or REMOVE of a random item, with a random size and time. */
    Record randomRecord(int i) {
        Map<String, AttributeValue> image = items.item("id" + i);
        String event = List.of("INSERT", "MODIFY", "REMOVE").get(random.nextInt(3));
        StreamRecord.Builder stream = StreamRecord.builder()
                .keys(Map.of("id", image.get("id")))
                .sequenceNumber(String.format("%021d", i))
                .sizeBytes(random.nextInt(4) == 0 ? random.nextLong() : random.nextInt(400_000))
                .streamViewType("NEW_AND_OLD_IMAGES")
                .approximateCreationDateTime(Instant.ofEpochMilli(1_700_000_000_000L + random.nextInt(1 << 30)));
        if (!event.equals("REMOVE")) {
            stream.newImage(image);
        }
        if (!event.equals("INSERT")) {
            stream.oldImage(event.equals("REMOVE") ? image : items.item("id" + i));
        }
        return Record.builder().eventID("ev" + i).eventName(event).eventVersion("1.1").eventSource("aws:dynamodb")
                .awsRegion(random.nextBoolean() ? "eu-west-1" : "us-east-1").dynamodb(stream.build()).build();
    }

    /** The record's JSON as published, without ApproximateCreationDateTime (milliseconds there, seconds to Lambda). */
    Map<List<String>, Leaves> leafPaths(Record record) {
        return pathsOf.computeIfAbsent(record, RecordPatterns::readLeafPaths);
    }

    private static Map<List<String>, Leaves> readLeafPaths(Record record) {
        JsonNode json;
        try {
            json = MAPPER.readTree(StreamRecordJsonWriter.write(record));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ((ObjectNode) json.get("dynamodb")).remove("ApproximateCreationDateTime");
        Map<List<String>, Leaves> paths = new LinkedHashMap<>();
        collect(json, List.of(), false, paths);
        return paths;
    }

    private static void collect(JsonNode node, List<String> path, boolean throughArray,
                                Map<List<String>, Leaves> paths) {
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> {
                List<String> below = new ArrayList<>(path);
                below.add(field.getKey());
                collect(field.getValue(), List.copyOf(below), throughArray, paths);
            });
        } else if (node.isArray()) {
            node.forEach(element -> collect(element, path, true, paths));
        } else {
            Leaves leaves = paths.get(path);
            List<JsonNode> values = leaves == null ? new ArrayList<>() : new ArrayList<>(leaves.values());
            values.add(node);
            paths.put(path, new Leaves(values, throughArray || (leaves != null && leaves.throughArray())));
        }
    }

    /** A one-field pattern with a random rule, from this record's values or mutations of them. */
    ObjectNode randomPattern(Record record) {
        Map.Entry<List<String>, Leaves> field = pick(new ArrayList<>(leafPaths(record).entrySet()));
        ObjectNode pattern = rule(field.getKey(), randomRule(field.getValue()));
        if (random.nextBoolean()) {
            merge(pattern, rule(List.of("eventName"), NODES.textNode(random.nextBoolean() ? "INSERT" : "MODIFY")));
        }
        return pattern;
    }

    JsonNode randomRule(Leaves leaves) {
        JsonNode value = pick(leaves.values());
        return switch (random.nextInt(6)) {
            case 0 -> value;
            case 1 -> mutated(value);
            case 2 -> value.isBoolean() ? value : anythingBut(random.nextBoolean() ? value : mutated(value));
            case 3 -> value.isTextual() ? op("prefix", value.textValue().substring(0,
                    cutPoint(value.textValue()))) : value;
            case 4 -> exists(random.nextBoolean());
            default -> value.isNumber() ? numeric(random.nextBoolean() ? ">" : "<=", value.decimalValue()) : value;
        };
    }

    static ObjectNode rule(List<String> path, JsonNode rule) {
        return rules(path, NODES.arrayNode().add(rule));
    }

    static ObjectNode rules(List<String> path, ArrayNode rules) {
        JsonNode node = rules;
        for (int i = path.size() - 1; i >= 0; i--) {
            ObjectNode parent = NODES.objectNode();
            parent.set(path.get(i), node);
            node = parent;
        }
        return (ObjectNode) node;
    }

    /** Adds the other pattern's fields; false (nothing added) where a field would replace a rule list. */
    static boolean merge(ObjectNode into, JsonNode from) {
        boolean added = false;
        for (var it = from.fields(); it.hasNext(); ) {
            var field = it.next();
            JsonNode existing = into.get(field.getKey());
            if (existing == null) {
                into.set(field.getKey(), field.getValue().deepCopy());
                added = true;
            } else if (existing.isObject() && field.getValue().isObject()) {
                added |= merge((ObjectNode) existing, field.getValue());
            }
        }
        return added;
    }

    static JsonNode mutated(JsonNode value) {
        if (value.isTextual()) {
            return NODES.textNode(value.textValue() + "~");
        } else if (value.isNumber()) {
            return NODES.numberNode(value.decimalValue().add(BigDecimal.ONE));
        }
        return NODES.booleanNode(!value.booleanValue());
    }

    static JsonNode anythingBut(JsonNode value) {
        return NODES.objectNode().set("anything-but", value);
    }

    static JsonNode op(String operator, String operand) {
        return NODES.objectNode().put(operator, operand);
    }

    static JsonNode exists(boolean exists) {
        return NODES.objectNode().put("exists", exists);
    }

    static JsonNode numeric(String operator, BigDecimal bound) {
        ObjectNode numeric = NODES.objectNode();
        numeric.putArray("numeric").add(operator).add(bound);
        return numeric;
    }

    static boolean accepts(JsonNode pattern, Record record) {
        return LambdaFilterCriteria.parse(pattern.toString()).accepts(record);
    }

    /** A random place in the string that does not split a surrogate pair. */
    int cutPoint(String s) {
        int cut = random.nextInt(s.length() + 1);
        return cut > 0 && cut < s.length() && Character.isLowSurrogate(s.charAt(cut)) ? cut - 1 : cut;
    }

    static String swapCase(String s) {
        StringBuilder swapped = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            swapped.append(Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
        }
        return swapped.toString();
    }

    static String escapeWildcard(String s) {
        return s.replace("\\", "\\\\").replace("*", "\\*");
    }

    <T> T pick(List<T> list) {
        return list.get(random.nextInt(list.size()));
    }
}
