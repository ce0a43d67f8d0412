package org.apache.pulsar.io.dynamodb.e2e;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.apache.pulsar.client.admin.PulsarAdmin;
import org.apache.pulsar.client.admin.PulsarAdminException;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.common.policies.data.BacklogQuota;

/**
 * Makes a running broker stop taking a topic's messages, and take them again, without stopping it (in a standalone
 * the broker also hosts the function worker): a size backlog quota of 1 byte with the {@code producer_request_hold}
 * policy on the topic's namespace, over a subscription with a backlog. The broker then refuses the topic's producers
 * (Pulsar 4.0.7 checks the quota when a producer connects, so the topic is unloaded to disconnect the one connected);
 * a refused producer keeps its messages and retries with its client's backoff until the quota is lifted.
 */
final class ProducerHold implements AutoCloseable {

    private static final String SUBSCRIPTION = "producer-hold-backlog";
    private static final Duration NO_PRODUCER_FOR = Duration.ofSeconds(5);

    private final PulsarAdmin admin;
    private final String namespace;
    private final String topic;

    private ProducerHold(PulsarAdmin admin, String namespace, String topic) {
        this.admin = admin;
        this.namespace = namespace;
        this.topic = topic;
    }

    /**
     * Holds the topic's producers. {@code addMessage} must put one message into the topic and return once it is
     * there: it gives the subscription, created just before, its backlog.
     */
    static ProducerHold start(PulsarAdmin admin, String namespace, String topic, Runnable addMessage)
            throws PulsarAdminException {
        ProducerHold hold = new ProducerHold(admin, namespace, topic);
        admin.topics().createSubscription(topic, SUBSCRIPTION, MessageId.latest);
        addMessage.run();
        admin.namespaces().setBacklogQuota(namespace, BacklogQuota.builder().limitSize(1)
                .retentionPolicy(BacklogQuota.RetentionPolicy.producer_request_hold).build());
        // The quota reaches the broker's policy cache a moment after the admin call: unload until no producer
        // gets back in.
        await("no producer on " + topic + " for " + NO_PRODUCER_FOR.toSeconds() + " s").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500)).during(NO_PRODUCER_FOR).until(() -> {
                    if (admin.topics().getStats(topic).getPublishers().isEmpty()) {
                        return true;
                    }
                    admin.topics().unload(topic);
                    return false;
                });
        return hold;
    }

    /** Lifts the quota and drops the subscription: the producers get in at their next retry. */
    @Override
    public void close() throws PulsarAdminException {
        admin.namespaces().removeBacklogQuota(namespace);
        admin.topics().deleteSubscription(topic, SUBSCRIPTION, true);
    }

    /** Whether a producer is connected to the topic again. */
    boolean producerConnected() throws PulsarAdminException {
        return !admin.topics().getStats(topic).getPublishers().isEmpty();
    }
}
