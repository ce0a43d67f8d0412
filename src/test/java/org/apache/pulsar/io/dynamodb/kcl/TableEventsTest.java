package org.apache.pulsar.io.dynamodb.kcl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.pulsar.io.dynamodb.discovery.TableState;
import org.apache.pulsar.io.dynamodb.streamset.StreamEvent;
import org.apache.pulsar.io.dynamodb.streamset.StreamEvent.Kind;
import org.apache.pulsar.io.dynamodb.streamset.StreamName;
import org.apache.pulsar.io.dynamodb.testing.LogCapture;
import org.junit.jupiter.api.Test;

/** What the log says about the tables, pass after pass: problems once, not on every pass. */
class TableEventsTest {

    private static final String ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/ta/stream/2026-12-01T22:00:00.000";
    private static final StreamName STREAM = StreamName.ofArn(ARN);
    private static final Map<String, TableState> KEYS_ONLY = Map.of("ta",
            new TableState("ta", true, "arn:aws:dynamodb:us-east-1:000000000000:table/ta", ARN, "KEYS_ONLY"));

    private final TableEvents events = new TableEvents(60_000, "DOCUMENT", "tableNamePrefix 't'");
    private final List<StreamEvent> finished = new ArrayList<>();

    private List<LogCapture.Event> pass(List<StreamEvent> found, Map<String, TableState> states) {
        try (LogCapture logs = LogCapture.start()) {
            events.report(found, states, finished::add);
            return logs.events().stream().filter(e -> e.logger().equals(TableEvents.class.getName())).toList();
        }
    }

    @Test
    void aStreamTheFormatCannotUseIsReportedOnceAtErrorUntilItChanges() {
        List<StreamEvent> unusable = List.of(new StreamEvent(Kind.UNUSABLE_VIEW_TYPE, "ta", STREAM, null));

        List<LogCapture.Event> first = pass(unusable, KEYS_ONLY);
        assertThat(first).singleElement().satisfies(e -> {
            assertThat(e.level()).isEqualTo(Level.ERROR);
            assertThat(e.message()).contains("Table ta is not read", "outputFormat DOCUMENT", "KEYS_ONLY", ARN,
                    "the other tables are read");
        });
        assertThat(pass(unusable, KEYS_ONLY)).isEmpty();

        // a pass without the problem (the stream re-enabled with new images), then the problem again: told again
        assertThat(pass(List.of(), KEYS_ONLY)).isEmpty();
        assertThat(pass(unusable, KEYS_ONLY)).extracting(LogCapture.Event::level).containsExactly(Level.ERROR);
    }

    @Test
    void aTableThatStopsMatchingIsSaidToBeDroppedNamingWhatItNoLongerMatches() {
        List<LogCapture.Event> logged = pass(List.of(new StreamEvent(Kind.DESELECTED, "ta", STREAM, null)),
                Map.of("ta", new TableState("ta", true, "arn:aws:dynamodb:us-east-1:000000000000:table/ta", ARN)));

        assertThat(logged).singleElement().satisfies(e -> {
            assertThat(e.level()).isEqualTo(Level.INFO);
            assertThat(e.message()).contains("Table ta no longer matches tableNamePrefix 't'", ARN,
                    "dropped like a deleted table's", "leases are deleted in about 150 s");
        });
        assertThat(finished).isEmpty();
    }
}
