package org.apache.pulsar.io.dynamodb.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.pulsar.io.dynamodb.DynamoDBSourceConfig;
import org.apache.pulsar.io.dynamodb.filter.RecordFilter;
import org.apache.pulsar.io.dynamodb.testing.StreamRecordJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/** The output keys (outputFormat, tombstoneAfterDelete, messageKeyMode) and the filter keys (eventNames, filterCriteria). */
class OutputAndFilterConfigTest {

    private static final String ARN = ArnConfig.ARN;

    private static DynamoDBSourceConfig load(Object... keysAndValues) {
        return ArnConfig.load(keysAndValues);
    }

    @Test
    void defaultsAreTheBuiltinsValueAndEveryEvent() {
        DynamoDBSourceConfig config = load();

        assertThat(config.getOutput().outputFormat()).isEqualTo(OutputFormat.DYNAMODB_JSON);
        assertThat(config.getOutput().tombstoneAfterDelete()).isFalse();
        assertThat(config.getOutput().messageKeyMode()).isEqualTo(MessageKeyMode.PRIMARY_KEY);
        assertThat(config.getFilters().eventNames())
                .containsExactly(OperationType.INSERT, OperationType.MODIFY, OperationType.REMOVE);
        assertThat(config.toString()).contains("messageKeyMode='PRIMARY_KEY', outputFormat='DYNAMODB_JSON', "
                + "tombstoneAfterDelete='false', eventNames='[INSERT, MODIFY, REMOVE]', filterCriteria='', ");
    }

    @ParameterizedTest
    @CsvSource(nullValues = "unset", value = {
        "envelope, unset, true",
        "ENVELOPE, false, false",
        "Envelope, ' TRUE ', true",
        "document, unset, false",
        "DOCUMENT, true, false",
        "dynamodb_json, false, false",
    })
    void tombstonesDefaultToTrueWithEnvelopeOnly(String format, String tombstones, boolean expected) {
        DynamoDBSourceConfig config = tombstones == null
                ? load("outputFormat", format)
                : load("outputFormat", format, "tombstoneAfterDelete", tombstones);

        assertThat(config.getOutput().outputFormat().name()).isEqualTo(format.toUpperCase());
        assertThat(config.getOutput().tombstoneAfterDelete()).isEqualTo(expected);
    }

    @Test
    void booleansMayComeAsBooleans() {
        assertThat(load("outputFormat", "ENVELOPE", "tombstoneAfterDelete", false).getOutput()
                .tombstoneAfterDelete()).isFalse();
    }

    @ParameterizedTest
    @MethodSource("eventNameLists")
    void eventNamesAreAListOrACommaSeparatedStringInAnyCase(Object value, List<OperationType> expected) {
        assertThat(load("eventNames", value).getFilters().eventNames()).containsExactlyElementsOf(expected);
    }

    static Stream<Arguments> eventNameLists() {
        return Stream.of(
                Arguments.of("INSERT", List.of(OperationType.INSERT)),
                Arguments.of(" insert , Remove ", List.of(OperationType.INSERT, OperationType.REMOVE)),
                Arguments.of("modify,modify,", List.of(OperationType.MODIFY)),
                Arguments.of(List.of("remove", "MODIFY"), List.of(OperationType.MODIFY, OperationType.REMOVE)),
                Arguments.of("", List.of(OperationType.INSERT, OperationType.MODIFY, OperationType.REMOVE)));
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of(new Object[] {"outputFormat", "JSON"}, "outputFormat",
                        "must be one of DYNAMODB_JSON, DOCUMENT, ENVELOPE (any case), got 'JSON'"),
                Arguments.of(new Object[] {"outputFormat", "DOCUMENT", "messageKeyMode", "EVENT_ID"}, "messageKeyMode",
                        "EVENT_ID cannot be used with outputFormat DOCUMENT: compaction and tombstones need the "
                                + "item's key (use PRIMARY_KEY)"),
                Arguments.of(new Object[] {"outputFormat", "ENVELOPE", "messageKeyMode", "event_id"}, "messageKeyMode",
                        "EVENT_ID cannot be used with outputFormat ENVELOPE"),
                Arguments.of(new Object[] {"tombstoneAfterDelete", "true"}, "tombstoneAfterDelete",
                        "true needs outputFormat ENVELOPE (DYNAMODB_JSON publishes no tombstones; DOCUMENT "
                                + "publishes each REMOVE as one)"),
                Arguments.of(new Object[] {"outputFormat", "DOCUMENT", "tombstoneAfterDelete", false},
                        "tombstoneAfterDelete", "false cannot be used with outputFormat DOCUMENT"),
                Arguments.of(new Object[] {"outputFormat", "ENVELOPE", "tombstoneAfterDelete", "yes"},
                        "tombstoneAfterDelete", "must be true or false, got 'yes'"),
                Arguments.of(new Object[] {"eventNames", "INSERT,DELETE"}, "eventNames",
                        "unknown event name 'DELETE': must be INSERT, MODIFY or REMOVE (any case)"),
                Arguments.of(new Object[] {"eventNames", List.of()}, "eventNames",
                        "must name at least one of INSERT, MODIFY, REMOVE (leave it unset for all)"),
                Arguments.of(new Object[] {"eventNames", ", ,"}, "eventNames", "must name at least one"),
                Arguments.of(new Object[] {"eventNames", List.of("INSERT", 5)}, "eventNames",
                        "must be a list of names or a comma-separated string, got '[INSERT, 5]'"),
                Arguments.of(new Object[] {"eventNames", 5}, "eventNames", "got '5'"),
                Arguments.of(new Object[] {"eventNames", "UNKNOWN_TO_SDK_VERSION"}, "eventNames",
                        "unknown event name 'UNKNOWN_TO_SDK_VERSION'"),
                Arguments.of(new Object[] {"eventNames", "SNAPSHOT"}, "eventNames", "unknown event name 'SNAPSHOT'"),
                Arguments.of(new Object[] {"filterCriteria", "{\"Filters\":[{\"Pattern\":\"{\\\"eventName\\\":[\\\"INSERT\\\"]}\"},"
                        + "{\"Pattern\":\"{\\\"dynamodb\\\":{\\\"NewImage\\\":{\\\"age\\\":{\\\"N\\\":[{\\\"numeric\\\":[\\\">\\\"]}]}}}}\"}]}"},
                        "filterCriteria", "filterCriteria pattern 2 ("),
                Arguments.of(new Object[] {"filterCriteria", "{not json"}, "filterCriteria", "filterCriteria"),
                Arguments.of(new Object[] {"filterCriteria", List.of(Map.of("eventName", "INSERT"))},
                        "filterCriteria", "filterCriteria pattern 1 ("));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void invalidValuesFailWithOneLineNamingTheKey(Object[] keysAndValues, String key, String problem) {
        IllegalArgumentException error = catchThrowableOfType(() -> load(keysAndValues),
                IllegalArgumentException.class);

        assertThat(error).isNotNull();
        assertThat(error.getMessage()).startsWith("Invalid config '" + key + "': ").contains(problem)
                .doesNotContain("\n");
    }

    @ParameterizedTest
    @CsvSource({"KEYS_ONLY", "OLD_IMAGE"})
    void documentNeedsAStreamWithNewImages(StreamViewType viewType) {
        OutputConfig document = load("outputFormat", "DOCUMENT").getOutput();

        assertThatThrownBy(() -> document.checkStreamViewType(viewType, ARN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid config 'outputFormat': DOCUMENT needs a stream view type with new images "
                        + "(NEW_IMAGE or NEW_AND_OLD_IMAGES), but stream " + ARN + " has " + viewType);
    }

    @Test
    void everyOtherFormatAndViewTypeIsAccepted() {
        for (OutputFormat format : OutputFormat.values()) {
            OutputConfig output = load("outputFormat", format.name()).getOutput();
            for (StreamViewType viewType : List.of(StreamViewType.NEW_IMAGE, StreamViewType.NEW_AND_OLD_IMAGES)) {
                output.checkStreamViewType(viewType, ARN);
            }
            if (format != OutputFormat.DOCUMENT) {
                output.checkStreamViewType(StreamViewType.KEYS_ONLY, ARN);
                output.checkStreamViewType(StreamViewType.OLD_IMAGE, ARN);
            }
        }
    }

    private static final Record INSERT_ADULT = StreamRecordJson.record("{\"eventName\":\"INSERT\",\"dynamodb\":"
            + "{\"Keys\":{\"id\":{\"S\":\"a\"}},\"NewImage\":{\"id\":{\"S\":\"a\"},\"profile\":{\"M\":{\"tier\":{\"S\":\"gold\"}}}}}}");
    private static final Record MODIFY_ADULT = INSERT_ADULT.toBuilder().eventName(OperationType.MODIFY).build();
    private static final Record INSERT_CHILD = StreamRecordJson.record("{\"eventName\":\"INSERT\",\"dynamodb\":"
            + "{\"Keys\":{\"id\":{\"S\":\"b\"}},\"NewImage\":{\"id\":{\"S\":\"b\"},\"profile\":{\"M\":{\"tier\":{\"S\":\"basic\"}}}}}}");
    private static final String GOLD_PATTERN = "{\"dynamodb\":{\"NewImage\":{\"profile\":{\"M\":{\"tier\":{\"S\":[\"gold\"]}}}}}}";

    @Test
    void filterCriteriaMayBeLambdasFilterCriteriaAListOrOnePatternAsTextOrStructure() {
        Map<String, Object> parsedPattern = Map.of("dynamodb", Map.of("NewImage", Map.of("profile",
                Map.of("M", Map.of("tier", Map.of("S", List.of("gold")))))));
        for (Object value : List.of(
                "{\"Filters\":[{\"Pattern\":" + quoted(GOLD_PATTERN) + "}]}",
                Map.of("Filters", List.of(Map.of("Pattern", GOLD_PATTERN))),
                List.of(parsedPattern),
                GOLD_PATTERN)) {
            RecordFilter filter = load("filterCriteria", value).getFilters().recordFilter();

            assertThat(filter.accepts(INSERT_ADULT)).as("%s", value).isTrue();
            assertThat(filter.accepts(INSERT_CHILD)).as("%s", value).isFalse();
        }
    }

    @Test
    void eventNamesAndFilterCriteriaMustBothPass() {
        RecordFilter filter = load("eventNames", "INSERT", "filterCriteria", GOLD_PATTERN).getFilters().recordFilter();

        assertThat(filter.accepts(INSERT_ADULT)).isTrue();
        assertThat(filter.accepts(MODIFY_ADULT)).as("a MODIFY, though its image matches").isFalse();
        assertThat(filter.accepts(INSERT_CHILD)).as("an INSERT whose image does not match").isFalse();
    }

    @Test
    void unsetFiltersPublishEverythingAndWarnOfNothing() {
        FilterConfig filters = load().getFilters();

        assertThat(filters.recordFilter()).isSameAs(RecordFilter.ALL);
        assertThat(filters.filterWarnings()).isEmpty();
    }

    @Test
    void aPatternThatCanNeverMatchAStreamRecordIsAcceptedWithAWarning() {
        // Lambda takes it silently: N values are strings in the record, so numeric never matches them
        FilterConfig filters = load("filterCriteria",
                "{\"dynamodb\":{\"NewImage\":{\"age\":{\"N\":[{\"numeric\":[\">\",18]}]}}}}").getFilters();

        assertThat(filters.filterWarnings()).singleElement().asString().startsWith("filterCriteria pattern 1: ");
    }

    private static String quoted(String json) {
        return "\"" + json.replace("\"", "\\\"") + "\"";
    }

    @Test
    void eventNamesCannotBeChangedThroughTheGetter() {
        FilterConfig filters = load("eventNames", "INSERT").getFilters();
        filters.eventNames().add(OperationType.REMOVE);

        assertThat(filters.eventNames()).containsExactly(OperationType.INSERT);
    }
}
