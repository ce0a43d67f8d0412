package org.apache.pulsar.io.dynamodb.e2e;

import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pulsar.io.dynamodb.testing.DynamoDbLocal;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Checks a DOCUMENT topic fed by a snapshot and then the stream against the ground truth: a final Scan of the table
 * (the last message of each item must be the item; of a deleted item, a tombstone or nothing) and the stream itself
 * (every record the snapshot does not cover, created at or after T0 minus the handoff margin, must be in the topic).
 */
final class SnapshotAudit {

    /**
     * @param items              items in the table at the end
     * @param messages           messages in the topic
     * @param snapshotReads      SNAPSHOT messages
     * @param snapshotDuplicates SNAPSHOT messages of an item beyond its first
     * @param streamExpected     stream records created at or after T0 minus the margin
     * @param streamMissing      of those, not in the topic
     * @param streamDuplicates   stream records in the topic more than once (beyond the first)
     * @param streamBeforeT0     stream records in the topic created before T0 (published again by the margin)
     * @param wrong              items whose last message is not their state in the table
     * @param wrongSample        a few of them
     */
    record Result(int items, int messages, int snapshotReads, int snapshotDuplicates, int streamExpected,
                  int streamMissing, int streamDuplicates, int streamBeforeT0, int wrong, List<String> wrongSample) {
    }

    private SnapshotAudit() {
    }

    /** The table as a final consistent Scan shows it, by item id. */
    static Map<String, Map<String, AttributeValue>> scan(DynamoDbLocal dynamo, String table) {
        Map<String, Map<String, AttributeValue>> items = new TreeMap<>();
        dynamo.client().scanPaginator(b -> b.tableName(table).consistentRead(true)).items()
                .forEach(item -> items.put(item.get("id").s(), item));
        return items;
    }

    static Result check(List<ReceivedMessage> topic, Map<String, Map<String, AttributeValue>> table,
                        List<StreamAudit.ShardRecord> stream, Instant t0, Instant coveredBefore) throws Exception {
        Map<String, ReceivedMessage> last = new HashMap<>();
        Map<String, Integer> reads = new HashMap<>();
        Map<BigInteger, Integer> published = new HashMap<>();
        for (ReceivedMessage message : topic) {
            String id = TopicCompaction.itemId(message.key());
            last.put(id, message);
            if ("SNAPSHOT".equals(message.eventName())) {
                reads.merge(id, 1, Integer::sum);
            } else {
                published.merge(message.sequenceNumber(), 1, Integer::sum);
            }
        }
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, Map<String, AttributeValue>> item : table.entrySet()) {
            ReceivedMessage message = last.get(item.getKey());
            String difference = message == null ? "no message"
                    : message.value().length == 0 ? "a tombstone"
                    : DocumentedFormats.plainItemDifference(item.getKey(), item.getValue(),
                            DocumentedFormats.parse(message.value()));
            if (difference != null) {
                wrong.add(item.getKey() + ": " + difference);
            }
        }
        Set<String> deleted = new HashSet<>(last.keySet());
        deleted.removeAll(table.keySet());
        for (String id : deleted) {
            if (last.get(id).value().length > 0) {
                wrong.add(id + ": deleted from the table, but its last message is " + last.get(id).content());
            }
        }
        int expected = 0;
        int missing = 0;
        int beforeT0 = 0;
        for (StreamAudit.ShardRecord record : stream) {
            Instant created = record.record().dynamodb().approximateCreationDateTime();
            boolean inTopic = published.containsKey(record.sequenceNumber());
            if (!created.isBefore(coveredBefore)) {
                expected++;
                missing += inTopic ? 0 : 1;
            }
            if (inTopic && created.isBefore(t0)) {
                beforeT0++;
            }
        }
        int streamDuplicates = published.values().stream().mapToInt(n -> n - 1).sum();
        int readDuplicates = reads.values().stream().mapToInt(n -> n - 1).sum();
        int readCount = reads.values().stream().mapToInt(Integer::intValue).sum();
        return new Result(table.size(), topic.size(), readCount, readDuplicates, expected, missing, streamDuplicates,
                beforeT0, wrong.size(), wrong.stream().limit(5).toList());
    }
}
