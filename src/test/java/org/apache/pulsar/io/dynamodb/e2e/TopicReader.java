package org.apache.pulsar.io.dynamodb.e2e;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.PulsarClientException;
import org.apache.pulsar.client.api.Reader;
import org.apache.pulsar.client.api.Schema;

/**
 * Reads a topic from its first message with a Reader (no subscription, no acknowledgements: what it returns is
 * exactly what the topic holds, without redeliveries of its own). Survives a broker restart: it reconnects and goes
 * on after the last message it read.
 */
final class TopicReader implements AutoCloseable {

    private final Reader<byte[]> reader;
    private final Set<BigInteger> distinctSequenceNumbers = ConcurrentHashMap.newKeySet();
    private int read;

    TopicReader(PulsarClient client, String topic) throws PulsarClientException {
        this.reader = client.newReader(Schema.BYTES).topic(topic).startMessageId(MessageId.earliest).create();
    }

    /** Reads what has arrived so far; returns how many distinct sequence numbers it has seen in all. */
    synchronized int poll() {
        // At most about a second: while messages keep arriving, reading until a pause would never return.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        try {
            Message<byte[]> message;
            while (System.nanoTime() < deadline && (message = reader.readNext(100, TimeUnit.MILLISECONDS)) != null) {
                read++;
                distinctSequenceNumbers.add(new BigInteger(message.getProperty("SEQUENCE_NUMBER")));
            }
        } catch (PulsarClientException brokerAway) {
            // the broker is down or restarting: read on at the next poll
        }
        return distinctSequenceNumbers.size();
    }

    /** Those of expected this reader has not read yet (call {@link #poll} first), in the order given. */
    List<BigInteger> notRead(java.util.Collection<BigInteger> expected) {
        return expected.stream().filter(sequenceNumber -> !distinctSequenceNumbers.contains(sequenceNumber))
                .toList();
    }

    synchronized int messagesRead() {
        return read;
    }

    /** Every message of the topic, in topic order, read with a new reader until the end. */
    static List<ReceivedMessage> readAll(PulsarClient client, String topic) throws PulsarClientException {
        List<ReceivedMessage> all = new ArrayList<>();
        try (Reader<byte[]> reader = client.newReader(Schema.BYTES).topic(topic)
                .startMessageId(MessageId.earliest).create()) {
            while (reader.hasMessageAvailable()) {
                Message<byte[]> message = reader.readNext(30, TimeUnit.SECONDS);
                if (message == null) {
                    break;
                }
                all.add(ReceivedMessage.of("reader", message));
            }
        } catch (java.io.IOException e) {
            throw new PulsarClientException(e);
        }
        return all;
    }

    @Override
    public void close() throws java.io.IOException {
        reader.close();
    }
}
