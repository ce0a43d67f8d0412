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
 * Says in the log what a look at the tables found; a table without a stream, missing, or whose stream's view type
 * the output format cannot use is reported once until it changes, not on every pass.
 */
final class TableEvents {

    private static final Logger log = LoggerFactory.getLogger(TableEvents.class);

    private final long intervalMillis;
    private final String outputFormat;
    private final String selection;
    private final Set<String> reported = new HashSet<>();

    /**
     * @param outputFormat the outputFormat, named when a stream cannot give it what it needs
     * @param selection    what selects the tables (e.g. "tableNamePrefix 'prod-'"), named when one stops matching
     */
    TableEvents(long intervalMillis, String outputFormat, String selection) {
        this.intervalMillis = intervalMillis;
        this.outputFormat = outputFormat;
        this.selection = selection;
    }

    /** A table's stream was read to its end and its new one is read from its first record: INFO, and the gap: WARN. */
    static void followed(String table, String finishedStream, String nextStream) {
        log.info("Table {}: stream {} was read to its end; continuing on the table's new stream {} from its first "
                + "record", table, finishedStream, nextStream);
        log.warn("Table {}: changes made while its stream was disabled (after the last record of stream {}, before "
                + "stream {} was created) were recorded by no stream: they are in no topic", table, finishedStream,
                nextStream);
    }

    /**
     * @param onFinished told of each stream that was read to its end
     */
    void report(List<StreamEvent> events, Map<String, TableState> states, Consumer<StreamEvent> onFinished) {
        Set<String> seen = new HashSet<>();
        for (StreamEvent event : events) {
            String table = event.table();
            switch (event.kind()) {
                case ADDED -> log.info("Table {}: reading stream {}", table, event.stream().kclArn());
                case FOLLOWED -> followed(table, event.before().kclArn(), event.stream().kclArn());
                case FINISHED -> {
                    TableState state = states.get(table);
                    log.info("Table {}: stream {} read to its end and every record acknowledged ({}); no longer read",
                            table, event.stream().kclArn(), state != null && !state.exists() ? "the table was deleted"
                                    : "the table's stream was disabled");
                    onFinished.accept(event);
                }
                case HELD -> log.info("Table {}: stream {} is no longer read while the table is snapshotted again; "
                        + "its leases are deleted in {} s, then the snapshot reads the table and the stream is read "
                        + "again from its oldest record", table, event.stream().kclArn(),
                        TableStreams.LEASE_DELETION_DELAY.toSeconds());
                case VANISHED -> log.warn("Table {}: stream {} no longer exists, and not every shard of it was read "
                        + "to its end: changes of the table may be missing (a stream stays readable 24 hours after "
                        + "it is disabled)", table, event.stream().kclArn());
                case DESELECTED -> log.info("Table {} no longer matches {}: stream {} is dropped like a deleted "
                        + "table's; its shards are read until its leases are deleted in about {} s, its later changes "
                        + "are in no topic", table, selection, event.stream().kclArn(),
                        TableStreams.LEASE_DELETION_DELAY.toSeconds());
                case UNUSABLE_VIEW_TYPE -> {
                    String key = event.kind() + " " + table + " " + event.stream().identifier();
                    seen.add(key);
                    if (reported.add(key)) {
                        TableState state = states.get(table);
                        log.error("Table {} is not read: outputFormat {} needs a stream view type with new images "
                                + "(NEW_IMAGE or NEW_AND_OLD_IMAGES), but its stream {} has {}; the other tables are "
                                + "read", table, outputFormat, event.stream().kclArn(),
                                state == null ? "another" : state.streamViewType());
                    }
                }
                case NO_STREAM, MISSING_TABLE -> {
                    seen.add(event.kind() + " " + table);
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
        reported.retainAll(seen);
    }
}
