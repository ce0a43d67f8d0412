package org.apache.pulsar.io.dynamodb.snapshot;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Names a position after every item of a segment's pages read and not yet stored, and says where a Scan resumes
 * from each: after an item inside a page, from that item's key (a Scan's LastEvaluatedKey is the key of the last item
 * it returned, and DynamoDB resumes after any item's key given as ExclusiveStartKey); after a page's last item, from
 * the page's LastEvaluatedKey, or {@link ScanCursor#END} after the segment's last page. So the stored cursor can move
 * item by item, and a page's size no longer decides how much a crash publishes again. Used by one reader thread.
 */
final class SegmentPositions {

    /** Where a reader resumes after a position, and the segment's items up to it. */
    record Resume(String cursor, long items) {
    }

    /** A page: the segment's items before it, its items' keys, and the cursor after it. */
    private record Page(long number, long itemsBefore, List<Map<String, AttributeValue>> keys, String after) {
    }

    private final ArrayDeque<Page> pages = new ArrayDeque<>();
    private long nextPage;

    /**
     * Adds the next page read.
     *
     * @param itemsBefore the segment's items before the page
     * @param keys        its items' key attributes, in the page's order
     * @param after       the cursor after it ({@link ScanCursor#after})
     * @return the page's number, for {@link #position}
     */
    long add(long itemsBefore, List<Map<String, AttributeValue>> keys, String after) {
        long number = nextPage++;
        pages.addLast(new Page(number, itemsBefore, keys, after));
        return number;
    }

    /** The position after the first {@code through} items of page {@code page} (0 for an empty page: its end). */
    static String position(long page, int through) {
        return page + ":" + through;
    }

    /** The segment's items up to the position, which stays where it is (no page is dropped). */
    long itemsThrough(String position) {
        int colon = position.indexOf(':');
        long number = Long.parseLong(position, 0, colon, 10);
        for (Page page : pages) {
            if (page.number() == number) {
                return page.itemsBefore() + Integer.parseInt(position, colon + 1, position.length(), 10);
            }
        }
        throw new IllegalStateException("Snapshot position " + position + " names no page read");
    }

    /** Where a reader resumes after the position, which a stored cursor then replaces: earlier pages are dropped. */
    Resume resume(String position) {
        int colon = position.indexOf(':');
        long number = Long.parseLong(position, 0, colon, 10);
        int through = Integer.parseInt(position, colon + 1, position.length(), 10);
        while (!pages.isEmpty() && pages.peekFirst().number() < number) {
            pages.removeFirst();
        }
        Page page = pages.peekFirst();
        if (page == null || page.number() != number) {
            throw new IllegalStateException("Snapshot position " + position + " names no page read");
        }
        String cursor = through == page.keys().size() ? page.after() : ScanCursor.after(page.keys().get(through - 1));
        return new Resume(cursor, page.itemsBefore() + through);
    }
}
