package org.apache.pulsar.io.dynamodb.filter;

import java.math.BigDecimal;
import java.util.Set;

/**
 * One rule of a field's rule list, tested against a leaf value: a String, a BigDecimal (a JSON number; its text is
 * {@link BigDecimal#toPlainString()}) or a Boolean. Strings and numbers never equal each other, as in Lambda: a
 * DynamoDB number is the string in {"N": "30"}.
 */
interface ValueRule {

    /** Whether the leaf satisfies the rule. */
    boolean test(Object leaf);

    /** "x": the string itself, character for character. */
    record StringEquals(String value) implements ValueRule {
        @Override
        public boolean test(Object leaf) {
            return value.equals(leaf);
        }
    }

    /**
     * 26: a JSON number spelled the same way. Lambda documents that numbers match by their text (300, 300.0 and
     * 3.0e2 differ); {@code numeric} compares values.
     */
    record NumberEquals(String text) implements ValueRule {
        @Override
        public boolean test(Object leaf) {
            return leaf instanceof BigDecimal number && number.toPlainString().equals(text);
        }
    }

    /** true / false: a JSON boolean. */
    record BooleanEquals(boolean value) implements ValueRule {
        @Override
        public boolean test(Object leaf) {
            return leaf instanceof Boolean b && b == value;
        }
    }

    /** null: a JSON null, which no stream record holds (DynamoDB's NULL type is {"NULL": true}). */
    record NullEquals() implements ValueRule {
        @Override
        public boolean test(Object leaf) {
            return false;
        }
    }

    /** {"prefix": "us-"}, optionally ignoring case; strings only. */
    record Prefix(String prefix, boolean ignoreCase) implements ValueRule {
        @Override
        public boolean test(Object leaf) {
            return leaf instanceof String s && s.regionMatches(ignoreCase, 0, prefix, 0, prefix.length());
        }
    }

    /** {"suffix": ".png"}, optionally ignoring case; strings only. */
    record Suffix(String suffix, boolean ignoreCase) implements ValueRule {
        @Override
        public boolean test(Object leaf) {
            return leaf instanceof String s && s.length() >= suffix.length()
                    && s.regionMatches(ignoreCase, s.length() - suffix.length(), suffix, 0, suffix.length());
        }
    }

    /** {"equals-ignore-case": "alice"}; strings only. */
    record EqualsIgnoreCase(String value) implements ValueRule {
        @Override
        public boolean test(Object leaf) {
            return leaf instanceof String s && s.equalsIgnoreCase(value);
        }
    }

    /** {"wildcard": "order#*#2026"}; strings only. */
    record WildcardMatch(Wildcard wildcard) implements ValueRule {
        @Override
        public boolean test(Object leaf) {
            return leaf instanceof String s && wildcard.matches(s);
        }
    }

    /**
     * {"anything-but": ["a", "b"]} or numbers: any leaf that equals none of them, by the same equality as "x" and
     * 26, so it is exactly the complement of listing them (for a field that is present).
     */
    record AnythingBut(Set<String> strings, Set<String> numbers) implements ValueRule {
        @Override
        public boolean test(Object leaf) {
            if (leaf instanceof String s) {
                return !strings.contains(s);
            }
            if (leaf instanceof BigDecimal number) {
                return !numbers.contains(number.toPlainString());
            }
            return true;
        }
    }

    /** {"anything-but": {"prefix": "us-"}} (or suffix, equals-ignore-case, wildcard): a string the rule rejects. */
    record AnythingButMatch(ValueRule excluded) implements ValueRule {
        @Override
        public boolean test(Object leaf) {
            return leaf instanceof String && !excluded.test(leaf);
        }
    }

    /** {"numeric": [">", 10, "<=", 20]}: a JSON number within the bounds (null: unbounded), compared exactly. */
    record Numeric(BigDecimal lower, boolean lowerInclusive, BigDecimal upper, boolean upperInclusive)
            implements ValueRule {
        @Override
        public boolean test(Object leaf) {
            if (!(leaf instanceof BigDecimal number)) {
                return false;
            }
            if (lower != null) {
                int c = number.compareTo(lower);
                if (c < 0 || (c == 0 && !lowerInclusive)) {
                    return false;
                }
            }
            if (upper != null) {
                int c = number.compareTo(upper);
                return c < 0 || (c == 0 && upperInclusive);
            }
            return true;
        }
    }
}
