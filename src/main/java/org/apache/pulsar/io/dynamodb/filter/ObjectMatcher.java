package org.apache.pulsar.io.dynamodb.filter;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A pattern object: every field's condition holds (and), and in every {@code $or} group one alternative holds. An
 * array in the record is crushed as Lambda (EventBridge) does it: the fields that must be present match within one
 * element (so all of one match comes from the same element), while a field that must be absent
 * ({@code exists: false}) must be absent from every element.
 */
final class ObjectMatcher implements Condition {

    private final String[] presentNames;
    private final Condition[] present;
    private final String[] absentNames;
    private final Condition[] absent;
    private final ObjectMatcher[][] orGroups;

    ObjectMatcher(List<String> names, List<Condition> conditions, List<List<ObjectMatcher>> orGroups) {
        List<String> presentNames = new ArrayList<>();
        List<Condition> present = new ArrayList<>();
        List<String> absentNames = new ArrayList<>();
        List<Condition> absent = new ArrayList<>();
        // rules on this object's own leaves first: they are the cheapest to check and often decide alone
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparing(i -> conditions.get(i) instanceof LeafMatcher ? 0 : 1));
        for (int i : order) {
            boolean onlyAbsence = conditions.get(i).onlyAbsence();
            (onlyAbsence ? absentNames : presentNames).add(names.get(i));
            (onlyAbsence ? absent : present).add(conditions.get(i));
        }
        this.presentNames = presentNames.toArray(String[]::new);
        this.present = present.toArray(Condition[]::new);
        this.absentNames = absentNames.toArray(String[]::new);
        this.absent = absent.toArray(Condition[]::new);
        this.orGroups = orGroups.stream().map(group -> group.toArray(ObjectMatcher[]::new))
                .toArray(ObjectMatcher[][]::new);
    }

    @Override
    public boolean matches(Object node) {
        return absencesHold(node) && presencesHold(node);
    }

    @Override
    public boolean onlyAbsence() {
        return present.length == 0 && orGroups.length == 0;
    }

    /** Each must-be-absent field is absent from the node, or from every element of an array. */
    private boolean absencesHold(Object node) {
        if (RecordTree.isArray(node)) {
            List<?> elements = (List<?>) node;
            for (Object element : elements) {
                if (!absencesHold(element)) {
                    return false;
                }
            }
            return true;
        }
        for (int i = 0; i < absent.length; i++) {
            if (!absent[i].matches(RecordTree.child(node, absentNames[i]))) {
                return false;
            }
        }
        return true;
    }

    /** The other fields and the $or groups all hold on the node, or together on one element of an array. */
    private boolean presencesHold(Object node) {
        if (RecordTree.isArray(node)) {
            List<?> elements = (List<?>) node;
            if (present.length == 0 && orGroups.length == 0) {
                return true;
            }
            for (Object element : elements) {
                if (presencesHold(element)) {
                    return true;
                }
            }
            return false;
        }
        for (int i = 0; i < present.length; i++) {
            if (!present[i].matches(RecordTree.child(node, presentNames[i]))) {
                return false;
            }
        }
        for (ObjectMatcher[] group : orGroups) {
            if (!anyMatches(group, node)) {
                return false;
            }
        }
        return true;
    }

    private static boolean anyMatches(ObjectMatcher[] alternatives, Object node) {
        for (ObjectMatcher alternative : alternatives) {
            if (alternative.matches(node)) {
                return true;
            }
        }
        return false;
    }
}
