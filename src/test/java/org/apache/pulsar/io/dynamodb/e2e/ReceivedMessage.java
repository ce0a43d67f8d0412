package org.apache.pulsar.io.dynamodb.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pulsar.client.api.Message;

/** A message as a Pulsar consumer saw it. */
record ReceivedMessage(String consumer, long publishTime, long eventTime, String key,
                       Map<String, String> properties, byte[] value) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static ReceivedMessage of(String consumer, Message<byte[]> message) {
        return new ReceivedMessage(consumer, message.getPublishTime(), message.getEventTime(),
                message.hasKey() ? message.getKey() : null, new TreeMap<>(message.getProperties()),
                message.getValue());
    }

    String content() {
        return new String(value, StandardCharsets.UTF_8);
    }

    JsonNode json() {
        try {
            return JSON.readTree(value);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + content(), e);
        }
    }

    String eventName() {
        return properties.get("EVENT_NAME");
    }

    BigInteger sequenceNumber() {
        return new BigInteger(properties.get("SEQUENCE_NUMBER"));
    }

    /** The item's {@code id} key attribute. */
    String itemId() {
        return json().at("/dynamodb/Keys/id/S").asText();
    }

    /**
     * The message as {@code pulsar-client consume} prints it: a boundary line, then publish time, event time (0
     * when unset), key, properties and content.
     */
    String toConsoleString() {
        return "----- got message -----\n"
                + "publishTime:[" + publishTime + "], "
                + "eventTime:[" + eventTime + "], "
                + "key:[" + key + "], "
                + "properties:" + Arrays.toString(properties.entrySet().toArray()) + ", "
                + "content:" + content();
    }
}
