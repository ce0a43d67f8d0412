package org.apache.pulsar.io.dynamodb.filter;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import org.apache.pulsar.io.dynamodb.filter.PatternCompiler.InvalidPatternException;

/**
 * Compiles {"numeric": [...]}: ["=", 100], one bound ["<", 10], or a lower and an upper bound
 * [">", 10, "<=", 20]. Bounds keep the exact decimal written; Lambda documents no range or precision limit here.
 */
final class NumericRange {

    private static final String USAGE = "numeric takes [\"=\", 100], one bound such as [\">=\", 10], or a lower and"
            + " an upper bound such as [\">\", 10, \"<=\", 20]";

    private NumericRange() {
    }

    static ValueRule.Numeric compile(JsonNode operand, String at) {
        if (!operand.isArray() || (operand.size() != 2 && operand.size() != 4)) {
            throw invalid(at, operand, "");
        }
        BigDecimal lower = null;
        BigDecimal upper = null;
        boolean lowerInclusive = false;
        boolean upperInclusive = false;
        for (int i = 0; i < operand.size(); i += 2) {
            JsonNode operator = operand.get(i);
            JsonNode number = operand.get(i + 1);
            if (!operator.isTextual()) {
                throw invalid(at, operand, "operators are strings (=, <, <=, >, >=); ");
            }
            if (!number.isNumber()) {
                throw invalid(at, operand, "bounds are JSON numbers, not strings; ");
            }
            BigDecimal value = PatternCompiler.numberValue(number);
            switch (operator.textValue()) {
                case "=" -> {
                    if (operand.size() != 2) {
                        throw invalid(at, operand, "\"=\" stands alone; ");
                    }
                    return new ValueRule.Numeric(value, true, value, true);
                }
                case ">", ">=" -> {
                    if (lower != null) {
                        throw invalid(at, operand, "two lower bounds; ");
                    }
                    lower = value;
                    lowerInclusive = operator.textValue().equals(">=");
                }
                case "<", "<=" -> {
                    if (upper != null) {
                        throw invalid(at, operand, "two upper bounds; ");
                    }
                    upper = value;
                    upperInclusive = operator.textValue().equals("<=");
                }
                default -> throw invalid(at, operand, "unknown operator \"" + operator.textValue() + "\"; ");
            }
        }
        if (lower != null && upper != null) {
            int c = lower.compareTo(upper);
            if (c > 0 || (c == 0 && !(lowerInclusive && upperInclusive))) {
                throw invalid(at, operand, "the range holds no number; ");
            }
        }
        return new ValueRule.Numeric(lower, lowerInclusive, upper, upperInclusive);
    }

    private static InvalidPatternException invalid(String at, JsonNode operand, String problem) {
        return new InvalidPatternException(at, problem + USAGE + "; got " + Excerpt.of(operand, 40));
    }
}
