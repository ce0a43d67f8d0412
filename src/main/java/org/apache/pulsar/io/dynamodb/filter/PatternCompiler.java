package org.apache.pulsar.io.dynamodb.filter;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Compiles one Lambda filter pattern (a JSON object) into matchers, rejecting what Lambda rejects. */
final class PatternCompiler {

    private static final String OPERATORS = "prefix, suffix, equals-ignore-case, wildcard, anything-but, numeric,"
            + " exists";

    private PatternCompiler() {
    }

    /** A pattern that cannot be compiled: what is wrong, and where (a dotted field path; empty at the top). */
    static final class InvalidPatternException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String path;

        InvalidPatternException(String path, String problem) {
            super(problem, null, false, false);
            this.path = path;
        }
    }

    /** The pattern's matcher; InvalidPatternException if Lambda would not take it. */
    static ObjectMatcher compile(JsonNode pattern) {
        if (!pattern.isObject()) {
            throw new InvalidPatternException("", "a pattern is a JSON object such as {\"eventName\": [\"INSERT\"]},"
                    + " not " + Excerpt.of(pattern, 40));
        }
        return object(pattern, "");
    }

    private static ObjectMatcher object(JsonNode node, String path) {
        if (node.isEmpty()) {
            throw new InvalidPatternException(path, "an empty object {} names no field to match");
        }
        List<String> names = new ArrayList<>();
        List<Condition> conditions = new ArrayList<>();
        List<List<ObjectMatcher>> orGroups = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String at = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
            JsonNode value = field.getValue();
            if (field.getKey().equals("$or")) {
                orGroups.add(orGroup(value, at));
            } else if (value.isObject()) {
                names.add(field.getKey());
                conditions.add(object(value, at));
            } else if (value.isArray()) {
                names.add(field.getKey());
                conditions.add(rules(value, at));
            } else {
                throw new InvalidPatternException(at, "a field takes a list of rules such as [\"INSERT\"] or an"
                        + " object of fields, not " + Excerpt.of(value, 40));
            }
        }
        return new ObjectMatcher(names, conditions, orGroups);
    }

    private static List<ObjectMatcher> orGroup(JsonNode value, String at) {
        if (!value.isArray() || value.size() < 2) {
            throw new InvalidPatternException(at, "$or takes a list of at least two patterns, e.g."
                    + " [{\"eventName\": [\"INSERT\"]}, {\"dynamodb\": {\"Keys\": {\"id\": {\"S\": [\"a\"]}}}}]");
        }
        List<ObjectMatcher> alternatives = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            String alternativeAt = at + "[" + (i + 1) + "]";
            if (!value.get(i).isObject()) {
                throw new InvalidPatternException(alternativeAt, "each $or alternative is a pattern object, not "
                        + Excerpt.of(value.get(i), 40));
            }
            alternatives.add(object(value.get(i), alternativeAt));
        }
        return alternatives;
    }

    private static LeafMatcher rules(JsonNode list, String at) {
        if (list.isEmpty()) {
            throw new InvalidPatternException(at, "an empty rule list [] matches nothing; list a value or a rule,"
                    + " e.g. [\"INSERT\"] or [{\"exists\": true}]");
        }
        List<ValueRule> rules = new ArrayList<>();
        boolean ifExists = false;
        boolean ifAbsent = false;
        for (JsonNode rule : list) {
            if (rule.isObject() && rule.size() == 1 && rule.has("exists")) {
                if (!rule.get("exists").isBoolean()) {
                    throw new InvalidPatternException(at, "exists takes true or false, not "
                            + Excerpt.of(rule.get("exists"), 40));
                }
                ifExists |= rule.get("exists").booleanValue();
                ifAbsent |= !rule.get("exists").booleanValue();
            } else {
                rules.add(rule(rule, at));
            }
        }
        return new LeafMatcher(rules, ifExists, ifAbsent);
    }

    private static ValueRule rule(JsonNode rule, String at) {
        if (rule.isTextual()) {
            return new ValueRule.StringEquals(rule.textValue());
        } else if (rule.isNumber()) {
            return new ValueRule.NumberEquals(numberText(rule));
        } else if (rule.isBoolean()) {
            return new ValueRule.BooleanEquals(rule.booleanValue());
        } else if (rule.isNull()) {
            return new ValueRule.NullEquals();
        } else if (!rule.isObject() || rule.size() != 1) {
            throw new InvalidPatternException(at, "a rule is a value (\"x\", 26, true, null) or an object with one"
                    + " operator (" + OPERATORS + "), not " + Excerpt.of(rule, 40));
        }
        String operator = rule.fieldNames().next();
        JsonNode operand = rule.get(operator);
        return switch (operator) {
            case "prefix" -> affix(operand, at, "prefix");
            case "suffix" -> affix(operand, at, "suffix");
            case "equals-ignore-case" -> new ValueRule.EqualsIgnoreCase(text(operand, at, operator));
            case "wildcard" -> new ValueRule.WildcardMatch(wildcard(text(operand, at, operator), at));
            case "anything-but" -> anythingBut(operand, at);
            case "numeric" -> NumericRange.compile(operand, at);
            case "cidr" -> throw new InvalidPatternException(at, "cidr (IP address matching) is not supported:"
                    + " a DynamoDB stream record has no IP address field");
            default -> throw new InvalidPatternException(at, "unknown operator \"" + operator + "\" (known: "
                    + OPERATORS + ")");
        };
    }

    /** prefix / suffix: a string, or {"equals-ignore-case": string}. */
    private static ValueRule affix(JsonNode operand, String at, String operator) {
        boolean ignoreCase = operand.isObject() && operand.size() == 1 && operand.has("equals-ignore-case");
        String text = text(ignoreCase ? operand.get("equals-ignore-case") : operand, at, operator);
        return operator.equals("prefix") ? new ValueRule.Prefix(text, ignoreCase)
                : new ValueRule.Suffix(text, ignoreCase);
    }

    private static ValueRule anythingBut(JsonNode operand, String at) {
        Set<String> strings = new LinkedHashSet<>();
        Set<String> numbers = new LinkedHashSet<>();
        if (operand.isTextual()) {
            strings.add(operand.textValue());
        } else if (operand.isNumber()) {
            numbers.add(numberText(operand));
        } else if (operand.isArray() && !operand.isEmpty()) {
            for (JsonNode value : operand) {
                if (value.isTextual() && numbers.isEmpty()) {
                    strings.add(value.textValue());
                } else if (value.isNumber() && strings.isEmpty()) {
                    numbers.add(numberText(value));
                } else {
                    throw new InvalidPatternException(at, "anything-but takes a list of strings or a list of"
                            + " numbers, not " + Excerpt.of(operand, 40));
                }
            }
        } else if (operand.isObject() && operand.size() == 1) {
            return new ValueRule.AnythingButMatch(excludedMatch(operand, at));
        } else {
            throw new InvalidPatternException(at, "anything-but takes a string, a number, a list of either, or"
                    + " {\"prefix\"|\"suffix\"|\"equals-ignore-case\"|\"wildcard\": ...}, not "
                    + Excerpt.of(operand, 40));
        }
        return new ValueRule.AnythingBut(Set.copyOf(strings), Set.copyOf(numbers));
    }

    private static ValueRule excludedMatch(JsonNode operand, String at) {
        String operator = operand.fieldNames().next();
        JsonNode value = operand.get(operator);
        return switch (operator) {
            case "prefix" -> new ValueRule.Prefix(text(value, at, "anything-but prefix"), false);
            case "suffix" -> new ValueRule.Suffix(text(value, at, "anything-but suffix"), false);
            case "wildcard" -> new ValueRule.WildcardMatch(wildcard(text(value, at, "anything-but wildcard"), at));
            case "equals-ignore-case" -> {
                if (!value.isArray()) {
                    yield new ValueRule.EqualsIgnoreCase(text(value, at, "anything-but equals-ignore-case"));
                }
                List<ValueRule> any = new ArrayList<>();
                for (JsonNode element : value) {
                    any.add(new ValueRule.EqualsIgnoreCase(text(element, at, "anything-but equals-ignore-case")));
                }
                if (any.isEmpty()) {
                    throw new InvalidPatternException(at, "anything-but equals-ignore-case takes a string or a"
                            + " non-empty list of strings");
                }
                List<ValueRule> excluded = List.copyOf(any);
                yield leaf -> excluded.stream().anyMatch(rule -> rule.test(leaf));
            }
            default -> throw new InvalidPatternException(at, "anything-but takes {\"prefix\"|\"suffix\"|"
                    + "\"equals-ignore-case\"|\"wildcard\": ...} as an object, not \"" + operator + "\"");
        };
    }

    private static Wildcard wildcard(String text, String at) {
        try {
            return Wildcard.compile(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidPatternException(at, e.getMessage());
        }
    }

    private static String text(JsonNode node, String at, String operator) {
        if (!node.isTextual()) {
            throw new InvalidPatternException(at, operator + " takes a string, not " + Excerpt.of(node, 40));
        }
        return node.textValue();
    }

    /** A pattern number's text: integers as digits, decimals as written (BigDecimal's form keeps 300.0 apart). */
    static String numberText(JsonNode number) {
        return number.isIntegralNumber() ? number.bigIntegerValue().toString() : number.decimalValue().toString();
    }

    /** A pattern number's exact value, never through a double. */
    static BigDecimal numberValue(JsonNode number) {
        return number.isIntegralNumber() ? new BigDecimal(number.bigIntegerValue()) : number.decimalValue();
    }
}
