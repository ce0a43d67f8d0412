package org.apache.pulsar.io.dynamodb.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.PulsarClientException;
import org.apache.pulsar.client.api.Schema;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.apache.pulsar.client.api.SubscriptionType;

/** A subscription to the connector's topic that records, and acknowledges, every message its consumer sees. */
final class TopicConsumer implements AutoCloseable {

    private final org.apache.pulsar.client.api.Consumer<byte[]> consumer;
    private final List<ReceivedMessage> received = new CopyOnWriteArrayList<>();

    private TopicConsumer(PulsarClient client, String topic, String subscription, SubscriptionType type,
                          String consumerName, Consumer<ReceivedMessage> onMessage) throws PulsarClientException {
        this.consumer = client.newConsumer(Schema.BYTES)
                .topic(topic)
                .subscriptionName(subscription)
                .subscriptionType(type)
                .subscriptionInitialPosition(SubscriptionInitialPosition.Earliest)
                .consumerName(consumerName)
                .messageListener((c, message) -> {
                    ReceivedMessage seen = ReceivedMessage.of(consumerName, message);
                    received.add(seen);
                    onMessage.accept(seen);
                    c.acknowledgeAsync(message);
                })
                .subscribe();
    }

    static TopicConsumer subscribe(PulsarClient client, String topic, String subscription, SubscriptionType type,
                                   String consumerName) throws PulsarClientException {
        return new TopicConsumer(client, topic, subscription, type, consumerName, m -> { });
    }

    static TopicConsumer subscribe(PulsarClient client, String topic, String subscription, SubscriptionType type,
                                   String consumerName, Consumer<ReceivedMessage> onMessage)
            throws PulsarClientException {
        return new TopicConsumer(client, topic, subscription, type, consumerName, onMessage);
    }

    List<ReceivedMessage> received() {
        return new ArrayList<>(received);
    }

    @Override
    public void close() throws PulsarClientException {
        consumer.close();
    }
}
