package org.apache.pulsar.io.dynamodb.filter;

import static org.apache.pulsar.io.dynamodb.filter.RecordPatterns.NODES;
import static org.apache.pulsar.io.dynamodb.filter.RecordPatterns.accepts;
import static org.apache.pulsar.io.dynamodb.filter.RecordPatterns.anythingBut;
import static org.apache.pulsar.io.dynamodb.filter.RecordPatterns.escapeWildcard;
import static org.apache.pulsar.io.dynamodb.filter.RecordPatterns.exists;
import static org.apache.pulsar.io.dynamodb.filter.RecordPatterns.merge;
import static org.apache.pulsar.io.dynamodb.filter.RecordPatterns.mutated;
import static org.apache.pulsar.io.dynamodb.filter.RecordPatterns.op;
import static org.apache.pulsar.io.dynamodb.filter.RecordPatterns.rule;
import static org.apache.pulsar.io.dynamodb.filter.RecordPatterns.rules;
import static org.apache.pulsar.io.dynamodb.filter.RecordPatterns.swapCase;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.pulsar.io.dynamodb.filter.RecordPatterns.Leaves;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

/**
 * Properties of the matcher on random records (every attribute type, nested, odd Unicode) and random patterns,
 * seeded so a failure repeats. Paths and values come from the record's own JSON as the connector publishes it
 * (the shape Lambda matches), so the matcher's reading of the SDK model is checked against that JSON.
 */
class FilterPropertiesTest {

    private static final int RECORDS = 400;

    private final RecordPatterns fixtures = new RecordPatterns(20260102L);
    private final Random random = fixtures.random();

    @Test
    void aPatternOfTheRecordsOwnValueMatchesAndAnyOtherValueDoesNot() {
        int checked = 0;
        for (int i = 0; i < RECORDS; i++) {
            Record record = fixtures.randomRecord(i);
            Map<List<String>, Leaves> paths = fixtures.leafPaths(record);
            for (int k = 0; k < 5; k++) {
                List<String> path = fixtures.pick(new ArrayList<>(paths.keySet()));
                Leaves leaves = paths.get(path);
                JsonNode value = fixtures.pick(leaves.values());
                assertThat(accepts(rule(path, value), record)).as("%s = %s", path, value).isTrue();
                JsonNode other = mutated(value);
                if (!leaves.values().contains(other)) {
                    assertThat(accepts(rule(path, other), record)).as("%s = %s", path, other).isFalse();
                    // anything-but (strings and numbers only) is the complement of equals for a present field
                    if (!value.isBoolean()) {
                        assertThat(accepts(rule(path, anythingBut(other)), record)).isTrue();
                    }
                }
                if (leaves.values().size() == 1 && !value.isBoolean()) {
                    assertThat(accepts(rule(path, anythingBut(value)), record)).isFalse();
                    checked++;
                }
            }
        }
        assertThat(checked).as("single-valued paths checked").isGreaterThan(RECORDS);
    }

    @Test
    void aPatternOfSeveralOfTheRecordsValuesMatches() {
        for (int i = 0; i < RECORDS; i++) {
            Record record = fixtures.randomRecord(i);
            List<Map.Entry<List<String>, Leaves>> plain = fixtures.leafPaths(record).entrySet().stream()
                    .filter(e -> !e.getValue().throughArray()).toList();
            ObjectNode pattern = NODES.objectNode();
            for (int k = 0; k < 1 + random.nextInt(6); k++) {
                Map.Entry<List<String>, Leaves> field = fixtures.pick(plain);
                merge(pattern, rule(field.getKey(), field.getValue().values().get(0)));
            }
            assertThat(accepts(pattern, record)).as("%s", pattern).isTrue();
        }
    }

    /** exists:true and exists:false disagree on every path, leaf or not, present or not. */
    @Test
    void existsTrueAndFalseAreComplements() {
        for (int i = 0; i < RECORDS; i++) {
            Record record = fixtures.randomRecord(i);
            List<String> path = new ArrayList<>(fixtures.pick(new ArrayList<>(fixtures.leafPaths(record).keySet())));
            switch (random.nextInt(3)) {
                case 0 -> path.remove(path.size() - 1);  // an intermediate node: an object, never a leaf
                case 1 -> path.add("absent");
                default -> { }
            }
            if (path.isEmpty()) {
                continue;
            }
            boolean exists = accepts(rule(path, exists(true)), record);
            assertThat(accepts(rule(path, exists(false)), record)).as("%s", path).isEqualTo(!exists);
        }
    }

    /** A list of patterns, an $or and a rule list each pass a record exactly when one of their parts does. */
    @Test
    void alternativesMatchWhenAnyOfThemDoes() {
        int matched = 0;
        for (int i = 0; i < RECORDS; i++) {
            Record record = fixtures.randomRecord(i);
            Record other = fixtures.randomRecord(i + RECORDS);
            List<JsonNode> patterns = new ArrayList<>();
            for (int k = 0; k < 2 + random.nextInt(4); k++) {
                patterns.add(fixtures.randomPattern(random.nextBoolean() ? record : other));
            }
            boolean anyAlone = patterns.stream().anyMatch(p -> accepts(p, record));
            assertThat(LambdaFilterCriteria.parse(patterns).accepts(record)).isEqualTo(anyAlone);
            ObjectNode or = NODES.objectNode();
            or.putArray("$or").addAll(patterns);
            assertThat(accepts(or, record)).isEqualTo(anyAlone);
            matched += anyAlone ? 1 : 0;

            Map.Entry<List<String>, Leaves> field =
                    fixtures.pick(new ArrayList<>(fixtures.leafPaths(record).entrySet()));
            JsonNode first = fixtures.randomRule(field.getValue());
            JsonNode second = fixtures.randomRule(field.getValue());
            ArrayNode both = NODES.arrayNode().add(first).add(second);
            assertThat(accepts(rules(field.getKey(), both), record)).isEqualTo(
                    accepts(rule(field.getKey(), first), record) || accepts(rule(field.getKey(), second), record));
        }
        assertThat(matched).as("records some alternative passed").isBetween(RECORDS / 10, RECORDS - RECORDS / 10);
    }

    /** Adding a field to a pattern can only narrow it. */
    @Test
    void anotherFieldNeverWidensAPattern() {
        int narrowed = 0;
        for (int i = 0; i < RECORDS * 2; i++) {
            Record record = fixtures.randomRecord(i);
            ObjectNode pattern = fixtures.randomPattern(random.nextInt(3) == 0 ? fixtures.randomRecord(i + 1) : record);
            ObjectNode wider = pattern.deepCopy();
            if (!merge(wider, fixtures.randomPattern(random.nextBoolean() ? record : fixtures.randomRecord(i + 2)))) {
                continue;
            }
            boolean before = accepts(pattern, record);
            boolean after = accepts(wider, record);
            assertThat(!after || before).as("%s then %s", pattern, wider).isTrue();
            narrowed += before && !after ? 1 : 0;
        }
        assertThat(narrowed).as("patterns an added field narrowed").isGreaterThan(10);
    }

    /** String operators agree with the value they were built from. */
    @Test
    void stringOperatorsMatchTheirOwnString() {
        for (int i = 0; i < RECORDS; i++) {
            Record record = fixtures.randomRecord(i);
            List<Map.Entry<List<String>, Leaves>> strings = fixtures.leafPaths(record).entrySet().stream()
                    .filter(e -> e.getValue().values().size() == 1 && e.getValue().values().get(0).isTextual())
                    .toList();
            Map.Entry<List<String>, Leaves> field = fixtures.pick(strings);
            String s = field.getValue().values().get(0).textValue();
            int cut = fixtures.cutPoint(s);
            List<String> path = field.getKey();
            assertThat(accepts(rule(path, op("prefix", s.substring(0, cut))), record)).isTrue();
            assertThat(accepts(rule(path, op("suffix", s.substring(cut))), record)).isTrue();
            assertThat(accepts(rule(path, op("prefix", s + "\u0001")), record)).isFalse();
            assertThat(accepts(rule(path, op("equals-ignore-case", swapCase(s))), record)).isTrue();
            String star = escapeWildcard(s.substring(0, cut)) + "*" + escapeWildcard(s.substring(Math.min(s.length(),
                    cut + random.nextInt(3))));
            assertThat(accepts(rule(path, op("wildcard", star)), record)).as("%s ~ %s", s, star).isTrue();
            assertThat(accepts(rule(path, anythingBut(op("prefix", s.substring(0, cut)))), record)).isFalse();
        }
    }

    /** numeric compares exactly, as BigDecimal does, with no rounding to a double's 53 bits. */
    @Test
    void numericIsExact() {
        List<String> sizeBytes = List.of("dynamodb", "SizeBytes");
        for (int i = 0; i < RECORDS * 5; i++) {
            long size = random.nextBoolean() ? random.nextLong() : (1L << 53) + random.nextInt(5) - 2;
            Record record = Record.builder().dynamodb(StreamRecord.builder().sizeBytes(size).build()).build();
            BigDecimal bound = new BigDecimal(size + random.nextInt(5) - 2)
                    .add(random.nextBoolean() ? BigDecimal.ZERO : new BigDecimal("0.000000001").negate());
            int c = BigDecimal.valueOf(size).compareTo(bound);
            String[] operators = {"<", "<=", "=", ">=", ">"};
            boolean[] expected = {c < 0, c <= 0, c == 0, c >= 0, c > 0};
            for (int o = 0; o < operators.length; o++) {
                ObjectNode numeric = NODES.objectNode();
                numeric.putArray("numeric").add(operators[o]).add(bound);
                assertThat(accepts(rule(sizeBytes, numeric), record)).as("%d %s %s", size, operators[o], bound)
                        .isEqualTo(expected[o]);
            }
        }
    }

    /** One compiled criteria used from several threads at once gives each thread the sequential answers. */
    @Test
    void concurrentUseGivesTheSequentialAnswers() throws Exception {
        List<Record> records = new ArrayList<>();
        List<JsonNode> patterns = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            records.add(fixtures.randomRecord(i));
            if (i % 40 == 0) {
                // the record's own key (some records pass, most do not) with a random rule
                ObjectNode pattern = rule(List.of("dynamodb", "Keys", "id", "S"), NODES.textNode("id" + i));
                merge(pattern, fixtures.randomPattern(records.get(i)));
                patterns.add(pattern);
            }
        }
        LambdaFilterCriteria criteria = LambdaFilterCriteria.parse(patterns);
        List<Boolean> sequential = records.stream().map(criteria::accepts).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<Boolean>>> runs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                runs.add(pool.submit(() -> records.stream().map(criteria::accepts).toList()));
            }
            for (Future<List<Boolean>> run : runs) {
                assertThat(run.get()).isEqualTo(sequential);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(sequential).contains(true, false);
    }
}
