package org.apache.pulsar.io.dynamodb.e2e;

import java.math.BigInteger;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pulsar.io.dynamodb.testing.DynamoDbLocal;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamResponse;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Checks a topic against the stream itself: the stream's records, read from the oldest with the DynamoDB Streams
 * API, are the ground truth; the topic must hold every one of them (by {@code SEQUENCE_NUMBER}), each item's changes
 * first appearing in stream order. Duplicates are counted.
 */
public final class StreamAudit {

    /** One change of the stream. */
    public record Change(BigInteger sequenceNumber, String itemId, String eventName) { }

    /** What the topic holds, measured against the stream. */
    record Result(int written, int messages, int missing, int duplicates, int unknown, int outOfOrderItems,
                  Map<String, Integer> eventNames, List<BigInteger> missingSample, List<String> outOfOrderSample) {

        boolean complete() {
            return missing == 0 && unknown == 0 && outOfOrderItems == 0;
        }

        @Override
        public String toString() {
            return "written " + written + " " + eventNames + ", messages " + messages + ", missing " + missing
                    + (missing > 0 ? " e.g. " + missingSample : "") + ", duplicates " + duplicates
                    + ", not in the stream " + unknown + ", items out of order " + outOfOrderItems
                    + (outOfOrderItems > 0 ? " e.g. " + outOfOrderSample : "");
        }
    }

    private StreamAudit() {
    }

    /** A stream record and the shard it was read from. */
    record ShardRecord(String shardId, Record record) {

        BigInteger sequenceNumber() {
            return new BigInteger(record.dynamodb().sequenceNumber());
        }
    }

    /** Every record of the stream, all shards, from TRIM_HORIZON until caught up, in sequence number order. */
    public static List<Change> readStream(DynamoDbLocal dynamo, String streamArn) {
        return readRecords(dynamo, streamArn).stream()
                .map(r -> new Change(r.sequenceNumber(), r.record().dynamodb().keys().get("id").s(),
                        r.record().eventNameAsString()))
                .toList();
    }

    /** Every record of the stream as the SDK reads it, all shards, until caught up, in sequence number order. */
    static List<ShardRecord> readRecords(DynamoDbLocal dynamo, String streamArn) {
        try (DynamoDbStreamsClient streams = client(dynamo)) {
            List<Shard> shards = shards(streams, streamArn);
            List<ShardRecord> changes = new ArrayList<>();
            for (Shard shard : shards) {
                String iterator = streams.getShardIterator(b -> b.streamArn(streamArn).shardId(shard.shardId())
                        .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
                while (iterator != null) {
                    String current = iterator;
                    GetRecordsResponse page = streams.getRecords(b -> b.shardIterator(current).limit(1000));
                    for (Record record : page.records()) {
                        changes.add(new ShardRecord(shard.shardId(), record));
                    }
                    // An open shard never ends: an empty page means this reader has caught up with it.
                    iterator = page.records().isEmpty() ? null : page.nextShardIterator();
                }
            }
            changes.sort(Comparator.comparing(ShardRecord::sequenceNumber));
            return changes;
        }
    }

    /** The stream's shard ids, every page of DescribeStream. */
    public static List<String> shardIds(DynamoDbLocal dynamo, String streamArn) {
        try (DynamoDbStreamsClient streams = client(dynamo)) {
            return shards(streams, streamArn).stream().map(Shard::shardId).toList();
        }
    }

    private static DynamoDbStreamsClient client(DynamoDbLocal dynamo) {
        return DynamoDbStreamsClient.builder()
                .endpointOverride(URI.create(dynamo.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(DynamoDbLocal.ACCESS_KEY, DynamoDbLocal.SECRET_KEY)))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
    }

    private static List<Shard> shards(DynamoDbStreamsClient streams, String streamArn) {
        List<Shard> shards = new ArrayList<>();
        String lastShard = null;
        do {
            String exclusiveStart = lastShard;
            DescribeStreamResponse description = streams.describeStream(b -> b.streamArn(streamArn)
                    .exclusiveStartShardId(exclusiveStart));
            shards.addAll(description.streamDescription().shards());
            lastShard = description.streamDescription().lastEvaluatedShardId();
        } while (lastShard != null);
        return shards;
    }

    /** The topic's messages, in topic order, against the stream's changes. */
    static Result audit(List<Change> stream, List<ReceivedMessage> topic) {
        Map<BigInteger, Change> bySequence = new HashMap<>();
        Map<String, Integer> eventNames = new java.util.TreeMap<>();
        for (Change change : stream) {
            bySequence.put(change.sequenceNumber(), change);
            eventNames.merge(change.eventName(), 1, Integer::sum);
        }
        Set<BigInteger> seen = new HashSet<>();
        int duplicates = 0;
        int unknown = 0;
        // Each item's changes, by first appearance in the topic.
        Map<String, List<BigInteger>> firstAppearances = new LinkedHashMap<>();
        for (ReceivedMessage message : topic) {
            BigInteger sequenceNumber = message.sequenceNumber();
            Change change = bySequence.get(sequenceNumber);
            if (change == null) {
                unknown++;
            } else if (!seen.add(sequenceNumber)) {
                duplicates++;
            } else {
                firstAppearances.computeIfAbsent(change.itemId(), k -> new ArrayList<>()).add(sequenceNumber);
            }
        }
        TreeSet<BigInteger> missing = new TreeSet<>(bySequence.keySet());
        missing.removeAll(seen);
        List<String> outOfOrder = new ArrayList<>();
        firstAppearances.forEach((item, sequenceNumbers) -> {
            for (int i = 1; i < sequenceNumbers.size(); i++) {
                if (sequenceNumbers.get(i).compareTo(sequenceNumbers.get(i - 1)) < 0) {
                    outOfOrder.add(item + ": " + sequenceNumbers.get(i - 1) + " before " + sequenceNumbers.get(i));
                    break;
                }
            }
        });
        return new Result(stream.size(), topic.size(), missing.size(), duplicates, unknown, outOfOrder.size(),
                eventNames, missing.stream().limit(10).toList(), outOfOrder.stream().limit(5).toList());
    }
}
