package org.apache.pulsar.io.dynamodb.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;
import java.util.stream.Stream;
import org.apache.pulsar.io.dynamodb.DynamoDBSourceConfig;
import org.apache.pulsar.io.dynamodb.filter.RecordFilter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

/** The snapshot keys: snapshotMode, snapshotSegments, snapshotReadCapacityPerSecond, snapshotConsistentRead. */
class SnapshotConfigTest {

    private static final String ARN = ArnConfig.ARN;

    private static DynamoDBSourceConfig load(Object... keysAndValues) {
        return ArnConfig.load(keysAndValues);
    }

    @Test
    void defaultsAreNoSnapshotEightSegmentsAThousandReadUnitsEventuallyConsistent() {
        SnapshotConfig snapshot = load().getSnapshot();

        assertThat(snapshot.mode()).isEqualTo(SnapshotMode.NONE);
        assertThat(snapshot.enabled()).isFalse();
        assertThat(snapshot.segments()).isEqualTo(8);
        assertThat(snapshot.readCapacityPerSecond()).isEqualTo(1_000);
        assertThat(snapshot.consistentRead()).isFalse();
        assertThat(load().toString()).contains("snapshotMode='NONE', snapshotSegments=8, "
                + "snapshotReadCapacityPerSecond=1000, snapshotConsistentRead='false', ");
    }

    @Test
    void valuesComeAsTextOrTypedInAnyCase() {
        SnapshotConfig snapshot = load("snapshotMode", " initial ", "snapshotSegments", "1000",
                "snapshotReadCapacityPerSecond", 0, "snapshotConsistentRead", "TRUE").getSnapshot();

        assertThat(snapshot.mode()).isEqualTo(SnapshotMode.INITIAL);
        assertThat(snapshot.enabled()).isTrue();
        assertThat(snapshot.segments()).isEqualTo(1000);
        assertThat(snapshot.readCapacityPerSecond()).isZero();
        assertThat(snapshot.consistentRead()).isTrue();
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("snapshotMode", "ALWAYS", "must be one of NONE, INITIAL, WHEN_NEEDED (any case), got "
                        + "'ALWAYS'"),
                Arguments.of("snapshotSegments", 0, "must be a whole number from 1 to 1000, got '0'"),
                Arguments.of("snapshotSegments", "1001", "must be a whole number from 1 to 1000, got '1001'"),
                Arguments.of("snapshotSegments", "2.5", "got '2.5'"),
                Arguments.of("snapshotReadCapacityPerSecond", -1, "must be a whole number of read capacity units "
                        + "from 0 (no limit) to 10000000, got '-1'"),
                Arguments.of("snapshotReadCapacityPerSecond", "lots", "got 'lots'"),
                Arguments.of("snapshotConsistentRead", "yes", "must be true or false, got 'yes'"));
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void invalidValuesFailWithOneLineNamingTheKey(String key, Object value, String problem) {
        IllegalArgumentException error = catchThrowableOfType(() -> load(key, value), IllegalArgumentException.class);

        assertThat(error).isNotNull();
        assertThat(error.getMessage()).startsWith("Invalid config '" + key + "': ").contains(problem)
                .doesNotContain("\n");
    }

    private static Record snapshotRead(String tier) {
        Map<String, AttributeValue> item = Map.of("id", AttributeValue.fromS("a"), "tier", AttributeValue.fromS(tier));
        return Record.builder().eventName("SNAPSHOT").dynamodb(StreamRecord.builder()
                .keys(Map.of("id", AttributeValue.fromS("a"))).newImage(item).build()).build();
    }

    private static final String GOLD = "{\"dynamodb\":{\"NewImage\":{\"tier\":{\"S\":[\"gold\"]}}}}";

    @Test
    void filterPatternsMatchASnapshotReadAsTheInsertOfItsItem() {
        RecordFilter inserts = load("filterCriteria", "{\"eventName\":[\"INSERT\"],\"dynamodb\":{\"NewImage\":"
                + "{\"tier\":{\"S\":[\"gold\"]}}}}").getFilters().snapshotFilter();
        RecordFilter modifies = load("filterCriteria", "{\"eventName\":[\"MODIFY\"]}").getFilters().snapshotFilter();
        RecordFilter gold = load("filterCriteria", GOLD).getFilters().snapshotFilter();

        assertThat(inserts.accepts(snapshotRead("gold"))).isTrue();
        assertThat(inserts.accepts(snapshotRead("basic"))).isFalse();
        assertThat(modifies.accepts(snapshotRead("gold"))).as("no MODIFY is a snapshot read").isFalse();
        assertThat(gold.accepts(snapshotRead("gold"))).isTrue();
        assertThat(gold.accepts(snapshotRead("basic"))).isFalse();
    }

    @Test
    void eventNamesDoNotFilterSnapshotReads() {
        FilterConfig onlyRemoves = load("eventNames", "REMOVE").getFilters();

        assertThat(onlyRemoves.snapshotFilter()).isSameAs(RecordFilter.ALL);
        assertThat(onlyRemoves.recordFilter().accepts(snapshotRead("gold")))
                .as("nor does the stream's filter, which judges only INSERT, MODIFY and REMOVE").isTrue();
        assertThat(load("eventNames", "MODIFY", "filterCriteria", GOLD).getFilters().snapshotFilter()
                .accepts(snapshotRead("gold"))).isTrue();
    }
}
