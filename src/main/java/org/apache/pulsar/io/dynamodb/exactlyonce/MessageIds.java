package org.apache.pulsar.io.dynamodb.exactlyonce;

/**
 * The producer name and sequence ids of one record's messages: message i has id {@code firstId + i}; a message whose
 * id is at or below {@code brokerLast} is already stored in Pulsar and must not be sent again.
 *
 * @param producerName the record's partition id, which PulsarSink uses as producer name; null when unsequenced
 * @param firstId      the sequence id of the record's first message
 * @param brokerLast   the broker's last sequence id for the name when the reader took its shard or segment
 */
public record MessageIds(String producerName, long firstId, long brokerLast) {

    /** At-least-once: no partition id, no sequence, nothing held by the broker. */
    public static final MessageIds NONE = new MessageIds(null, -1, -1);

    /** Whether the messages carry a partition id and a sequence. */
    public boolean sequenced() {
        return producerName != null;
    }

    /** The sequence id of the record's message {@code index}. */
    public long id(int index) {
        return firstId + index;
    }

    /** Whether the broker already holds message {@code index} (it was stored before the reader took over). */
    public boolean held(int index) {
        return sequenced() && id(index) <= brokerLast;
    }
}
