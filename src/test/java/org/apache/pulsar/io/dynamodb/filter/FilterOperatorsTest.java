package org.apache.pulsar.io.dynamodb.filter;

import static org.apache.pulsar.io.dynamodb.testing.StreamRecordJson.record;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.pulsar.io.dynamodb.convert.ConversionBenchmark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.dynamodb.model.Record;

/** Every rule on every part of a stream record as Lambda sees it: typed values, sets, lists, maps, metadata. */
class FilterOperatorsTest {

    /** 2^53 + 1 bytes: a double cannot tell it from 2^53. */
    private static final Record ORDER = record("""
            {"eventID": "e1", "eventName": "MODIFY", "eventVersion": "1.1", "eventSource": "aws:dynamodb",
             "awsRegion": "eu-west-1", "userIdentity": {"type": "Service", "principalId": "dynamodb.amazonaws.com"},
             "dynamodb": {"ApproximateCreationDateTime": 1767323040.5,
               "Keys": {"pk": {"S": "order#1"}, "sk": {"N": "5"}},
               "NewImage": {"pk": {"S": "order#1"}, "sk": {"N": "5"}, "status": {"S": "Shipped"},
                 "total": {"N": "1234.50"}, "express": {"BOOL": true}, "note": {"NULL": true},
                 "blob": {"B": "AQID"}, "tags": {"SS": ["gift", "fragile"]}, "sizes": {"NS": ["1", "2.5"]},
                 "blobs": {"BS": ["AQID", "BAUG"]}, "path": {"S": "a*b\\\\c"},
                 "customer": {"M": {"name": {"S": "Ada"}, "address": {"M": {"city": {"S": "London"}}}}},
                 "lines": {"L": [{"M": {"sku": {"S": "a-1"}, "qty": {"N": "2"}}},
                                 {"M": {"sku": {"S": "b-2"}, "qty": {"N": "1"}}}]},
                 "matrix": {"L": [{"L": [{"S": "x"}]}, {"L": []}]}, "none": {"L": []}},
               "OldImage": {"pk": {"S": "order#1"}, "status": {"S": "Pending"}},
               "SequenceNumber": "000000000000000000042", "SizeBytes": 9007199254740993,
               "StreamViewType": "NEW_AND_OLD_IMAGES"}}""");

    private static boolean matches(String pattern) {
        return LambdaFilterCriteria.parse(pattern).accepts(ORDER);
    }

    /** A pattern on one attribute of the new image: {"dynamodb": {"NewImage": {attribute: condition}}}. */
    private static boolean image(String attribute, String condition) {
        return matches("{\"dynamodb\": {\"NewImage\": {\"" + attribute + "\": " + condition + "}}}");
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            status    | {"S": ["Shipped"]}                                       | true
            status    | {"S": ["shipped"]}                                       | false
            status    | {"S": ["Pending", {"prefix": "Sh"}]}                     | true
            sk        | {"N": ["5"]}                                             | true
            sk        | {"N": [5]}                                               | false
            total     | {"N": ["1234.50"]}                                       | true
            total     | {"N": ["1234.5"]}                                        | false
            total     | {"N": [{"numeric": [">", 0]}]}                           | false
            express   | {"BOOL": [true]}                                         | true
            express   | {"BOOL": ["true"]}                                       | false
            express   | {"BOOL": [false]}                                        | false
            note      | {"NULL": [true]}                                         | true
            note      | {"NULL": [null]}                                         | false
            blob      | {"B": ["AQID"]}                                          | true
            tags      | {"SS": ["fragile"]}                                      | true
            tags      | {"SS": ["gift", "none"]}                                 | true
            tags      | {"SS": ["none"]}                                         | false
            tags      | {"SS": [{"anything-but": ["gift"]}]}                     | true
            tags      | {"SS": [{"anything-but": ["gift", "fragile"]}]}          | false
            sizes     | {"NS": ["2.5"]}                                          | true
            blobs     | {"BS": ["BAUG"]}                                         | true
            customer  | {"M": {"address": {"M": {"city": {"S": ["London"]}}}}}   | true
            customer  | {"M": {"city": {"S": ["London"]}}}                       | false
            lines     | {"L": {"M": {"sku": {"S": ["b-2"]}}}}                    | true
            lines     | {"L": {"M": {"sku": {"S": ["a-1"]}, "qty": {"N": ["2"]}}}} | true
            lines     | {"L": {"M": {"sku": {"S": ["a-1"]}, "qty": {"N": ["1"]}}}} | false
            matrix    | {"L": {"L": {"S": ["x"]}}}                               | true
            none      | {"L": [{"exists": true}]}                                | false
            none      | {"L": [{"exists": false}]}                               | true
            none      | {"L": {"S": [{"exists": false}]}}                        | true
            customer  | [{"exists": true}]                                       | false
            customer  | [{"exists": false}]                                      | true
            customer  | {"M": {"name": {"S": [{"exists": true}]}}}               | true
            missing   | {"S": [{"exists": false}]}                               | true
            missing   | {"S": [{"exists": true}]}                                | false
            missing   | {"S": [{"anything-but": ["x"]}]}                         | false
            """)
    void typedValues(String attribute, String condition, boolean expected) {
        assertThat(image(attribute, condition)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            {"prefix": "Ship"}                                 | true
            {"prefix": "ship"}                                 | false
            {"prefix": {"equals-ignore-case": "sHIP"}}         | true
            {"prefix": ""}                                     | true
            {"suffix": "ped"}                                  | true
            {"suffix": "PED"}                                  | false
            {"suffix": {"equals-ignore-case": "PED"}}          | true
            {"suffix": "xShipped"}                             | false
            {"equals-ignore-case": "SHIPPED"}                  | true
            {"equals-ignore-case": "SHIPPE"}                   | false
            {"wildcard": "Sh*ed"}                              | true
            {"wildcard": "*ipp*"}                              | true
            {"wildcard": "S*p*p*d"}                            | true
            {"wildcard": "Sh*pe"}                              | false
            {"wildcard": "Shipped"}                            | true
            {"anything-but": "Pending"}                        | true
            {"anything-but": "Shipped"}                        | false
            {"anything-but": ["Pending", "Shipped"]}           | false
            {"anything-but": 5}                                | true
            {"anything-but": {"prefix": "Sh"}}                 | false
            {"anything-but": {"prefix": "Pe"}}                 | true
            {"anything-but": {"suffix": "ed"}}                 | false
            {"anything-but": {"equals-ignore-case": "shipped"}} | false
            {"anything-but": {"equals-ignore-case": ["a", "b"]}} | true
            {"anything-but": {"wildcard": "*ipp*"}}            | false
            {"numeric": [">", 0]}                              | false
            """)
    void stringRules(String rule, boolean expected) {
        assertThat(image("status", "{\"S\": [" + rule + "]}")).isEqualTo(expected);
    }

    @Test
    void wildcardEscapes() {
        // the attribute holds  a*b\c
        assertThat(image("path", "{\"S\": [{\"wildcard\": \"a\\\\*b\\\\\\\\c\"}]}")).isTrue();
        assertThat(image("path", "{\"S\": [{\"wildcard\": \"a\\\\*b*\"}]}")).isTrue();
        assertThat(image("path", "{\"S\": [{\"wildcard\": \"a\\\\*c*\"}]}")).isFalse();
    }

    /** JSON numbers in the record: SizeBytes and ApproximateCreationDateTime (epoch seconds), compared exactly. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            "SizeBytes": [9007199254740993]                                             | true
            "SizeBytes": ["9007199254740993"]                                           | false
            "SizeBytes": [9007199254740993.0]                                           | false
            "SizeBytes": [{"numeric": ["=", 9007199254740993]}]                         | true
            "SizeBytes": [{"numeric": ["=", 9007199254740992]}]                         | false
            "SizeBytes": [{"numeric": [">", 9007199254740992]}]                         | true
            "SizeBytes": [{"numeric": [">=", 9007199254740993, "<=", 9007199254740993]}] | true
            "SizeBytes": [{"numeric": ["<", 9007199254740993.0000000001]}]              | true
            "SizeBytes": [{"anything-but": 9007199254740993}]                           | false
            "SizeBytes": [{"anything-but": [1, 2]}]                                     | true
            "ApproximateCreationDateTime": [{"numeric": ["=", 1767323040.5]}]           | true
            "ApproximateCreationDateTime": [{"numeric": [">", 1767323040.5]}]           | false
            "ApproximateCreationDateTime": [{"numeric": [">=", 1767323040, "<", 1767323041]}] | true
            "ApproximateCreationDateTime": [1767323040.5]                               | true
            "SequenceNumber": [{"prefix": "0000"}]                                      | true
            "SequenceNumber": [{"numeric": [">", 41]}]                                  | false
            "StreamViewType": ["NEW_AND_OLD_IMAGES"]                                    | true
            "Keys": {"sk": {"N": ["5"]}}                                                | true
            "OldImage": {"status": {"S": ["Pending"]}}                                  | true
            "OldImage": {"sk": {"N": [{"exists": true}]}}                               | false
            "OldImage": {"sk": {"N": [{"exists": false}]}}                              | true
            """)
    void streamFields(String condition, boolean expected) {
        assertThat(matches("{\"dynamodb\": {" + condition + "}}")).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', textBlock = """
            {"eventName": ["MODIFY"]}                                             | true
            {"eventName": ["INSERT", "REMOVE"]}                                   | false
            {"eventName": [{"anything-but": "REMOVE"}]}                           | true
            {"eventID": ["e1"], "eventVersion": ["1.1"]}                          | true
            {"eventSource": ["aws:dynamodb"], "awsRegion": [{"prefix": "eu-"}]}   | true
            {"userIdentity": {"type": ["Service"], "principalId": [{"suffix": ".com"}]}} | true
            {"eventSourceARN": [{"exists": true}]}                                | false
            {"eventSourceARN": [{"exists": false}]}                               | true
            {"$or": [{"eventName": ["INSERT"]}, {"dynamodb": {"Keys": {"pk": {"S": ["order#1"]}}}}]} | true
            {"$or": [{"eventName": ["INSERT"]}, {"eventName": ["REMOVE"]}]}       | false
            {"eventName": ["MODIFY"], "$or": [{"awsRegion": ["x"]}, {"$or": [{"eventID": ["e1"]}, {"eventID": ["e2"]}]}]} | true
            {"dynamodb": {"NewImage": {"$or": [{"status": {"S": ["Pending"]}}, {"sk": {"N": ["5"]}}]}}} | true
            {"dynamodb": {"NewImage": {"lines": {"L": {"M": {"$or": [{"sku": {"S": ["b-2"]}}, {"qty": {"N": ["9"]}}], "qty": {"N": ["1"]}}}}}}} | true
            """)
    void metadataAndOr(String pattern, boolean expected) {
        assertThat(matches(pattern)).isEqualTo(expected);
    }

    @Test
    void anyPatternPublishesTheRecord() {
        assertThat(LambdaFilterCriteria.parse(List.of("{\"eventName\": [\"INSERT\"]}", "{\"eventName\": [\"MODIFY\"]}"))
                .accepts(ORDER)).isTrue();
        assertThat(LambdaFilterCriteria.parse(List.of("{\"eventName\": [\"INSERT\"]}", "{\"eventName\": [\"REMOVE\"]}"))
                .accepts(ORDER)).isFalse();
    }

    /** An empty image is no image (as in the published JSON): its attributes do not exist. */
    @Test
    void emptyImageIsAbsent() {
        Record insert = record("{\"eventName\": \"INSERT\", \"dynamodb\": {\"Keys\": {\"pk\": {\"S\": \"a\"}},"
                + " \"NewImage\": {\"pk\": {\"S\": \"a\"}}, \"OldImage\": {}}}");
        assertThat(LambdaFilterCriteria.parse("{\"dynamodb\": {\"OldImage\": {\"pk\": {\"S\": [{\"exists\": false}]}}}}")
                .accepts(insert)).isTrue();
        assertThat(LambdaFilterCriteria.parse("{\"dynamodb\": {\"OldImage\": {\"pk\": {\"S\": [{\"anything-but\":"
                + " \"b\"}]}}}}").accepts(insert)).isFalse();
    }

    /** The benchmark's criteria on the benchmark's record: the typical set passes it, the five patterns do not. */
    @Test
    void benchmarkPatternsDoWhatTheySay() {
        Record sample = ConversionBenchmark.sampleRecord();
        assertThat(LambdaFilterCriteria.parse(FilterBenchmark.TYPICAL).accepts(sample)).isTrue();
        assertThat(LambdaFilterCriteria.parse(FilterBenchmark.NO_MATCH).accepts(sample)).isFalse();
        assertThat(LambdaFilterCriteria.parse(FilterBenchmark.NO_MATCH).patternCount()).isEqualTo(5);
    }

    @Test
    void allPublishesEverything() {
        assertThat(RecordFilter.ALL.accepts(ORDER)).isTrue();
        assertThat(RecordFilter.ALL.accepts(Record.builder().build())).isTrue();
    }

    @Test
    void recordWithoutStreamPartMatchesOnlyAbsence() {
        Record bare = Record.builder().eventName("REMOVE").build();
        assertThat(LambdaFilterCriteria.parse("{\"eventName\": [\"REMOVE\"], \"dynamodb\": {\"Keys\": {\"pk\": {\"S\":"
                + " [{\"exists\": false}]}}}}").accepts(bare)).isTrue();
        assertThat(LambdaFilterCriteria.parse("{\"dynamodb\": {\"SizeBytes\": [{\"numeric\": [\">=\", 0]}]}}")
                .accepts(bare)).isFalse();
    }
}
