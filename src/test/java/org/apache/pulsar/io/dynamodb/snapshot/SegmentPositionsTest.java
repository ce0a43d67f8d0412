package org.apache.pulsar.io.dynamodb.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class SegmentPositionsTest {

    private static Map<String, AttributeValue> key(String id) {
        return Map.of("id", AttributeValue.fromS(id));
    }

    @Test
    void insideAPageAReaderResumesAfterTheItemsKeyAndAfterItsLastItemFromThePagesCursor() {
        SegmentPositions positions = new SegmentPositions();
        String pageEnd = ScanCursor.after(key("c"));
        long first = positions.add(40, List.of(key("a"), key("b"), key("c")), pageEnd);
        long second = positions.add(43, List.of(key("d")), ScanCursor.END);

        assertThat(positions.resume(SegmentPositions.position(first, 1)))
                .isEqualTo(new SegmentPositions.Resume("{\"id\":{\"S\":\"a\"}}", 41));
        assertThat(positions.resume(SegmentPositions.position(first, 3)))
                .isEqualTo(new SegmentPositions.Resume(pageEnd, 43));
        assertThat(positions.resume(SegmentPositions.position(second, 1)))
                .isEqualTo(new SegmentPositions.Resume(ScanCursor.END, 44));
    }

    @Test
    void anEmptyPagesPositionIsItsEnd() {
        SegmentPositions positions = new SegmentPositions();
        String after = ScanCursor.after(key("k"));
        long empty = positions.add(7, List.of(), after);

        assertThat(positions.resume(SegmentPositions.position(empty, 0)))
                .isEqualTo(new SegmentPositions.Resume(after, 7));
    }

    @Test
    void aStoredPositionDropsThePagesBeforeIt() {
        SegmentPositions positions = new SegmentPositions();
        long first = positions.add(0, List.of(key("a")), ScanCursor.after(key("a")));
        long second = positions.add(1, List.of(key("b"), key("c")), ScanCursor.END);
        positions.resume(SegmentPositions.position(second, 1));

        assertThatThrownBy(() -> positions.resume(SegmentPositions.position(first, 1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("names no page read");
        assertThat(positions.resume(SegmentPositions.position(second, 2)).items()).isEqualTo(3);
    }

    @Test
    void itemsThroughAPositionCountsWithoutDroppingPages() {
        SegmentPositions positions = new SegmentPositions();
        long first = positions.add(10, List.of(key("a"), key("b")), ScanCursor.after(key("b")));
        long second = positions.add(12, List.of(key("c")), ScanCursor.END);

        assertThat(positions.itemsThrough(SegmentPositions.position(second, 1))).isEqualTo(13);
        assertThat(positions.itemsThrough(SegmentPositions.position(first, 1))).isEqualTo(11);
        assertThat(positions.resume(SegmentPositions.position(first, 2)).items()).isEqualTo(12);
        assertThatThrownBy(() -> positions.itemsThrough(SegmentPositions.position(first + 5, 1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("names no page read");
    }
}
