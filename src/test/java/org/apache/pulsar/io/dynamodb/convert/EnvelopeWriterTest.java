package org.apache.pulsar.io.dynamodb.convert;

import static org.apache.pulsar.io.dynamodb.convert.FormatRecords.ORIGIN;
import static org.apache.pulsar.io.dynamodb.convert.FormatRecords.READ_TIME;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.fixture;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.Record;

/** ENVELOPE values against fixture files: op, keys, before, after, source, ts_ms, every field always there. */
class EnvelopeWriterTest {

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void insertIsACreateWithTheItemAfterAndNothingBefore() {
        byte[] json = EnvelopeWriter.write(FormatRecords.insertAllTypes(), ORIGIN, READ_TIME);

        assertThat(json).isEqualTo(fixture("envelope-insert-all-types.json").getBytes(StandardCharsets.UTF_8));
        // the INSERT's empty OldImage (as some decoders hand it over) is no before image
        assertThat(parse(json).get("before").isNull()).isTrue();
    }

    @Test
    void modifyIsAnUpdateWithBothImagesAndExactNumbers() {
        String json = EnvelopeWriter.writeString(FormatRecords.modifyCompositeKey(), ORIGIN, READ_TIME);

        assertThat(json).isEqualTo(fixture("envelope-modify-composite-key.json"));
        JsonNode envelope = parse(json.getBytes(StandardCharsets.UTF_8));
        assertThat(fieldNames(envelope)).containsExactly("op", "keys", "before", "after", "source", "ts_ms");
        assertThat(fieldNames(envelope.get("source")))
                .containsExactly("table", "region", "stream_arn", "shard_id", "sequence_number", "ts_ms");
        assertThat(envelope.get("ts_ms").longValue()).isEqualTo(READ_TIME);
        assertThat(envelope.at("/source/ts_ms").longValue()).isEqualTo(1752464541123L);
    }

    @Test
    void removeIsADeleteWithTheItemBeforeAndNothingAfter() {
        assertThat(EnvelopeWriter.writeString(FormatRecords.remove(), ORIGIN, READ_TIME))
                .isEqualTo(fixture("envelope-remove.json"));
    }

    @Test
    void keysOnlyStreamGivesNullImages() {
        assertThat(EnvelopeWriter.writeString(FormatRecords.modifyKeysOnly(), ORIGIN, READ_TIME))
                .isEqualTo(fixture("envelope-modify-keys-only.json"));
    }

    @Test
    void snapshotReadIsAReadFromNoShardWithoutSequenceNumber() {
        assertThat(EnvelopeWriter.writeString(FormatRecords.snapshot(), FormatRecords.snapshotOrigin(), READ_TIME))
                .isEqualTo(fixture("envelope-snapshot.json"));
    }

    @Test
    void opIsDebeziumsLetterForEachEventName() {
        assertThat(List.of("INSERT", "MODIFY", "REMOVE", "SNAPSHOT")).extracting(EnvelopeWriter::op)
                .containsExactly("c", "u", "d", "r");
        assertThatThrownBy(() -> EnvelopeWriter.write(Record.builder().eventName("FUTURE_OP").build(), ORIGIN, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("outputFormat ENVELOPE has no op for eventName FUTURE_OP");
    }

    @Test
    void aRecordWithoutDynamodbPartHasNullFields() {
        Record bare = Record.builder().eventName("INSERT").build();

        assertThat(EnvelopeWriter.writeString(bare, ORIGIN.withShard(null), 7)).isEqualTo("{\"op\":\"c\","
                + "\"keys\":null,\"before\":null,\"after\":null,\"source\":{\"table\":\"users\","
                + "\"region\":\"eu-north-1\",\"stream_arn\":\"" + ORIGIN.streamArn() + "\",\"shard_id\":null,"
                + "\"sequence_number\":null,\"ts_ms\":null},\"ts_ms\":7}");
    }
}
