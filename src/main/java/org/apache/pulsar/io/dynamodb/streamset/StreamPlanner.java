package org.apache.pulsar.io.dynamodb.streamset;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.pulsar.io.dynamodb.discovery.TableState;
import org.apache.pulsar.io.dynamodb.streamset.StreamEvent.Kind;
import software.amazon.kinesis.common.InitialPositionInStream;

/**
 * Decides which streams the source reads, table by table, from what DynamoDB and the lease table say now: a pure
 * function, so every instance of a source computes the same list.
 *
 * <p>Per table: its older streams that still have a shard not read to its end, oldest first; and its current
 * (enabled) stream only once no older one is left, so that a re-enabled stream's changes never overtake the old
 * stream's last ones. A stream is finished when it is no longer the table's current stream (disabled, or its table
 * deleted) and every one of its leases is at SHARD_END, which the shard processor writes only after Pulsar
 * acknowledged every record of the shard.
 *
 * <p>A table that exists but is no longer selected (it stopped matching tableNamePrefix or tableTag) is dropped at
 * once, streams and all, and its leases are for deletion. So is a table held for its snapshot: none of its streams is
 * read while the snapshot runs, and leases it still has (a table snapshotted again after a retention gap) are for
 * deletion, since the snapshot reads only once no worker holds one. A table whose current stream cannot give the output format
 * what it needs (its view type) is not read, and reported.
 */
public final class StreamPlanner {

    /** Passes without any lease after which a stream that is not current counts as gone (KCL deleted its leases). */
    static final int PASSES_TO_VANISH = 2;

    private final InitialPositionInStream configured;
    private final Function<String, String> toKclArn;
    private final Predicate<String> usableViewType;

    /**
     * @param configured where a table new to the source starts (initialPositionInStream)
     * @param toKclArn   a stream's real ARN to the one KCL reads
     */
    public StreamPlanner(InitialPositionInStream configured, Function<String, String> toKclArn) {
        this(configured, toKclArn, viewType -> true);
    }

    /**
     * @param usableViewType whether the output format can be made from a stream of this view type (DescribeTable's
     *                       StreamViewType; null when it did not say)
     */
    public StreamPlanner(InitialPositionInStream configured, Function<String, String> toKclArn,
                         Predicate<String> usableViewType) {
        this.configured = configured;
        this.toKclArn = toKclArn;
        this.usableViewType = usableViewType;
    }

    /**
     * The streams to read and what changed, for one pass.
     *
     * @param ended   streams not read whose leases are all at SHARD_END (read to their end, by this instance or
     *                before it started): their leases can go once they are no longer needed
     * @param dropped streams of tables that are no longer selected but exist and still have leases: their leases
     *                are to be deleted, so that KCL stops reading them
     * @param held    streams of tables held for their snapshot that still have leases: their leases are to be
     *                deleted, so that KCL stops reading them and the snapshot can begin
     */
    public record Plan(List<ActiveStream> streams, List<StreamEvent> events, List<StreamName> ended,
                       List<StreamName> dropped, List<StreamName> held) {
    }

    /**
     * @param discovered the tables to read now
     * @param states     DescribeTable's answer per table, for the discovered ones and those still read; a table
     *                   missing here (its DescribeTable failed) is left as it was
     * @param leases     each stream's leases, by identifier
     * @param active     the streams read until now
     */
    public Plan plan(Set<String> discovered, Map<String, TableState> states, Map<String, StreamLeases> leases,
                     List<ActiveStream> active) {
        return plan(discovered, states, leases, active, Map.of());
    }

    /**
     * The same, with each table's admission ({@link TableAdmission#OPEN} for a table not in {@code admissions}): a
     * held table's current stream is not read; a snapshotted table's new streams start at TRIM_HORIZON.
     */
    public Plan plan(Set<String> discovered, Map<String, TableState> states, Map<String, StreamLeases> leases,
                     List<ActiveStream> active, Map<String, TableAdmission> admissions) {
        Set<String> tables = new TreeSet<>(discovered);
        active.forEach(stream -> tables.add(stream.name().table()));
        leases.forEach((identifier, lease) -> {
            if (!lease.allEnded()) {
                tables.add(StreamName.ofIdentifier(identifier).table());
            }
        });
        List<ActiveStream> streams = new ArrayList<>();
        List<StreamEvent> events = new ArrayList<>();
        List<StreamName> dropped = new ArrayList<>();
        List<StreamName> held = new ArrayList<>();
        for (String table : tables) {
            List<ActiveStream> before = active.stream().filter(s -> s.name().table().equals(table)).toList();
            TableState state = states.get(table);
            if (state == null) {
                streams.addAll(before);  // not described this pass: nothing to decide on
                continue;
            }
            if (!discovered.contains(table) && state.exists()) {
                deselect(table, leases, before, events, dropped, Kind.DESELECTED);
            } else if (admissions.getOrDefault(table, TableAdmission.OPEN).held()
                    && usableViewType.test(state.streamViewType())) {
                deselect(table, leases, before, events, held, Kind.HELD);
            } else {
                planTable(table, discovered.contains(table), state, leases, before, streams, events,
                        admissions.getOrDefault(table, TableAdmission.OPEN));
            }
        }
        List<StreamName> ended = new ArrayList<>();
        leases.forEach((identifier, lease) -> {
            if (lease.shards() > 0 && lease.allEnded()
                    && streams.stream().noneMatch(s -> s.name().identifier().equals(identifier))) {
                ended.add(StreamName.ofIdentifier(identifier));
            }
        });
        ended.sort(Comparator.comparing(StreamName::identifier));
        return new Plan(List.copyOf(streams), List.copyOf(events), List.copyOf(ended), List.copyOf(dropped),
                List.copyOf(held));
    }

    /** A table no longer selected, or held for its snapshot: none of its streams is read from now on. */
    private static void deselect(String table, Map<String, StreamLeases> leases, List<ActiveStream> before,
                                 List<StreamEvent> events, List<StreamName> dropped, Kind why) {
        before.stream().filter(s -> s.name().table().equals(table))
                .forEach(s -> events.add(new StreamEvent(why, table, s.name(), null)));
        leases.forEach((identifier, lease) -> {
            StreamName name = StreamName.ofIdentifier(identifier);
            if (name.table().equals(table) && !lease.allEnded()) {
                dropped.add(name);
            }
        });
        dropped.sort(Comparator.comparing(StreamName::identifier));
    }

    private void planTable(String table, boolean selected, TableState state, Map<String, StreamLeases> leases,
                           List<ActiveStream> before, List<ActiveStream> streams, List<StreamEvent> events,
                           TableAdmission admission) {
        StreamName latest = selected && state.exists()
                ? state.stream().map(arn -> StreamName.ofArn(toKclArn.apply(arn))).orElse(null) : null;
        boolean unusable = latest != null && !usableViewType.test(state.streamViewType());
        if (unusable) {
            events.add(new StreamEvent(Kind.UNUSABLE_VIEW_TYPE, table, latest, null));
        }
        StreamName current = unusable ? null : latest;
        TreeSet<StreamName> older = new TreeSet<>(Comparator.comparing(StreamName::label));
        before.forEach(s -> older.add(s.name()));
        leases.forEach((identifier, lease) -> {
            StreamName name = StreamName.ofIdentifier(identifier);
            if (name.table().equals(table) && !lease.allEnded()) {
                older.add(name);
            }
        });
        if (latest != null) {
            older.removeIf(name -> name.identifier().equals(latest.identifier()));
        }
        boolean olderLeft = false;
        for (StreamName name : older) {
            Optional<ActiveStream> was = find(before, name);
            StreamLeases lease = leases.get(name.identifier());
            if (lease != null && lease.shards() > 0) {
                if (lease.allEnded()) {
                    was.ifPresent(w -> events.add(new StreamEvent(Kind.FINISHED, table, name, null)));
                } else {
                    streams.add(new ActiveStream(name, was.map(ActiveStream::position)
                            .orElse(InitialPositionInStream.TRIM_HORIZON), 0));
                    olderLeft = true;
                }
            } else if (was.isPresent()) {
                int passes = was.get().passesWithoutLeases() + 1;
                if (passes >= PASSES_TO_VANISH) {
                    events.add(new StreamEvent(Kind.VANISHED, table, name, null));
                } else {
                    streams.add(new ActiveStream(name, was.get().position(), passes));
                    olderLeft = true;
                }
            }
        }
        if (current == null) {
            if (selected && !unusable) {
                events.add(new StreamEvent(state.exists() ? Kind.NO_STREAM : Kind.MISSING_TABLE, table, null, null));
            }
            return;
        }
        if (olderLeft) {
            return;  // the current stream waits until the older ones are read to their end
        }
        Optional<ActiveStream> was = find(before, current);
        if (was.isPresent()) {
            streams.add(was.get());
            return;
        }
        Optional<StreamName> previous = leases.keySet().stream().map(StreamName::ofIdentifier)
                .filter(name -> name.table().equals(table) && !name.identifier().equals(current.identifier()))
                .max(Comparator.comparing(StreamName::label));
        boolean hasLeases = leases.containsKey(current.identifier());
        // A table the source has read before continues from its new stream's first record: every change since the
        // stream was enabled again is needed. A table new to the source starts where the configuration says, or
        // after its snapshot from the oldest record (the shards skip what the snapshot covers).
        InitialPositionInStream position = previous.isPresent() || admission.skipCreatedBefore().isPresent()
                ? InitialPositionInStream.TRIM_HORIZON : configured;
        streams.add(new ActiveStream(current, position, 0));
        events.add(previous.isPresent() && !hasLeases
                ? new StreamEvent(Kind.FOLLOWED, table, current, previous.get())
                : new StreamEvent(Kind.ADDED, table, current, null));
    }

    private static Optional<ActiveStream> find(List<ActiveStream> streams, StreamName name) {
        return streams.stream().filter(s -> s.name().identifier().equals(name.identifier())).findFirst();
    }
}
