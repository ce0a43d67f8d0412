package org.apache.pulsar.io.dynamodb.snapshot;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Turns a scanned item into the record a snapshot publishes, which every output format handles: eventName
 * {@code SNAPSHOT}, the item's key attributes as Keys, the item as NewImage when the stream's view type carries new
 * images (as an INSERT would), no OldImage, no sequence number, ApproximateCreationDateTime the time it was read.
 * Thread-safe.
 */
final class SnapshotReads {

    static final String EVENT_NAME = "SNAPSHOT";
    private static final String EVENT_SOURCE = "aws:dynamodb";

    private final List<String> keyAttributes;
    private final StreamViewType viewType;
    private final boolean newImage;
    private final String region;

    /**
     * @param keyAttributes the table's key schema: partition key, then sort key if any
     * @param region        as the stream ARN names it, the records' awsRegion
     */
    SnapshotReads(List<String> keyAttributes, StreamViewType viewType, String region) {
        this.keyAttributes = List.copyOf(keyAttributes);
        this.viewType = viewType;
        this.newImage = viewType == StreamViewType.NEW_IMAGE || viewType == StreamViewType.NEW_AND_OLD_IMAGES;
        this.region = region;
    }

    /** The record for an item read at readTime. */
    Record read(Map<String, AttributeValue> item, Instant readTime) {
        return read(item, keyOf(item), readTime);
    }

    /** The record for an item read at readTime, whose key attributes are {@code keys} ({@link #keyOf}). */
    Record read(Map<String, AttributeValue> item, Map<String, AttributeValue> keys, Instant readTime) {
        StreamRecord.Builder dynamodb = StreamRecord.builder()
                .approximateCreationDateTime(readTime)
                .keys(keys)
                .sizeBytes(estimateSize(item))
                .streamViewType(viewType);
        if (newImage) {
            dynamodb.newImage(item);
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        // a random (version 4) UUID like a stream record's eventID, without SecureRandom's lock on the hot path
        UUID eventId = new UUID(random.nextLong() & ~0xF000L | 0x4000L,
                random.nextLong() & 0x3FFFFFFFFFFFFFFFL | 0x8000000000000000L);
        return Record.builder()
                .eventID(eventId.toString())
                .eventName(EVENT_NAME)
                .eventSource(EVENT_SOURCE)
                .awsRegion(region)
                .dynamodb(dynamodb.build())
                .build();
    }

    /** The item's key attributes: its primary key, which is also where a Scan resumes after it. */
    Map<String, AttributeValue> keyOf(Map<String, AttributeValue> item) {
        Map<String, AttributeValue> keys = new HashMap<>(4);
        for (String name : keyAttributes) {
            AttributeValue value = item.get(name);
            if (value != null) {
                keys.put(name, value);
            }
        }
        return keys;
    }

    /**
     * About the item's size as DynamoDB counts it (names and values; strings counted in characters): the record's
     * SizeBytes, and the read capacity a page used when DynamoDB does not say.
     */
    static long estimateSize(Map<String, AttributeValue> item) {
        long size = 0;
        for (Map.Entry<String, AttributeValue> attribute : item.entrySet()) {
            size += attribute.getKey().length() + valueSize(attribute.getValue());
        }
        return size;
    }

    private static long valueSize(AttributeValue value) {
        if (value == null || value.type() == null) {
            return 1;
        }
        return switch (value.type()) {
            case S -> value.s().length();
            case N -> value.n().length() / 2 + 2;
            case B -> value.b().asByteArrayUnsafe().length;
            case SS -> value.ss().stream().mapToLong(String::length).sum() + 3;
            case NS -> value.ns().stream().mapToLong(n -> n.length() / 2 + 2).sum() + 3;
            case BS -> value.bs().stream().mapToLong(b -> b.asByteArrayUnsafe().length).sum() + 3;
            case M -> estimateSize(value.m()) + 3;
            case L -> value.l().stream().mapToLong(SnapshotReads::valueSize).sum() + 3 + value.l().size();
            default -> 1;
        };
    }
}
