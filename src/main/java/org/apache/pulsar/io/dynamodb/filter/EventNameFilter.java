package org.apache.pulsar.io.dynamodb.filter;

import java.util.EnumSet;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * Publishes the changes whose event name is chosen (config key {@code eventNames}). It judges only INSERT, MODIFY
 * and REMOVE: a record of any other event name (a snapshot read) is no change and passes.
 */
public final class EventNameFilter implements RecordFilter {

    private static final Set<OperationType> CHANGES =
            EnumSet.of(OperationType.INSERT, OperationType.MODIFY, OperationType.REMOVE);

    private final Set<OperationType> rejected;

    private EventNameFilter(Set<OperationType> rejected) {
        this.rejected = rejected;
    }

    /** The filter publishing these change events; {@link RecordFilter#ALL} when they are all three. */
    public static RecordFilter of(Set<OperationType> published) {
        Set<OperationType> rejected = EnumSet.copyOf(CHANGES);
        rejected.removeAll(published);
        return rejected.isEmpty() ? RecordFilter.ALL : new EventNameFilter(rejected);
    }

    @Override
    public boolean accepts(Record record) {
        OperationType eventName = record.eventName();
        return eventName == null || !rejected.contains(eventName);
    }

    @Override
    public String toString() {
        EnumSet<OperationType> published = EnumSet.copyOf(CHANGES);
        published.removeAll(rejected);
        return "eventNames " + published;
    }
}
