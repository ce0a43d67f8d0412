package org.apache.pulsar.io.dynamodb.convert;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.pulsar.io.dynamodb.config.MessageKeyMode;
import org.apache.pulsar.io.dynamodb.config.OutputConfig;
import org.apache.pulsar.io.dynamodb.config.OutputFormat;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

/**
 * The connector's converter: the value in the configured format, the key by the configured mode, the builtin's
 * properties and the event time, whatever the format; thread-safe.
 */
public final class ChangeRecordConverter implements RecordConverter {

    public static final String EVENT_NAME = "EVENT_NAME";
    public static final String SEQUENCE_NUMBER = "SEQUENCE_NUMBER";

    private final KeyRenderer keyRenderer;
    private final OutputFormat format;
    private final boolean tombstoneAfterDelete;

    public ChangeRecordConverter(KeyRenderer keyRenderer, OutputFormat format, boolean tombstoneAfterDelete) {
        this.keyRenderer = Objects.requireNonNull(keyRenderer, "keyRenderer");
        this.format = Objects.requireNonNull(format, "format");
        this.tombstoneAfterDelete = tombstoneAfterDelete;
    }

    /** The builtin's value (DYNAMODB_JSON) with this key renderer. */
    public ChangeRecordConverter(KeyRenderer keyRenderer) {
        this(keyRenderer, OutputFormat.DYNAMODB_JSON, false);
    }

    /** The builtin's value (DYNAMODB_JSON) with this key mode. */
    public ChangeRecordConverter(MessageKeyMode mode) {
        this(KeyRenderer.forMode(mode));
    }

    /** The converter a validated output config asks for. */
    public static ChangeRecordConverter of(OutputConfig output) {
        return new ChangeRecordConverter(KeyRenderer.forMode(output.messageKeyMode()), output.outputFormat(),
                output.tombstoneAfterDelete());
    }

    @Override
    public List<ChangeRecord> convert(Record streamRecord, RecordOrigin origin, long readTimeMillis) {
        StreamRecord dynamodb = streamRecord.dynamodb();
        String sequenceNumber = dynamodb == null ? null : dynamodb.sequenceNumber();
        Optional<Long> eventTime = dynamodb == null || dynamodb.approximateCreationDateTime() == null
                ? Optional.empty()
                : Optional.of(dynamodb.approximateCreationDateTime().toEpochMilli());
        String key = keyRenderer.render(streamRecord);
        Map<String, String> properties = properties(streamRecord.eventNameAsString(), sequenceNumber);
        boolean remove = streamRecord.eventName() == OperationType.REMOVE;
        return switch (format) {
            case DYNAMODB_JSON -> List.of(new ChangeRecord(key, StreamRecordJsonWriter.write(streamRecord),
                    properties, eventTime, sequenceNumber));
            case DOCUMENT -> List.of(new ChangeRecord(key,
                    remove ? ChangeRecord.TOMBSTONE_VALUE : DocumentWriter.write(streamRecord),
                    properties, eventTime, sequenceNumber));
            case ENVELOPE -> {
                ChangeRecord envelope = new ChangeRecord(key,
                        EnvelopeWriter.write(streamRecord, origin, readTimeMillis), properties, eventTime,
                        sequenceNumber);
                yield remove && tombstoneAfterDelete ? List.of(envelope, envelope.tombstone()) : List.of(envelope);
            }
        };
    }

    private static Map<String, String> properties(String eventName, String sequenceNumber) {
        // a missing value leaves its property out: Pulsar properties cannot hold null
        if (eventName != null && sequenceNumber != null) {
            return Map.of(EVENT_NAME, eventName, SEQUENCE_NUMBER, sequenceNumber);
        }
        if (eventName != null) {
            return Map.of(EVENT_NAME, eventName);
        }
        return sequenceNumber == null ? Map.of() : Map.of(SEQUENCE_NUMBER, sequenceNumber);
    }
}
