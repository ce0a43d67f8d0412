package org.apache.pulsar.io.dynamodb.convert;

import java.util.Objects;
import org.apache.pulsar.io.dynamodb.config.MessageKeyMode;
import software.amazon.awssdk.services.dynamodb.model.Record;

/** Renders the Pulsar message key of a stream record; pure and thread-safe. */
@FunctionalInterface
public interface KeyRenderer {
    String render(Record streamRecord);

    /** The renderer for a configured key mode. */
    static KeyRenderer forMode(MessageKeyMode mode) {
        return switch (Objects.requireNonNull(mode, "mode")) {
            case PRIMARY_KEY -> PrimaryKeyRenderer.INSTANCE;
            case EVENT_ID -> EventIdKeyRenderer.INSTANCE;
        };
    }
}
