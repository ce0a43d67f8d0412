package org.apache.pulsar.io.dynamodb.filter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads the {@code filterCriteria} value in the shapes Lambda users have (Lambda's FilterCriteria object, a list of
 * patterns, one pattern; as JSON text or as the maps and lists YAML or pulsar-admin make of it) and splits it into
 * patterns, numbered from 1 in the order given.
 */
final class FilterInput {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Keeps numbers as written (300.0 stays 300.0); a duplicate key keeps its last value, as Lambda documents. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    private FilterInput() {
    }

    /** One pattern as given: its JSON, or its text and why that is not JSON. */
    record PatternSource(int number, JsonNode json, String text, String jsonError) {
    }

    /** The patterns of a filterCriteria value; IllegalArgumentException (one line) if it has none or no shape. */
    static List<PatternSource> patterns(Object value) {
        JsonNode root = tree(value);
        if (root.isTextual()) {
            root = tree(root.textValue());  // JSON given as a JSON string, as Pattern is
        }
        List<PatternSource> sources = new ArrayList<>();
        if (root.isObject() && (root.has("Filters") || root.has("filters"))) {
            filtersOf(root).forEach(filter -> sources.add(ofFilterEntry(sources.size() + 1, filter)));
        } else if (root.isArray()) {
            root.forEach(element -> sources.add(element.isObject() && isFilterEntry(element)
                    ? ofFilterEntry(sources.size() + 1, element) : of(sources.size() + 1, element)));
        } else if (root.isObject()) {
            sources.add(of(1, root));
        } else {
            throw new IllegalArgumentException("filterCriteria is " + Excerpt.of(root, 40) + ", not Lambda's"
                    + " FilterCriteria {\"Filters\": [{\"Pattern\": \"...\"}]}, a list of patterns or a pattern");
        }
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("filterCriteria has no pattern; leave filterCriteria out to publish"
                    + " every record");
        }
        return sources;
    }

    private static JsonNode filtersOf(JsonNode criteria) {
        String key = criteria.has("Filters") ? "Filters" : "filters";
        for (Iterator<String> names = criteria.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals(key)) {
                throw new IllegalArgumentException("filterCriteria has \"" + name + "\" next to \"" + key
                        + "\"; Lambda's FilterCriteria has only Filters");
            }
        }
        JsonNode filters = criteria.get(key);
        if (!filters.isArray()) {
            throw new IllegalArgumentException("filterCriteria " + key + " is " + Excerpt.of(filters, 40)
                    + ", not a list such as [{\"Pattern\": \"{\\\"eventName\\\": [\\\"INSERT\\\"]}\"}]");
        }
        return filters;
    }

    /** An entry of Filters: {"Pattern": "<JSON text>"} as Lambda's API has it, or with the pattern as an object. */
    private static PatternSource ofFilterEntry(int number, JsonNode filter) {
        if (!filter.isObject() || !isFilterEntry(filter)) {
            return new PatternSource(number, null, filter.toString(), "a Filters entry is {\"Pattern\": ...}");
        }
        return of(number, filter.elements().next());
    }

    private static boolean isFilterEntry(JsonNode node) {
        return node.size() == 1 && (node.has("Pattern") || node.has("pattern"));
    }

    /** A pattern given as an object, or as JSON text (parsed here; its error kept to report with its number). */
    private static PatternSource of(int number, JsonNode pattern) {
        if (!pattern.isTextual()) {
            return new PatternSource(number, pattern, null, null);
        }
        try {
            return new PatternSource(number, parse(pattern.textValue()), null, null);
        } catch (IllegalArgumentException e) {
            return new PatternSource(number, null, pattern.textValue(), e.getMessage());
        }
    }

    /** JSON text to a tree; IllegalArgumentException with Jackson's reason on one line. */
    static JsonNode parse(String text) {
        if (text.isBlank()) {
            throw new IllegalArgumentException("not JSON: the text is empty");
        }
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
            // Jackson names its (redacted) source inside some messages: leave that out
            String reason = e.getOriginalMessage().startsWith("Trailing token") ? "more text follows the JSON value"
                    : e.getOriginalMessage().replaceAll("\\[Source: [^;\\]]*; ", "[");
            throw new IllegalArgumentException("not JSON: " + Excerpt.of(reason, 160) + where);
        }
    }

    /** The value as a JSON tree: text is parsed; maps, lists, strings, numbers and booleans are taken as they are. */
    private static JsonNode tree(Object value) {
        if (value == null || (value instanceof String s && s.isBlank())) {
            throw new IllegalArgumentException("filterCriteria is empty; leave it out to publish every record");
        }
        if (value instanceof String text) {
            try {
                return parse(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("filterCriteria (" + Excerpt.of(text, 60) + ") is "
                        + e.getMessage());
            }
        }
        return toNode(value);
    }

    /**
     * Converts what YAML or pulsar-admin parsed. A floating-point number that is whole counts as an integer
     * (pulsar-admin's JSON reader turns 26 into 26.0); others keep their decimal digits, never a binary value.
     */
    private static JsonNode toNode(Object value) {
        if (value == null) {
            return NODES.nullNode();
        } else if (value instanceof JsonNode node) {
            return node;
        } else if (value instanceof String s) {
            return NODES.textNode(s);
        } else if (value instanceof Boolean b) {
            return NODES.booleanNode(b);
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short
                || value instanceof Byte) {
            return NODES.numberNode(((Number) value).longValue());
        } else if (value instanceof BigInteger b) {
            return NODES.numberNode(b);
        } else if (value instanceof BigDecimal d) {
            return DecimalNode.valueOf(d);
        } else if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (!Double.isFinite(d)) {
                throw new IllegalArgumentException("filterCriteria holds " + value + ", which is no JSON number");
            }
            BigDecimal decimal = new BigDecimal(value.toString());
            return decimal.stripTrailingZeros().scale() <= 0 ? NODES.numberNode(decimal.toBigIntegerExact())
                    : DecimalNode.valueOf(decimal);
        } else if (value instanceof Map<?, ?> map) {
            ObjectNode object = NODES.objectNode();
            map.forEach((k, v) -> object.set(String.valueOf(k), toNode(v)));
            return object;
        } else if (value instanceof Collection<?> list) {
            ArrayNode array = NODES.arrayNode();
            list.forEach(v -> array.add(toNode(v)));
            return array;
        }
        throw new IllegalArgumentException("filterCriteria holds a " + value.getClass().getSimpleName()
                + ", which is no JSON value");
    }
}
