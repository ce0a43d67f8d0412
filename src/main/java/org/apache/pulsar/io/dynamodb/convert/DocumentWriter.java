package org.apache.pulsar.io.dynamodb.convert;

import java.nio.charset.StandardCharsets;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

/** Writes the DOCUMENT value of an INSERT, MODIFY or snapshot read: the new image as plain JSON. */
public final class DocumentWriter {

    private DocumentWriter() {
    }

    /**
     * The item as plain UTF-8 JSON; pure and thread-safe.
     *
     * @throws IllegalArgumentException when the record carries no new image (a REMOVE, or a stream whose view type
     *     has none, which the source refuses at open)
     */
    public static byte[] write(Record record) {
        StreamRecord dynamodb = record.dynamodb();
        if (dynamodb == null || !dynamodb.hasNewImage() || dynamodb.newImage().isEmpty()) {
            throw new IllegalArgumentException("outputFormat DOCUMENT needs the new image, but the "
                    + record.eventNameAsString() + " record "
                    + (dynamodb == null ? record.eventID() : dynamodb.sequenceNumber()) + " has none (stream view type "
                    + (dynamodb == null ? null : dynamodb.streamViewTypeAsString()) + ")");
        }
        Utf8JsonBuilder json = new Utf8JsonBuilder(StreamRecordJsonWriter.estimateSize(record));
        PlainAttributeJson.writeItem(json, dynamodb.newImage());
        return json.toBytes();
    }

    /** The DOCUMENT value as a string; the same text {@link #write} encodes. */
    public static String writeString(Record record) {
        return new String(write(record), StandardCharsets.UTF_8);
    }
}
