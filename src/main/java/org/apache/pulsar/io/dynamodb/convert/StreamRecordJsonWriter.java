package org.apache.pulsar.io.dynamodb.convert;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Identity;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

/** Writes a stream record as the builtin connector's JSON value, byte for byte in field order and typing. */
public final class StreamRecordJsonWriter {

    private StreamRecordJsonWriter() {
    }

    /** The record's JSON as UTF-8 bytes; pure and thread-safe. */
    public static byte[] write(Record record) {
        Utf8JsonBuilder json = new Utf8JsonBuilder(estimateSize(record));
        writeRecord(json, record);
        return json.toBytes();
    }

    /** The record's JSON as a string; the same text {@link #write} encodes. */
    public static String writeString(Record record) {
        return new String(write(record), StandardCharsets.UTF_8);
    }

    private static void writeRecord(Utf8JsonBuilder json, Record record) {
        json.beginObject();
        Identity identity = record.userIdentity();
        if (identity != null) {
            json.name("userIdentity").beginObject();
            writeIfPresent(json, "principalId", identity.principalId());
            writeIfPresent(json, "type", identity.type());
            json.endObject();
        }
        writeIfPresent(json, "eventID", record.eventID());
        writeIfPresent(json, "eventName", record.eventNameAsString());
        writeIfPresent(json, "eventVersion", record.eventVersion());
        writeIfPresent(json, "eventSource", record.eventSource());
        writeIfPresent(json, "awsRegion", record.awsRegion());
        StreamRecord dynamodb = record.dynamodb();
        if (dynamodb != null) {
            json.name("dynamodb").beginObject();
            if (dynamodb.approximateCreationDateTime() != null) {
                json.name("ApproximateCreationDateTime").number(dynamodb.approximateCreationDateTime().toEpochMilli());
            }
            // An empty image is treated as absent: some decoders hand an INSERT an empty OldImage, and a real
            // image always holds at least the key attributes.
            if (dynamodb.hasKeys()) {
                writeImage(json, "Keys", dynamodb.keys());
            }
            if (dynamodb.hasNewImage()) {
                writeImage(json, "NewImage", dynamodb.newImage());
            }
            if (dynamodb.hasOldImage()) {
                writeImage(json, "OldImage", dynamodb.oldImage());
            }
            writeIfPresent(json, "SequenceNumber", dynamodb.sequenceNumber());
            if (dynamodb.sizeBytes() != null) {
                json.name("SizeBytes").number(dynamodb.sizeBytes());
            }
            writeIfPresent(json, "StreamViewType", dynamodb.streamViewTypeAsString());
            json.endObject();
        }
        json.endObject();
    }

    private static void writeImage(Utf8JsonBuilder json, String field, Map<String, AttributeValue> image) {
        if (image == null || image.isEmpty()) {
            return;
        }
        AttributeValueJson.writeItem(json.name(field), image, false);
    }

    private static void writeIfPresent(Utf8JsonBuilder json, String field, String value) {
        if (value != null) {
            json.name(field).string(value);
        }
    }

    /** A starting buffer size for a record's JSON, shared by every format's writer. */
    static int estimateSize(Record record) {
        // SizeBytes is the item's size on the wire; JSON typing roughly doubles it. Avoids regrowing for large items.
        StreamRecord d = record.dynamodb();
        long size = d == null || d.sizeBytes() == null ? 0 : d.sizeBytes();
        return (int) Math.min(Math.max(256, size * 2 + 512), 4L * 1024 * 1024);
    }
}
