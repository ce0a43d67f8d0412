package org.apache.pulsar.io.dynamodb.convert;

import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

/**
 * Keys each message by its item's primary key, so every change of one item lands on one key (Key_Shared order,
 * compaction). The key is compact JSON of the Keys map with names sorted and values typed as in the value, e.g.
 * {@code {"pk":{"S":"a"},"sk":{"N":"5"}}}: JSON escaping makes it injective, sorting and number normalisation
 * make it deterministic.
 */
public final class PrimaryKeyRenderer implements KeyRenderer {

    public static final PrimaryKeyRenderer INSTANCE = new PrimaryKeyRenderer();

    private PrimaryKeyRenderer() {
    }

    /**
     * The canonical key; a record without Keys (never seen from DynamoDB) falls back to its eventID, which starts
     * with no '{' and so cannot collide with a real item's key.
     */
    @Override
    public String render(Record streamRecord) {
        StreamRecord dynamodb = streamRecord.dynamodb();
        if (dynamodb == null || !dynamodb.hasKeys() || dynamodb.keys().isEmpty()) {
            return streamRecord.eventID();
        }
        return render(dynamodb.keys());
    }

    /** The canonical key of a primary-key attribute map. */
    public static String render(Map<String, AttributeValue> keys) {
        Utf8JsonBuilder json = new Utf8JsonBuilder(64);
        AttributeValueJson.writeItem(json, keys.size() == 1 ? keys : new TreeMap<>(keys), true);
        return json.toUtf8String();
    }
}
