package org.apache.pulsar.io.dynamodb.filter;

import static org.apache.pulsar.io.dynamodb.testing.StreamRecordJson.record;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * The examples of AWS Lambda's documentation on event filtering (the record and pattern shapes it gives, with the
 * outcome it states) and the cases LocalStack's test suite validated against AWS, each with the outcome Lambda has.
 */
class FilterDocExamplesTest {

    /** Lambda's "Using event filtering with a DynamoDB event source": the example record of that page. */
    private static final String CUSTOMER_RECORD = """
            {"eventID": "1", "eventVersion": "1.0",
             "dynamodb": {"ApproximateCreationDateTime": "1678831218.0",
                          "Keys": {"CustomerName": {"S": "AnyCompany Industries"}},
                          "NewImage": {"AccountManager": {"S": "Pat Candella"}, "PaymentTerms": {"S": "60 days"},
                                       "CustomerName": {"S": "AnyCompany Industries"}},
                          "SequenceNumber": "111", "SizeBytes": 26, "StreamViewType": "NEW_IMAGE"}}""";

    private static boolean matches(Object filterCriteria, Record record) {
        return LambdaFilterCriteria.parse(filterCriteria).accepts(record);
    }

    private static Record customer(String manager, String oldManager) {
        String old = oldManager == null ? "" : ", \"OldImage\": {\"AccountManager\": {\"S\": \"" + oldManager + "\"}}";
        return record(("{\"eventID\": \"1\", \"eventVersion\": \"1.0\", \"dynamodb\": {"
                + "\"Keys\": {\"CustomerName\": {\"S\": \"AnyCompany Industries\"}},"
                + "\"NewImage\": {\"AccountManager\": {\"S\": \"%s\"}}%s, \"SequenceNumber\": \"111\","
                + " \"StreamViewType\": \"NEW_AND_OLD_IMAGES\"}}").formatted(manager, old));
    }

    @Nested
    class DynamoDbPage {

        @Test
        void tableKeyAsLambdasFilterCriteriaObject() {
            String criteria = "{ \"Filters\": [ { \"Pattern\": \"{ \\\"dynamodb\\\" : { \\\"Keys\\\" : {"
                    + " \\\"CustomerName\\\" : { \\\"S\\\" : [ \\\"AnyCompany Industries\\\" ] } } } }\" } ] }";
            assertThat(matches(criteria, record(CUSTOMER_RECORD))).isTrue();
            assertThat(matches(criteria, record(CUSTOMER_RECORD.replace("\"S\": \"AnyCompany Industries\"}},",
                    "\"S\": \"Example Corp\"}},")))).isFalse();
        }

        @Test
        void tableKeyAsEnteredInTheConsole() {
            String pattern = "{ \"dynamodb\" : { \"Keys\" : { \"CustomerName\" : { \"S\" : [ \"AnyCompany Industries\""
                    + " ] } } } }";
            assertThat(matches(pattern, record(CUSTOMER_RECORD))).isTrue();
        }

        @Test
        void tableAttributeWithTwoValues() {
            String pattern = "{\"dynamodb\": {\"NewImage\": {\"AccountManager\": {\"S\": [\"Pat Candella\","
                    + " \"Shirley Rodriguez\"]}}}}";
            assertThat(matches(pattern, customer("Pat Candella", null))).isTrue();
            assertThat(matches(pattern, customer("Shirley Rodriguez", null))).isTrue();
            assertThat(matches(pattern, customer("Terry Whitlock", null))).isFalse();
        }

        @Test
        void booleanAndOfNewAndOldImage() {
            String pattern = "{\"dynamodb\": {\"NewImage\": {\"AccountManager\": {\"S\": [\"Pat Candella\"]}},"
                    + " \"OldImage\": {\"AccountManager\": {\"S\": [\"Terry Whitlock\"]}}}}";
            assertThat(matches(pattern, customer("Pat Candella", "Terry Whitlock"))).isTrue();
            assertThat(matches(pattern, customer("Pat Candella", "Pat Candella"))).isFalse();
            assertThat(matches(pattern, customer("Pat Candella", null))).isFalse();
        }

        /** "The Exists operator only works on leaf nodes": on the list itself it never matches; on its S it does. */
        @Test
        void existsOnlyOnLeafNodes() {
            Record organizations = record("""
                    {"dynamodb": {"NewImage": {"UserID": {"S": "12345"}, "Name": {"S": "John Doe"},
                      "Organizations": {"L": [{"S": "Sales"}, {"S": "Marketing"}, {"S": "Support"}]}}}}""");
            assertThat(matches("{\"dynamodb\": {\"NewImage\": {\"Organizations\": [{\"exists\": true}]}}}",
                    organizations)).isFalse();
            assertThat(matches("{\"dynamodb\": {\"NewImage\": {\"Organizations\": {\"L\": {\"S\": [{\"exists\":"
                    + " true}]}}}}}", organizations)).isTrue();
            assertThat(matches("{\"dynamodb\": {\"NewImage\": {\"Organizations\": {\"L\": {\"S\": [{\"exists\":"
                    + " true}]}}}}}", record(CUSTOMER_RECORD))).isFalse();
        }
    }

    @Nested
    class EventFilteringPage {

        /** "Multi-level filtering": the key's N nested in dynamodb.Keys, matched as the string it is. */
        @Test
        void multiLevelKeyNumber() {
            String streamRecord = """
                    {"dynamodb": {"Keys": {"Id": {"N": "101"}},
                                  "NewImage": {"Message": {"S": "New item!"}, "Id": {"N": "101"}},
                                  "SequenceNumber": "111", "SizeBytes": 26, "StreamViewType": "NEW_AND_OLD_IMAGES"}}""";
            String pattern = "{ \"dynamodb\": { \"Keys\": { \"Id\": { \"N\": [ \"101\" ] } } } }";
            assertThat(matches(pattern, record(streamRecord))).isTrue();
            assertThat(matches(pattern, record(streamRecord.replace("\"101\"", "\"102\"")))).isFalse();
        }

        /** Lambda documents that a pattern with a key twice keeps the key's last value. */
        @Test
        void duplicateKeyKeepsTheLastValue() {
            String pattern = "{\"dynamodb\": {\"NewImage\": {\"AccountManager\": {\"S\": [\"hello\"]},"
                    + " \"AccountManager\": {\"S\": [\"Pat Candella\"]}}}}";
            assertThat(matches(pattern, customer("Pat Candella", null))).isTrue();
            assertThat(matches(pattern, customer("hello", null))).isFalse();
        }

        /** The rows of the comparison-operator table, each on the typed attribute a DynamoDB record has. */
        @Test
        void comparisonOperatorTable() {
            Record item = record("""
                    {"eventName": "INSERT", "dynamodb": {"SizeBytes": 15, "NewImage": {
                      "LastName": {"S": ""}, "Name": {"S": "Alice"}, "Location": {"S": "New York"},
                      "Day": {"S": "Monday"}, "PaymentType": {"S": "Debit"}, "Weather": {"S": "Sunny"},
                      "Price": {"N": "100"}, "ProductName": {"S": "Widget"}, "Region": {"S": "us-east-1"},
                      "FileName": {"S": "photo.png"}}}}""");
            String image = "{\"dynamodb\": {\"NewImage\": {%s}}}";
            assertThat(matches(image.formatted("\"UserID\": {\"S\": [null]}"), item)).as("null").isFalse();
            assertThat(matches(image.formatted("\"LastName\": {\"S\": [\"\"]}"), item)).as("empty").isTrue();
            assertThat(matches(image.formatted("\"Name\": {\"S\": [\"Alice\"]}"), item)).as("equals").isTrue();
            assertThat(matches(image.formatted("\"Name\": {\"S\": [{\"equals-ignore-case\": \"alice\"}]}"), item))
                    .as("equals (ignore case)").isTrue();
            assertThat(matches(image.formatted("\"Location\": {\"S\": [\"New York\"]}, \"Day\": {\"S\":"
                    + " [\"Monday\"]}"), item)).as("and").isTrue();
            assertThat(matches(image.formatted("\"PaymentType\": {\"S\": [\"Credit\", \"Debit\"]}"), item))
                    .as("or").isTrue();
            assertThat(matches(image.formatted("\"$or\": [{\"Location\": {\"S\": [\"Boston\"]}}, {\"Day\": {\"S\":"
                    + " [\"Monday\"]}}]"), item)).as("or (multiple fields)").isTrue();
            assertThat(matches(image.formatted("\"Weather\": {\"S\": [{\"anything-but\": [\"Raining\"]}]}"), item))
                    .as("not").isTrue();
            assertThat(matches(image.formatted("\"ProductName\": {\"S\": [{\"exists\": true}]}"), item))
                    .as("exists").isTrue();
            assertThat(matches(image.formatted("\"ProductName\": {\"S\": [{\"exists\": false}]}"), item))
                    .as("does not exist").isFalse();
            assertThat(matches(image.formatted("\"Region\": {\"S\": [{\"prefix\": \"us-\"}]}"), item))
                    .as("begins with").isTrue();
            assertThat(matches(image.formatted("\"FileName\": {\"S\": [{\"suffix\": \".png\"}]}"), item))
                    .as("ends with").isTrue();
            // numeric compares JSON numbers: SizeBytes is one; a DynamoDB N is a string and never matches
            assertThat(matches("{\"dynamodb\": {\"SizeBytes\": [{\"numeric\": [\"=\", 15]}]}}", item))
                    .as("numeric (equals)").isTrue();
            assertThat(matches("{\"dynamodb\": {\"SizeBytes\": [{\"numeric\": [\">\", 10, \"<=\", 20]}]}}", item))
                    .as("numeric (range)").isTrue();
            assertThat(matches(image.formatted("\"Price\": {\"N\": [{\"numeric\": [\"=\", 100]}]}"), item))
                    .as("numeric on a DynamoDB number").isFalse();
        }
    }

    /**
     * LocalStack's DynamoDB event-filter cases, validated against AWS (first item put, then second; INSERTs unless
     * the key repeats), NEW_AND_OLD_IMAGES: the number of records Lambda passed is the number accepted here.
     */
    @Nested
    class ValidatedAgainstAws {

        private int passed(String pattern, String firstItem, String secondItem, boolean secondIsModify) {
            LambdaFilterCriteria criteria = LambdaFilterCriteria.parse(pattern);
            Record first = record("{\"eventName\": \"INSERT\", \"eventSource\": \"aws:dynamodb\", \"dynamodb\":"
                    + " {\"ApproximateCreationDateTime\": 1716982327, \"NewImage\": " + firstItem + "}}");
            Record second = record("{\"eventName\": \"" + (secondIsModify ? "MODIFY" : "INSERT") + "\", \"dynamodb\":"
                    + " {\"ApproximateCreationDateTime\": 1716982328, \"NewImage\": " + secondItem
                    + (secondIsModify ? ", \"OldImage\": " + firstItem : "") + "}}");
            return (criteria.accepts(first) ? 1 : 0) + (criteria.accepts(second) ? 1 : 0);
        }

        @Test
        void insertSameEntryTwice() {
            String item = "{\"id\": {\"S\": \"id_value\"}, \"id2\": {\"S\": \"id2_value\"}}";
            assertThat(passed("{\"eventName\": [\"INSERT\"]}", item, item, true)).isEqualTo(1);
        }

        @Test
        void orOfEventNames() {
            assertThat(passed("{\"eventName\": [\"INSERT\", \"MODIFY\"]}", "{\"id\": {\"S\": \"id_value\"}}",
                    "{\"id\": {\"S\": \"id_value\"}, \"id2\": {\"S\": \"id2_new_value\"}}", true)).isEqualTo(2);
        }

        @Test
        void contentFilterNeedsTheType() {
            String first = "{\"id\": {\"S\": \"id_value_1\"}, \"presentKey\": {\"S\": \"presentValue\"}}";
            String second = "{\"id\": {\"S\": \"id_value_2\"}}";
            assertThat(passed("{\"dynamodb\": {\"NewImage\": {\"presentKey\": {\"S\": [\"presentValue\"]}}}}",
                    first, second, false)).isEqualTo(1);
            // omitting "S" does not match (LocalStack notes it next to that case)
            assertThat(LambdaFilterCriteria.parse("{\"dynamodb\": {\"NewImage\": {\"presentKey\":"
                    + " [\"presentValue\"]}}}").accepts(record("{\"dynamodb\": {\"NewImage\": " + first + "}}")))
                    .isFalse();
        }

        @Test
        void existsOnTheType() {
            assertThat(passed("{\"dynamodb\": {\"NewImage\": {\"presentKey\": {\"S\": [{\"exists\": true}]}}}}",
                    "{\"id\": {\"S\": \"id_value_1\"}, \"presentKey\": {\"S\": \"presentValue\"}}",
                    "{\"id\": {\"S\": \"id_value_2\"}}", false)).isEqualTo(1);
        }

        /** exists:false on the attribute (not its type) passes both: the attribute is an object, not a leaf. */
        @Test
        void existsFalseOnTheAttribute() {
            assertThat(passed("{\"dynamodb\": {\"NewImage\": {\"presentKey\": [{\"exists\": false}]}}}",
                    "{\"id\": {\"S\": \"id_value_1\"}}",
                    "{\"id\": {\"S\": \"id_value_2\"}, \"presentKey\": {\"S\": \"presentValue\"}}", false))
                    .isEqualTo(2);
        }

        /** numeric never matches a DynamoDB N (a string); anything-but "101" passes "42" and not "101". */
        @Test
        void numericOnDynamoDbNumber() {
            assertThat(passed("{\"dynamodb\": {\"NewImage\": {\"numericFilter\": {\"N\": [{\"numeric\": [\">\","
                            + " 100]}, {\"anything-but\": \"101\"}]}}}}",
                    "{\"id\": {\"S\": \"id_value_1\"}, \"numericFilter\": {\"N\": \"42\"}}",
                    "{\"id\": {\"S\": \"id_value_2\"}, \"numericFilter\": {\"N\": \"101\"}}", false)).isEqualTo(1);
        }

        @Test
        void prefix() {
            assertThat(passed("{\"dynamodb\": {\"NewImage\": {\"prefix\": {\"S\": [{\"prefix\": \"us-1\"}]}}}}",
                    "{\"id\": {\"S\": \"id_value_1\"}, \"prefix\": {\"S\": \"us-1-other-suffix\"}}",
                    "{\"id\": {\"S\": \"id_value_1\"}, \"prefix\": {\"S\": \"other-suffix\"}}", true)).isEqualTo(1);
        }

        /** ApproximateCreationDateTime is a JSON number (epoch seconds) to Lambda, so numeric applies. */
        @Test
        void creationTimeIsANumber() {
            assertThat(passed("{\"dynamodb\": {\"ApproximateCreationDateTime\": [{\"numeric\": [\">\", 0]}]}}",
                    "{\"id\": {\"S\": \"id_value_1\"}}", "{\"id\": {\"S\": \"id_value_2\"}}", false)).isEqualTo(2);
        }
    }
}
