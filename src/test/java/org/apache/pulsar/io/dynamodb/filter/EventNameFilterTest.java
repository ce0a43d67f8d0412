package org.apache.pulsar.io.dynamodb.filter;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;

class EventNameFilterTest {

    private static Record record(String eventName) {
        return Record.builder().eventName(eventName).build();
    }

    @Test
    void publishesOnlyTheChosenChanges() {
        RecordFilter filter = EventNameFilter.of(Set.of(OperationType.INSERT, OperationType.REMOVE));

        assertThat(filter.accepts(record("INSERT"))).isTrue();
        assertThat(filter.accepts(record("MODIFY"))).isFalse();
        assertThat(filter.accepts(record("REMOVE"))).isTrue();
        assertThat(filter).hasToString("eventNames [INSERT, REMOVE]");
    }

    @Test
    void everyChangeChosenIsNoFilterAtAll() {
        assertThat(EventNameFilter.of(EnumSet.of(OperationType.INSERT, OperationType.MODIFY, OperationType.REMOVE)))
                .isSameAs(RecordFilter.ALL);
    }

    @Test
    void aRecordThatIsNoChangePasses() {
        RecordFilter onlyRemoves = EventNameFilter.of(Set.of(OperationType.REMOVE));

        assertThat(onlyRemoves.accepts(record("SNAPSHOT"))).as("a snapshot read").isTrue();
        assertThat(onlyRemoves.accepts(Record.builder().build())).as("no event name").isTrue();
        assertThat(onlyRemoves.accepts(record("MODIFY"))).isFalse();
    }
}
