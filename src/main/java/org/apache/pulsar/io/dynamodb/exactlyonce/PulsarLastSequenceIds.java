package org.apache.pulsar.io.dynamodb.exactlyonce;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.PulsarClientException;
import org.apache.pulsar.client.api.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Learns the broker's last sequence id of a producer name the only way Pulsar offers: by creating a producer of that
 * name (the broker answers with the id) and closing it, sending nothing. While the previous owner's producer is
 * still connected the name is busy; this waits for it, as that producer closes when its instance dies or stops, or
 * after PulsarSink's producer cache drops it (PRODUCER_CACHE_TIMEOUT_SECONDS, 300 s by default).
 */
final class PulsarLastSequenceIds implements LastSequenceIds {

    private static final Logger log = LoggerFactory.getLogger(PulsarLastSequenceIds.class);
    private static final Duration RETRY = Duration.ofMillis(200);
    private static final Duration PROGRESS = Duration.ofSeconds(30);

    private final PulsarClient client;
    private final Duration maxWait;

    PulsarLastSequenceIds(PulsarClient client, Duration maxWait) {
        this.client = client;
        this.maxWait = maxWait;
    }

    @Override
    public long lastSequenceId(String topic, String producerName, BooleanSupplier stopping)
            throws InterruptedException {
        long started = System.nanoTime();
        long lastProgress = started;
        while (true) {
            try (Producer<byte[]> probe = client.newProducer(Schema.BYTES).topic(topic).producerName(producerName)
                    .enableBatching(false).create()) {
                return probe.getLastSequenceId();
            } catch (PulsarClientException.ProducerBusyException busy) {
                long now = System.nanoTime();
                Duration waited = Duration.ofNanos(now - started);
                if (waited.compareTo(maxWait) > 0) {
                    throw new IllegalStateException("producer name '" + producerName + "' on " + topic + " is still"
                            + " taken after " + waited.toSeconds() + " s: another producer of that name stays"
                            + " connected", busy);
                }
                if (now - lastProgress >= PROGRESS.toNanos() || lastProgress == started) {
                    log.info("Waiting for the previous owner's producer '{}' on {} to close ({} s so far)",
                            producerName, topic, waited.toSeconds());
                    lastProgress = now;
                }
            } catch (PulsarClientException e) {
                throw new IllegalStateException("could not read the broker's last sequence id of producer '"
                        + producerName + "' on " + topic + ": " + e.getMessage(), e);
            }
            if (stopping.getAsBoolean()) {
                throw new IllegalStateException("source closing while waiting for producer name '" + producerName
                        + "'");
            }
            TimeUnit.MILLISECONDS.sleep(RETRY.toMillis());
        }
    }
}
