package org.apache.pulsar.io.dynamodb.kcl;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.pulsar.io.dynamodb.discovery.TableState;
import org.apache.pulsar.io.dynamodb.streamset.StreamEvent;
import org.apache.pulsar.io.dynamodb.streamset.StreamEvent.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says in the log what a look at the tables found; a table without a stream, or missing, is reported once until it
 * changes, not on every pass.
 */
final class TableEvents {

    private static final Logger log = LoggerFactory.getLogger(TableEvents.class);

    private final long intervalMillis;
    private final Set<String> reported = new HashSet<>();

    TableEvents(long intervalMillis) {
        this.intervalMillis = intervalMillis;
    }

    /**
     * @param onFinished told of each stream that was read to its end
     */
    void report(List<StreamEvent> events, Map<String, TableState> states, Consumer<StreamEvent> onFinished) {
        Set<String> quiet = new HashSet<>();
        for (StreamEvent event : events) {
            String table = event.table();
            switch (event.kind()) {
                case ADDED -> log.info("Table {}: reading stream {}", table, event.stream().kclArn());
                case FOLLOWED -> {
                    log.info("Table {}: stream {} was read to its end; continuing on the table's new stream {} "
                            + "from its first record", table, event.before().kclArn(), event.stream().kclArn());
                    log.warn("Table {}: changes made while its stream was disabled (after the last record of stream"
                            + " {}, before stream {} was created) were recorded by no stream: they are in no topic",
                            table, event.before().kclArn(), event.stream().kclArn());
                }
                case FINISHED -> {
                    TableState state = states.get(table);
                    log.info("Table {}: stream {} read to its end and every record acknowledged ({}); no longer read",
                            table, event.stream().kclArn(), state != null && !state.exists() ? "the table was deleted"
                                    : "the table's stream was disabled");
                    onFinished.accept(event);
                }
                case VANISHED -> log.warn("Table {}: stream {} no longer exists, and not every shard of it was read "
                        + "to its end: changes of the table may be missing (a stream stays readable 24 hours after "
                        + "it is disabled)", table, event.stream().kclArn());
                case NO_STREAM, MISSING_TABLE -> {
                    quiet.add(table);
                    if (reported.add(event.kind() + " " + table)) {
                        log.warn(event.kind() == Kind.NO_STREAM
                                ? "Table {} has no enabled stream: it is read once one is enabled (looked at every {} ms)"
                                : "Table {} does not exist: it is read once it is created (looked at every {} ms)",
                                table, intervalMillis);
                    }
                }
                default -> throw new IllegalStateException("unknown event " + event.kind());
            }
        }
        // a table that has a stream again (or exists again) is reported again the next time it has none
        reported.removeIf(key -> !quiet.contains(key.substring(key.indexOf(' ') + 1)));
    }
}
