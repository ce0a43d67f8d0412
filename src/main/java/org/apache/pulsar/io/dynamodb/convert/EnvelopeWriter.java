package org.apache.pulsar.io.dynamodb.convert;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

/**
 * Writes the ENVELOPE value of a change, always with every field, in this order:
 * {@code {"op":…,"keys":{…},"before":{…}|null,"after":{…}|null,"source":{"table":…,"region":…,"stream_arn":…,
 * "shard_id":…,"sequence_number":…,"ts_ms":…},"ts_ms":…}}. Images and keys are plain JSON; a field the record
 * does not carry is null.
 */
public final class EnvelopeWriter {

    private EnvelopeWriter() {
    }

    /**
     * The envelope as UTF-8 JSON; pure and thread-safe.
     *
     * @param readTimeMillis when the connector read the record: the top-level ts_ms
     * @throws IllegalArgumentException for an event name other than INSERT, MODIFY, REMOVE and SNAPSHOT
     */
    public static byte[] write(Record record, RecordOrigin origin, long readTimeMillis) {
        String op = op(record.eventNameAsString());
        StreamRecord dynamodb = record.dynamodb();
        Utf8JsonBuilder json = new Utf8JsonBuilder(StreamRecordJsonWriter.estimateSize(record));
        json.beginObject();
        json.name("op").string(op);
        writeImage(json.name("keys"), dynamodb == null || !dynamodb.hasKeys() ? null : dynamodb.keys());
        writeImage(json.name("before"), dynamodb == null || !dynamodb.hasOldImage() ? null : dynamodb.oldImage());
        writeImage(json.name("after"), dynamodb == null || !dynamodb.hasNewImage() ? null : dynamodb.newImage());
        json.name("source").beginObject();
        json.name("table").string(origin.table());
        json.name("region").string(origin.region());
        json.name("stream_arn").string(origin.streamArn());
        json.name("shard_id").string(origin.shardId());
        json.name("sequence_number").string(dynamodb == null ? null : dynamodb.sequenceNumber());
        json.name("ts_ms");
        if (dynamodb == null || dynamodb.approximateCreationDateTime() == null) {
            json.nullValue();
        } else {
            json.number(dynamodb.approximateCreationDateTime().toEpochMilli());
        }
        json.endObject();
        json.name("ts_ms").number(readTimeMillis);
        json.endObject();
        return json.toBytes();
    }

    /** The envelope as a string; the same text {@link #write} encodes. */
    public static String writeString(Record record, RecordOrigin origin, long readTimeMillis) {
        return new String(write(record, origin, readTimeMillis), StandardCharsets.UTF_8);
    }

    /** Debezium's letters: c create, u update, d delete, r read (a snapshot). */
    static String op(String eventName) {
        if (eventName != null) {
            switch (eventName) {
                case "INSERT":
                    return "c";
                case "MODIFY":
                    return "u";
                case "REMOVE":
                    return "d";
                case "SNAPSHOT":
                    return "r";
                default:
                    break;
            }
        }
        throw new IllegalArgumentException("outputFormat ENVELOPE has no op for eventName " + eventName);
    }

    /** An image, or null when absent or empty (some decoders hand an INSERT an empty OldImage). */
    private static void writeImage(Utf8JsonBuilder json, Map<String, AttributeValue> image) {
        if (image == null || image.isEmpty()) {
            json.nullValue();
        } else {
            PlainAttributeJson.writeItem(json, image);
        }
    }
}
