package org.apache.pulsar.io.dynamodb.kcl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pulsar.io.dynamodb.streamset.StreamName;
import org.junit.jupiter.api.Test;

/** When the leases of a stream KCL must stop reading are deleted (a deselected table, a table held for a snapshot). */
class LeaseDeletionsTest {

    private static final StreamName A = StreamName.ofArn(
            "arn:aws:dynamodb:us-east-1:000000000000:table/ta/stream/2026-12-01T22:00:00.000");
    private static final StreamName B = StreamName.ofArn(
            "arn:aws:dynamodb:us-east-1:000000000000:table/tb/stream/2026-12-01T22:00:00.000");

    private final LeaseRows rows = mock(LeaseRows.class);
    private final Map<String, Integer> deleted = new TreeMap<>();

    private LeaseDeletions deletions(Duration delay) {
        when(rows.deleteAll(anyString())).thenReturn(2);
        return new LeaseDeletions(rows, delay, (stream, count) -> deleted.put(stream.table(), count));
    }

    @Test
    void nothingIsDeletedBeforeTheDelaySinceAPassFirstFoundTheStream() {
        LeaseDeletions later = deletions(Duration.ofMinutes(10));
        later.toDelete(List.of(A));
        later.toDelete(List.of(A));

        later.deleteDue();

        verify(rows, never()).deleteAll(anyString());
        assertThat(deleted).isEmpty();
    }

    @Test
    void dueStreamsLoseEveryLeaseOnceAndAStreamNoLongerFoundIsForgotten() {
        LeaseDeletions now = deletions(Duration.ZERO);
        now.toDelete(List.of(A, B));
        now.toDelete(List.of(A));  // tb selected again (or no longer held) before its leases went

        now.deleteDue();
        now.deleteDue();

        assertThat(deleted).containsExactly(Map.entry("ta", 2));
        verify(rows).deleteAll(A.identifier());
        verify(rows, never()).deleteAll(B.identifier());
    }
}
