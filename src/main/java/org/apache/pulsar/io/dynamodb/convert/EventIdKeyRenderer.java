package org.apache.pulsar.io.dynamodb.convert;

import software.amazon.awssdk.services.dynamodb.model.Record;

/** Keys each message by its stream record's eventID, as the builtin connector does (random per change). */
public final class EventIdKeyRenderer implements KeyRenderer {

    public static final EventIdKeyRenderer INSTANCE = new EventIdKeyRenderer();

    private EventIdKeyRenderer() {
    }

    @Override
    public String render(Record streamRecord) {
        return streamRecord.eventID();
    }
}
