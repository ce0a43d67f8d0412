package org.apache.pulsar.io.dynamodb.config;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.pulsar.io.core.annotations.FieldDoc;
import org.apache.pulsar.io.dynamodb.filter.EventNameFilter;
import org.apache.pulsar.io.dynamodb.filter.LambdaFilterCriteria;
import org.apache.pulsar.io.dynamodb.filter.RecordFilter;
import software.amazon.awssdk.services.dynamodb.model.OperationType;

/** Which stream records are published; validated and immutable. */
public final class FilterConfig {

    /** This concern's config keys, in declaration order. */
    public static final List<String> KEYS = FieldDocs.keys(FilterConfig.class);

    private static final Set<OperationType> CHANGE_EVENTS =
            EnumSet.of(OperationType.INSERT, OperationType.MODIFY, OperationType.REMOVE);

    @FieldDoc(required = false, defaultValue = "INSERT,MODIFY,REMOVE",
            help = "Which changes are published: a list, or a comma-separated string, of INSERT, MODIFY and REMOVE "
                    + "(any case); the others are checkpointed past, never published")
    private final Set<OperationType> eventNames;

    @FieldDoc(required = false, defaultValue = "",
            help = "AWS Lambda event filtering: Lambda's FilterCriteria {\"Filters\":[{\"Pattern\":\"...\"}]}, a list of "
                    + "patterns, or one pattern, as JSON text or YAML; a change is published if any pattern matches "
                    + "it as Lambda sees a DynamoDB stream record. Empty: no pattern filtering")
    private final LambdaFilterCriteria filterCriteria;

    private FilterConfig(Set<OperationType> eventNames, LambdaFilterCriteria filterCriteria) {
        this.eventNames = eventNames;
        this.filterCriteria = filterCriteria;
    }

    /** Reads and checks this concern's keys; problems go to the reader as one-line errors. */
    public static FilterConfig read(ConfigReader in) {
        Set<OperationType> events = EnumSet.copyOf(CHANGE_EVENTS);
        in.stringList("eventNames").ifPresent(names -> {
            Set<OperationType> chosen = EnumSet.noneOf(OperationType.class);
            for (String name : names) {
                OperationType type = OperationType.fromValue(name.toUpperCase(Locale.ROOT));
                if (!CHANGE_EVENTS.contains(type)) {
                    in.error("eventNames", "unknown event name " + ConfigReader.echo(name)
                            + ": must be INSERT, MODIFY or REMOVE (any case)");
                    return;
                }
                chosen.add(type);
            }
            if (chosen.isEmpty()) {
                in.error("eventNames", "must name at least one of INSERT, MODIFY, REMOVE (leave it unset for all)");
                return;
            }
            events.retainAll(chosen);
        });
        return new FilterConfig(events, filterCriteria(in));
    }

    private static LambdaFilterCriteria filterCriteria(ConfigReader in) {
        Object value = in.value("filterCriteria").orElse(null);
        if (value == null) {
            return null;
        }
        try {
            return LambdaFilterCriteria.parse(value);
        } catch (IllegalArgumentException e) {
            in.error("filterCriteria", e.getMessage());
            return null;
        }
    }

    /** What decides which records are published: the chosen event names, and then the filter patterns if any. */
    public RecordFilter recordFilter() {
        RecordFilter events = EventNameFilter.of(eventNames);
        if (filterCriteria == null) {
            return events;
        }
        return events == RecordFilter.ALL ? filterCriteria
                : record -> events.accepts(record) && filterCriteria.accepts(record);
    }

    /**
     * What decides which snapshot reads are published: the filter patterns, matched against the read as against the
     * INSERT of that item (eventName INSERT, Keys, NewImage), so a pattern written for changes keeps the items it
     * would keep were they inserted now. eventNames does not apply: a snapshot read is no change, and snapshotMode
     * asks for it.
     */
    public RecordFilter snapshotFilter() {
        if (filterCriteria == null) {
            return RecordFilter.ALL;
        }
        return read -> filterCriteria.accepts(read.toBuilder().eventName(OperationType.INSERT).build());
    }

    /** One line per part of a filter pattern that can never match a stream record; empty without patterns. */
    public List<String> filterWarnings() {
        return filterCriteria == null ? List.of() : filterCriteria.warnings();
    }

    /** The change events published: a subset of INSERT, MODIFY, REMOVE, never empty. */
    public Set<OperationType> eventNames() {
        return EnumSet.copyOf(eventNames);
    }
}
