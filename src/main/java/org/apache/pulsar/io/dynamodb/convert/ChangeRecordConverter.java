package org.apache.pulsar.io.dynamodb.convert;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.pulsar.io.dynamodb.config.MessageKeyMode;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

/** The connector's converter: builtin-compatible value and properties, key by the configured mode; thread-safe. */
public final class ChangeRecordConverter implements RecordConverter {

    public static final String EVENT_NAME = "EVENT_NAME";
    public static final String SEQUENCE_NUMBER = "SEQUENCE_NUMBER";

    private final KeyRenderer keyRenderer;

    public ChangeRecordConverter(KeyRenderer keyRenderer) {
        this.keyRenderer = Objects.requireNonNull(keyRenderer, "keyRenderer");
    }

    public ChangeRecordConverter(MessageKeyMode mode) {
        this(KeyRenderer.forMode(mode));
    }

    @Override
    public ChangeRecord convert(Record streamRecord) {
        StreamRecord dynamodb = streamRecord.dynamodb();
        String sequenceNumber = dynamodb == null ? null : dynamodb.sequenceNumber();
        Optional<Long> eventTime = dynamodb == null || dynamodb.approximateCreationDateTime() == null
                ? Optional.empty()
                : Optional.of(dynamodb.approximateCreationDateTime().toEpochMilli());
        return new ChangeRecord(
                keyRenderer.render(streamRecord),
                StreamRecordJsonWriter.write(streamRecord),
                properties(streamRecord.eventNameAsString(), sequenceNumber),
                eventTime,
                sequenceNumber);
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
