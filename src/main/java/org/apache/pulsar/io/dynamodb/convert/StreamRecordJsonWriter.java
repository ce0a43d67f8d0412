package org.apache.pulsar.io.dynamodb.convert;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Identity;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

/** Writes a stream record as the builtin connector's JSON value, byte for byte in field order and typing. */
public final class StreamRecordJsonWriter {

    // JsonFactory is thread-safe once configured; each call gets its own generator.
    private static final JsonFactory JSON = new JsonFactory();

    private StreamRecordJsonWriter() {
    }

    /** The record's JSON as UTF-8 bytes; pure and thread-safe. */
    public static byte[] write(Record record) {
        // Jackson 2.17's byte generator escapes characters beyond the BMP as surrogate pairs; going through chars
        // keeps emoji raw, and the explicit UTF-8 keeps the JVM default charset out of it.
        return writeString(record).getBytes(StandardCharsets.UTF_8);
    }

    /** The record's JSON as a string; the same text {@link #write} encodes. */
    public static String writeString(Record record) {
        StringWriter out = new StringWriter(estimateSize(record));
        try (JsonGenerator gen = JSON.createGenerator(out)) {
            writeRecord(gen, record);
        } catch (IOException e) {
            // a StringWriter does not fail; only a generator bug gets here
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    static JsonFactory jsonFactory() {
        return JSON;
    }

    private static void writeRecord(JsonGenerator gen, Record record) throws IOException {
        gen.writeStartObject();
        Identity identity = record.userIdentity();
        if (identity != null) {
            gen.writeObjectFieldStart("userIdentity");
            writeIfPresent(gen, "principalId", identity.principalId());
            writeIfPresent(gen, "type", identity.type());
            gen.writeEndObject();
        }
        writeIfPresent(gen, "eventID", record.eventID());
        writeIfPresent(gen, "eventName", record.eventNameAsString());
        writeIfPresent(gen, "eventVersion", record.eventVersion());
        writeIfPresent(gen, "eventSource", record.eventSource());
        writeIfPresent(gen, "awsRegion", record.awsRegion());
        StreamRecord dynamodb = record.dynamodb();
        if (dynamodb != null) {
            gen.writeObjectFieldStart("dynamodb");
            if (dynamodb.approximateCreationDateTime() != null) {
                gen.writeNumberField("ApproximateCreationDateTime",
                        dynamodb.approximateCreationDateTime().toEpochMilli());
            }
            // An empty image is treated as absent: some decoders hand an INSERT an empty OldImage, and a real
            // image always holds at least the key attributes.
            if (dynamodb.hasKeys()) {
                writeImage(gen, "Keys", dynamodb.keys());
            }
            if (dynamodb.hasNewImage()) {
                writeImage(gen, "NewImage", dynamodb.newImage());
            }
            if (dynamodb.hasOldImage()) {
                writeImage(gen, "OldImage", dynamodb.oldImage());
            }
            writeIfPresent(gen, "SequenceNumber", dynamodb.sequenceNumber());
            if (dynamodb.sizeBytes() != null) {
                gen.writeNumberField("SizeBytes", dynamodb.sizeBytes());
            }
            writeIfPresent(gen, "StreamViewType", dynamodb.streamViewTypeAsString());
            gen.writeEndObject();
        }
        gen.writeEndObject();
    }

    private static void writeImage(JsonGenerator gen, String field, Map<String, AttributeValue> image)
            throws IOException {
        if (image == null || image.isEmpty()) {
            return;
        }
        gen.writeFieldName(field);
        AttributeValueJson.writeItem(gen, image, false);
    }

    private static void writeIfPresent(JsonGenerator gen, String field, String value) throws IOException {
        if (value != null) {
            gen.writeStringField(field, value);
        }
    }

    private static int estimateSize(Record record) {
        // SizeBytes is the item's size on the wire; JSON typing roughly doubles it. Avoids regrowing for large items.
        StreamRecord d = record.dynamodb();
        long size = d == null || d.sizeBytes() == null ? 0 : d.sizeBytes();
        return (int) Math.min(Math.max(256, size * 2 + 512), 4L * 1024 * 1024);
    }
}
