package org.apache.pulsar.io.dynamodb.filter;

import static org.apache.pulsar.io.dynamodb.testing.StreamRecordJson.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.dynamodb.model.Record;

/** The shapes filterCriteria may come in, the one-line errors for bad patterns, and the never-matches warnings. */
class FilterCriteriaParseTest {

    private static final Record INSERT = record("""
            {"eventName": "INSERT", "dynamodb": {"SizeBytes": 15, "Keys": {"id": {"S": "a"}},
              "NewImage": {"id": {"S": "a"}, "age": {"N": "30"}}}}""");
    private static final Record REMOVE = record("""
            {"eventName": "REMOVE", "dynamodb": {"SizeBytes": 15, "Keys": {"id": {"S": "a"}},
              "OldImage": {"id": {"S": "a"}, "age": {"N": "30"}}}}""");

    private static void assertInsertsOnly(Object filterCriteria) {
        LambdaFilterCriteria criteria = LambdaFilterCriteria.parse(filterCriteria);
        assertThat(criteria.accepts(INSERT)).isTrue();
        assertThat(criteria.accepts(REMOVE)).isFalse();
        assertThat(criteria.warnings()).isEmpty();
    }

    @Test
    void lambdasFilterCriteriaAsTheCliTakesIt() {
        assertInsertsOnly("{\"Filters\": [{\"Pattern\": \"{ \\\"eventName\\\" : [ \\\"INSERT\\\" ] }\"}]}");
    }

    @Test
    void filterCriteriaWithPatternAsAnObjectOrInLowerCase() {
        assertInsertsOnly("{\"Filters\": [{\"Pattern\": {\"eventName\": [\"INSERT\"]}}]}");
        assertInsertsOnly("{\"filters\": [{\"pattern\": \"{\\\"eventName\\\": [\\\"INSERT\\\"]}\"}]}");
    }

    /** As YAML (CloudFormation's FilterCriteria pasted into the connector's YAML) arrives: maps and lists. */
    @Test
    void filterCriteriaAsParsedYaml() {
        assertInsertsOnly(Map.of("Filters", List.of(Map.of("Pattern", "{\"eventName\": [\"INSERT\"]}"))));
        assertInsertsOnly(Map.of("Filters", List.of(Map.of("Pattern", Map.of("eventName", List.of("INSERT"))))));
    }

    @Test
    void listOfPatternsAsTextObjectsOrFilterEntries() {
        assertInsertsOnly("[{\"eventName\": [\"INSERT\"]}, \"{\\\"eventName\\\": [\\\"none\\\"]}\"]");
        assertInsertsOnly(List.of("{\"eventName\": [\"none\"]}", Map.of("eventName", List.of("INSERT"))));
        assertInsertsOnly("[{\"Pattern\": \"{\\\"eventName\\\": [\\\"INSERT\\\"]}\"}]");
    }

    @Test
    void singlePatternAsTextOrMapOrJsonInAString() {
        assertInsertsOnly("{\"eventName\": [\"INSERT\"]}");
        assertInsertsOnly(Map.of("eventName", List.of("INSERT")));
        assertInsertsOnly("\"{\\\"eventName\\\": [\\\"INSERT\\\"]}\"");
    }

    /** pulsar-admin's JSON reader makes 15 into 15.0, and YAML gives Integer, Long or BigDecimal: all are 15. */
    @Test
    void numbersOfParsedConfigs() {
        for (Object fifteen : List.of(15, 15L, 15.0, 15.0f, new BigDecimal("15"))) {
            Map<String, Object> pattern = Map.of("dynamodb", Map.of("SizeBytes", List.of(fifteen)));
            assertThat(LambdaFilterCriteria.parse(pattern).accepts(INSERT)).as("%s", fifteen.getClass()).isTrue();
        }
        Map<String, Object> range = Map.of("dynamodb", Map.of("SizeBytes",
                List.of(Map.of("numeric", List.of(">", 14.5, "<=", 15)))));
        assertThat(LambdaFilterCriteria.parse(range).accepts(INSERT)).isTrue();
    }

    /** Lambda's default quota of 5 patterns (10 on request) is not enforced: it only bounds Lambda's own work. */
    @Test
    void morePatternsThanLambdasQuota() {
        List<String> patterns = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            patterns.add("{\"dynamodb\": {\"Keys\": {\"id\": {\"S\": [\"k" + i + "\"]}}}}");
        }
        patterns.add("{\"eventName\": [\"INSERT\"]}");
        LambdaFilterCriteria criteria = LambdaFilterCriteria.parse(patterns);
        assertThat(criteria.patternCount()).isEqualTo(13);
        assertThat(criteria.accepts(INSERT)).isTrue();
        assertThat(criteria.accepts(REMOVE)).isFalse();
        assertThat(criteria).hasToString("LambdaFilterCriteria[13 patterns]");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '~', textBlock = """
            ~{"eventName": "INSERT"}~ | ~filterCriteria pattern 1 ({"eventName":"INSERT"}) is invalid at eventName: a field takes a list of rules such as ["INSERT"] or an object of fields, not "INSERT"~
            ~{"eventName": []}~ | ~filterCriteria pattern 1 ({"eventName":[]}) is invalid at eventName: an empty rule list [] matches nothing; list a value or a rule, e.g. ["INSERT"] or [{"exists": true}]~
            ~{}~ | ~filterCriteria pattern 1 ({}) is invalid: an empty object {} names no field to match~
            ~{"dynamodb": {"Keys": {}}}~ | ~filterCriteria pattern 1 ({"dynamodb":{"Keys":{}}}) is invalid at dynamodb.Keys: an empty object {} names no field to match~
            ~[{"eventName": ["INSERT"]}, {"dynamodb": {"NewImage": {"age": {"N": [{"numeric": [">"]}]}}}}]~ | ~filterCriteria pattern 2 ({"dynamodb":{"NewImage":{"age":{"N":[{"numeric":[">"]}]}}}}) is invalid at dynamodb.NewImage.age.N: numeric takes ["=", 100], one bound such as [">=", 10], or a lower and an upper bound such as [">", 10, "<=", 20]; got [">"]~
            ~{"dynamodb": {"SizeBytes": [{"numeric": [">", "10"]}]}}~ | ~filterCriteria pattern 1 ({"dynamodb":{"SizeBytes":[{"numeric":[">","10"]}]}}) is invalid at dynamodb.SizeBytes: bounds are JSON numbers, not strings; numeric takes ["=", 100], one bound such as [">=", 10], or a lower and an upper bound such as [">", 10, "<=", 20]; got [">","10"]~
            ~{"x": [{"numeric": ["=", 1, "<", 2]}]}~ | ~filterCriteria pattern 1 ({"x":[{"numeric":["=",1,"<",2]}]}) is invalid at x: "=" stands alone; numeric takes ["=", 100], one bound such as [">=", 10], or a lower and an upper bound such as [">", 10, "<=", 20]; got ["=",1,"<",2]~
            ~{"x": [{"numeric": [">", 1, ">=", 2]}]}~ | ~filterCriteria pattern 1 ({"x":[{"numeric":[">",1,">=",2]}]}) is invalid at x: two lower bounds; numeric takes ["=", 100], one bound such as [">=", 10], or a lower and an upper bound such as [">", 10, "<=", 20]; got [">",1,">=",2]~
            ~{"x": [{"numeric": [">", 5, "<", 5]}]}~ | ~filterCriteria pattern 1 ({"x":[{"numeric":[">",5,"<",5]}]}) is invalid at x: the range holds no number; numeric takes ["=", 100], one bound such as [">=", 10], or a lower and an upper bound such as [">", 10, "<=", 20]; got [">",5,"<",5]~
            ~{"x": [{"numeric": ["!=", 5]}]}~ | ~filterCriteria pattern 1 ({"x":[{"numeric":["!=",5]}]}) is invalid at x: unknown operator "!="; numeric takes ["=", 100], one bound such as [">=", 10], or a lower and an upper bound such as [">", 10, "<=", 20]; got ["!=",5]~
            ~{"x": [{"exists": "yes"}]}~ | ~filterCriteria pattern 1 ({"x":[{"exists":"yes"}]}) is invalid at x: exists takes true or false, not "yes"~
            ~{"x": [{"begins-with": "a"}]}~ | ~filterCriteria pattern 1 ({"x":[{"begins-with":"a"}]}) is invalid at x: unknown operator "begins-with" (known: prefix, suffix, equals-ignore-case, wildcard, anything-but, numeric, exists)~
            ~{"x": [{"prefix": "a", "suffix": "b"}]}~ | ~filterCriteria pattern 1 ({"x":[{"prefix":"a","suffix":"b"}]}) is invalid at x: a rule is a value ("x", 26, true, null) or an object with one operator (prefix, suffix, equals-ignore-case, wildcard, anything-but, numeric, exists), not {"prefix":"a","suffix":"b"}~
            ~{"x": [["a"]]}~ | ~filterCriteria pattern 1 ({"x":[["a"]]}) is invalid at x: a rule is a value ("x", 26, true, null) or an object with one operator (prefix, suffix, equals-ignore-case, wildcard, anything-but, numeric, exists), not ["a"]~
            ~{"x": [{"prefix": 1}]}~ | ~filterCriteria pattern 1 ({"x":[{"prefix":1}]}) is invalid at x: prefix takes a string, not 1~
            ~{"x": [{"anything-but": ["a", 1]}]}~ | ~filterCriteria pattern 1 ({"x":[{"anything-but":["a",1]}]}) is invalid at x: anything-but takes a list of strings or a list of numbers, not ["a",1]~
            ~{"x": [{"anything-but": true}]}~ | ~filterCriteria pattern 1 ({"x":[{"anything-but":true}]}) is invalid at x: anything-but takes a string, a number, a list of either, or {"prefix"|"suffix"|"equals-ignore-case"|"wildcard": ...}, not true~
            ~{"x": [{"anything-but": {"numeric": [">", 1]}}]}~ | ~filterCriteria pattern 1 ({"x":[{"anything-but":{"numeric":[">",1]}}]}) is invalid at x: anything-but takes {"prefix"|"suffix"|"equals-ignore-case"|"wildcard": ...} as an object, not "numeric"~
            ~{"x": [{"wildcard": "a**b"}]}~ | ~filterCriteria pattern 1 ({"x":[{"wildcard":"a**b"}]}) is invalid at x: wildcard "a**b" has two '*' in a row~
            ~{"x": [{"cidr": "10.0.0.0/8"}]}~ | ~filterCriteria pattern 1 ({"x":[{"cidr":"10.0.0.0/8"}]}) is invalid at x: cidr (IP address matching) is not supported: a DynamoDB stream record has no IP address field~
            ~{"$or": [{"eventName": ["INSERT"]}]}~ | ~filterCriteria pattern 1 ({"$or":[{"eventName":["INSERT"]}]}) is invalid at $or: $or takes a list of at least two patterns, e.g. [{"eventName": ["INSERT"]}, {"dynamodb": {"Keys": {"id": {"S": ["a"]}}}}]~
            ~{"$or": [{"eventName": ["INSERT"]}, ["REMOVE"]]}~ | ~filterCriteria pattern 1 ({"$or":[{"eventName":["INSERT"]},["REMOVE"]]}) is invalid at $or[2]: each $or alternative is a pattern object, not ["REMOVE"]~
            ~{"Filters": [{"Pattern": "single-string"}]}~ | ~filterCriteria pattern 1 (single-string) is invalid: not JSON: Unrecognized token 'single': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false') (line 1, column 7)~
            ~{"Filters": [{"Pattern": "{\\"a\\": [1]}"}, {"Patern": "{}"}]}~ | ~filterCriteria pattern 2 ({"Patern":"{}"}) is invalid: a Filters entry is {"Pattern": ...}~
            ~{"Filters": [{"Pattern": "[\\"a\\"]"}]}~ | ~filterCriteria pattern 1 (["a"]) is invalid: a pattern is a JSON object such as {"eventName": ["INSERT"]}, not ["a"]~
            ~{"Filters": {"Pattern": "{}"}}~ | ~filterCriteria Filters is {"Pattern":"{}"}, not a list such as [{"Pattern": "{\\"eventName\\": [\\"INSERT\\"]}"}]~
            ~{"Filters": [], "Enabled": true}~ | ~filterCriteria has "Enabled" next to "Filters"; Lambda's FilterCriteria has only Filters~
            ~{"Filters": []}~ | ~filterCriteria has no pattern; leave filterCriteria out to publish every record~
            ~[]~ | ~filterCriteria has no pattern; leave filterCriteria out to publish every record~
            ~42~ | ~filterCriteria is 42, not Lambda's FilterCriteria {"Filters": [{"Pattern": "..."}]}, a list of patterns or a pattern~
            ~{"eventName": ["INSERT"]~ | ~filterCriteria ({"eventName": ["INSERT"]) is not JSON: Unexpected end-of-input: expected close marker for Object (start marker at [line: 1, column: 1]) (line 1, column 25)~
            ~{"eventName": ["INSERT"]} {}~ | ~filterCriteria ({"eventName": ["INSERT"]} {}) is not JSON: more text follows the JSON value (line 1, column 27)~
            """)
    void badPatternsFailWithOneLineNamingThePattern(String filterCriteria, String message) {
        assertThatThrownBy(() -> LambdaFilterCriteria.parse(filterCriteria))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "\r"));
    }

    @Test
    void longPatternIsCutInTheMessage() {
        String pattern = "{\"dynamodb\": {\"NewImage\": {\"description\": {\"S\": [\"" + "x".repeat(500) + "\"]},"
                + " \"age\": {\"N\": [{\"numeric\": [\">\"]}]}}}}";
        assertThatThrownBy(() -> LambdaFilterCriteria.parse(List.of("{\"eventName\": [\"INSERT\"]}", pattern)))
                .hasMessageStartingWith("filterCriteria pattern 2 ({\"dynamodb\":{\"NewImage\":{\"description\":"
                        + "{\"S\":[\"xxxxxxxxxxxxxx...) is invalid at dynamodb.NewImage.age.N: numeric takes")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(400).doesNotContain("\n"));
    }

    @Test
    void patternTextOverSeveralLinesIsQuotedOnOne() {
        assertThatThrownBy(() -> LambdaFilterCriteria.parse(Map.of("Filters", List.of(
                Map.of("Pattern", "{\n  \"eventName\":\n    [\"INSERT\"\n}")))))
                .hasMessageStartingWith("filterCriteria pattern 1 ({ \"eventName\": [\"INSERT\" }) is invalid: not JSON:")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void emptyOrUnsupportedValues() {
        assertThatThrownBy(() -> LambdaFilterCriteria.parse(null))
                .hasMessage("filterCriteria is empty; leave it out to publish every record");
        assertThatThrownBy(() -> LambdaFilterCriteria.parse("  "))
                .hasMessage("filterCriteria is empty; leave it out to publish every record");
        assertThatThrownBy(() -> LambdaFilterCriteria.parse("\"{x\""))
                .hasMessageStartingWith("filterCriteria ({x) is not JSON: Unexpected character ('x' (code 120))");
        assertThatThrownBy(() -> LambdaFilterCriteria.parse(Map.of("x", List.of(new Object()))))
                .hasMessage("filterCriteria holds a Object, which is no JSON value");
        assertThatThrownBy(() -> LambdaFilterCriteria.parse(Map.of("x", List.of(Double.NaN))))
                .hasMessage("filterCriteria holds NaN, which is no JSON number");
    }

    @Test
    void warningsNameWhatNeverMatches() {
        Map<String, Object> pattern = new LinkedHashMap<>();
        pattern.put("eventSourceARN", List.of(Map.of("prefix", "arn:")));
        pattern.put("detail", Map.of("state", List.of("x")));
        pattern.put("dynamodb", Map.of("NewImage", Map.of(
                "age", Map.of("N", List.of(Map.of("numeric", List.of(">", 18)))),
                "name", List.of("Ada"),
                "tags", Map.of("StringSet", List.of("a")))));
        LambdaFilterCriteria criteria = LambdaFilterCriteria.parse(List.of(Map.of("eventName", List.of("INSERT")),
                pattern, Map.of("x", Arrays.asList((Object) null))));
        assertThat(criteria.warnings()).containsExactlyInAnyOrder(
                "filterCriteria pattern 2: eventSourceARN: the stream records this connector reads do not carry"
                        + " eventSourceARN, so it is always absent",
                "filterCriteria pattern 2: detail: a DynamoDB stream record has no field detail (it has"
                        + " eventID, eventName, eventVersion, eventSource, awsRegion, dynamodb, userIdentity)",
                "filterCriteria pattern 2: dynamodb.NewImage.age.N: a DynamoDB number is a string in the stream"
                        + " record ({\"N\": \"30\"}): as in Lambda, a JSON number or numeric never matches it (and"
                        + " anything-but numbers passes it); match the string instead, e.g. [\"30\"]",
                "filterCriteria pattern 2: dynamodb.NewImage.name: an attribute's value is typed, such as {\"S\":"
                        + " \"x\"}: rules directly on it never match (write {\"S\": [...]})",
                "filterCriteria pattern 2: dynamodb.NewImage.tags.StringSet: StringSet is not a DynamoDB type"
                        + " (S, N, B, BOOL, NULL, M, L, SS, NS, BS)",
                "filterCriteria pattern 3: x: a DynamoDB stream record has no field x (it has eventID,"
                        + " eventName, eventVersion, eventSource, awsRegion, dynamodb, userIdentity)",
                "filterCriteria pattern 3: x: null never matches: a stream record holds no JSON null (DynamoDB's"
                        + " NULL type reads as {\"NULL\": [true]})");
        assertThat(criteria.warnings()).allSatisfy(w -> assertThat(w).doesNotContain("\n"));
        // the patterns still work as in Lambda: pattern 1 publishes inserts
        assertThat(criteria.accepts(INSERT)).isTrue();
        assertThat(criteria.accepts(REMOVE)).isFalse();
    }
}
