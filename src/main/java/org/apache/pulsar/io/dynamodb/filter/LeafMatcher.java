package org.apache.pulsar.io.dynamodb.filter;

import java.util.List;

/**
 * A field's list of rules: it matches if any rule matches any leaf value at the field (the values of an array are
 * each tried, nested arrays too). {@code exists} looks at leaves only, as Lambda documents: a field holding an object
 * (such as a typed attribute {"S": "x"}) does not "exist" for it.
 */
final class LeafMatcher implements Condition {

    private static final int NO_LEAF = 0;
    private static final int LEAF = 1;
    private static final int MATCH = 2;

    private final ValueRule[] rules;
    private final boolean ifExists;
    private final boolean ifAbsent;

    LeafMatcher(List<ValueRule> rules, boolean ifExists, boolean ifAbsent) {
        this.rules = rules.toArray(ValueRule[]::new);
        this.ifExists = ifExists;
        this.ifAbsent = ifAbsent;
    }

    @Override
    public boolean matches(Object node) {
        int outcome = scan(node);
        return outcome == MATCH || (outcome == NO_LEAF && ifAbsent);
    }

    @Override
    public boolean onlyAbsence() {
        return rules.length == 0 && !ifExists;
    }

    private int scan(Object node) {
        if (RecordTree.isArray(node)) {
            List<?> elements = (List<?>) node;
            int seen = NO_LEAF;
            for (Object element : elements) {
                int outcome = scan(element);
                if (outcome == MATCH) {
                    return MATCH;
                }
                seen |= outcome;
            }
            return seen;
        }
        Object leaf = RecordTree.leaf(node);
        if (leaf == null) {
            return NO_LEAF;
        }
        if (ifExists) {
            return MATCH;
        }
        for (ValueRule rule : rules) {
            if (rule.test(leaf)) {
                return MATCH;
            }
        }
        return LEAF;
    }
}
