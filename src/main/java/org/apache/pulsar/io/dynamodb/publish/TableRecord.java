package org.apache.pulsar.io.dynamodb.publish;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.Schema;
import org.apache.pulsar.functions.api.Record;

/**
 * A record of one table among several: the same record, with a {@code TABLE_NAME} property and, with
 * topicPattern, the table's own topic (Pulsar publishes it there instead of the source's topic).
 */
public final class TableRecord implements Record<byte[]> {

    /** The property naming the record's table when a source reads more than one. */
    public static final String TABLE_NAME = "TABLE_NAME";

    private final Record<byte[]> record;
    private final String table;
    private final boolean nameTable;
    private final Optional<String> topic;

    private TableRecord(Record<byte[]> record, String table, boolean nameTable, Optional<String> topic) {
        this.record = record;
        this.table = table;
        this.nameTable = nameTable;
        this.topic = topic;
    }

    /**
     * The sink for one table's records: each goes on to {@code sink} with the table's name (when {@code nameTable})
     * and topic (when present); the sink itself when neither.
     */
    public static Consumer<Record<byte[]>> sinkFor(String table, boolean nameTable, Optional<String> topic,
                                                   Consumer<Record<byte[]>> sink) {
        if (!nameTable && topic.isEmpty()) {
            return sink;
        }
        return record -> sink.accept(new TableRecord(record, table, nameTable, topic));
    }

    @Override
    public Optional<String> getDestinationTopic() {
        return topic.isPresent() ? topic : record.getDestinationTopic();
    }

    @Override
    public Map<String, String> getProperties() {
        if (!nameTable) {
            return record.getProperties();
        }
        Map<String, String> properties = new HashMap<>(record.getProperties());
        properties.put(TABLE_NAME, table);
        return properties;
    }

    @Override
    public Optional<String> getTopicName() {
        return record.getTopicName();
    }

    @Override
    public Optional<String> getKey() {
        return record.getKey();
    }

    @Override
    public Schema<byte[]> getSchema() {
        return record.getSchema();
    }

    @Override
    public byte[] getValue() {
        return record.getValue();
    }

    @Override
    public Optional<Long> getEventTime() {
        return record.getEventTime();
    }

    @Override
    public Optional<String> getPartitionId() {
        return record.getPartitionId();
    }

    @Override
    public Optional<Integer> getPartitionIndex() {
        return record.getPartitionIndex();
    }

    @Override
    public Optional<Long> getRecordSequence() {
        return record.getRecordSequence();
    }

    @Override
    public void ack() {
        record.ack();
    }

    @Override
    public void fail() {
        record.fail();
    }

    @Override
    public Optional<Message<byte[]>> getMessage() {
        return record.getMessage();
    }

    @Override
    public String toString() {
        return record + "@" + table;
    }
}
