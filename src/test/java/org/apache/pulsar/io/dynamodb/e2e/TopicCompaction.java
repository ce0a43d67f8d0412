package org.apache.pulsar.io.dynamodb.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Reader;
import org.apache.pulsar.client.api.Schema;

/** A topic of DOCUMENT or ENVELOPE messages keyed by item, compacted and read back as a table mirror reader would. */
final class TopicCompaction {

    private TopicCompaction() {
    }

    /**
     * Compacts {@code persistent://public/default/<name>} as {@code pulsar-admin topics compact} does (the admin REST
     * call), waits for it to succeed, then reads it with {@code readCompacted(true)}: item id (the key's {@code id}
     * attribute) to its one value, which must not be a tombstone.
     */
    static Map<String, JsonNode> compactAndRead(PulsarStandalone pulsar, PulsarClient client, String name,
                                                Duration timeout) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI compaction = URI.create(pulsar.webServiceUrl() + "/admin/v2/persistent/public/default/" + name
                + "/compaction");
        HttpResponse<String> triggered = http.send(HttpRequest.newBuilder(compaction)
                .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(triggered.statusCode()).as("compaction trigger: %s", triggered.body()).isEqualTo(204);
        await("compaction of " + name).atMost(timeout).pollInterval(Duration.ofMillis(500)).until(() -> {
            HttpResponse<String> status = http.send(HttpRequest.newBuilder(compaction).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode json = DocumentedFormats.JSON.readTree(status.body());
            assertThat(json.path("status").asText()).as("compaction: %s", status.body()).isNotEqualTo("ERROR");
            return json.path("status").asText().equals("SUCCESS");
        });

        Map<String, JsonNode> items = new HashMap<>();
        // Read until the topic stays quiet: hasMessageAvailable() on a compacted topic makes Pulsar 4.0.7's broker
        // log "Failed to read last entry of the compacted Ledger" and the client retry.
        try (Reader<byte[]> reader = client.newReader(Schema.BYTES).topic("persistent://public/default/" + name)
                .startMessageId(MessageId.earliest).readCompacted(true).create()) {
            Message<byte[]> message;
            while ((message = reader.readNext(5, TimeUnit.SECONDS)) != null) {
                String id = itemId(message.getKey());
                assertThat(message.getValue()).as("no tombstone is left: %s", id).isNotEmpty();
                assertThat(items.put(id, DocumentedFormats.parse(message.getValue())))
                        .as("one message per key after compaction: %s", id).isNull();
            }
        }
        return items;
    }

    /** The {@code id} attribute of a PRIMARY_KEY message key such as {"id":{"S":"item1"}}. */
    static String itemId(String key) throws Exception {
        return DocumentedFormats.JSON.readTree(key).at("/id/S").textValue();
    }
}
