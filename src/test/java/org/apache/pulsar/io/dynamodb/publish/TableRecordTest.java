package org.apache.pulsar.io.dynamodb.publish;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.pulsar.functions.api.Record;
import org.junit.jupiter.api.Test;

/** A record of one table among several: TABLE_NAME and the table's topic, everything else as it was. */
class TableRecordTest {

    /** A record that counts its acks and fails. */
    private static final class Plain implements Record<byte[]> {
        int acks;
        int fails;

        @Override
        public Optional<String> getKey() {
            return Optional.of("{\"id\":{\"S\":\"a\"}}");
        }

        @Override
        public byte[] getValue() {
            return new byte[] {1, 2};
        }

        @Override
        public Map<String, String> getProperties() {
            return Map.of("EVENT_NAME", "INSERT", "SEQUENCE_NUMBER", "100");
        }

        @Override
        public Optional<Long> getEventTime() {
            return Optional.of(5L);
        }

        @Override
        public void ack() {
            acks++;
        }

        @Override
        public void fail() {
            fails++;
        }
    }

    private final List<Record<byte[]>> sent = new ArrayList<>();
    private final Consumer<Record<byte[]>> sink = sent::add;

    @Test
    void namesTheTableAndItsTopicAndPassesAcksOn() {
        Plain plain = new Plain();
        TableRecord.sinkFor("orders", true, Optional.of("persistent://public/default/cdc-orders"), sink).accept(plain);

        Record<byte[]> record = sent.get(0);
        assertThat(record.getProperties()).containsEntry("TABLE_NAME", "orders")
                .containsEntry("EVENT_NAME", "INSERT").containsEntry("SEQUENCE_NUMBER", "100");
        assertThat(record.getDestinationTopic()).contains("persistent://public/default/cdc-orders");
        assertThat(record.getKey()).isEqualTo(plain.getKey());
        assertThat(record.getValue()).isEqualTo(new byte[] {1, 2});
        assertThat(record.getEventTime()).contains(5L);
        record.ack();
        record.fail();
        assertThat(plain.acks).isOne();
        assertThat(plain.fails).isOne();
    }

    @Test
    void oneTableToTheSourcesTopicIsTheRecordItself() {
        Plain plain = new Plain();
        TableRecord.sinkFor("orders", false, Optional.empty(), sink).accept(plain);
        assertThat(sent).containsExactly(plain);

        TableRecord.sinkFor("orders", false, Optional.of("t-orders"), sink).accept(plain);
        assertThat(sent.get(1).getProperties()).doesNotContainKey("TABLE_NAME");
        assertThat(sent.get(1).getDestinationTopic()).contains("t-orders");
    }
}
