package org.apache.pulsar.io.dynamodb.exactlyonce;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.ToIntFunction;

/**
 * The topic a table's records go to (its own by topicPattern, else the source's) and the check, once per topic, that
 * it is not partitioned: the broker's last sequence id of a producer name must come from the one topic that holds
 * the name's messages.
 */
final class OutputTopics {

    private final String sourceTopic;
    private final Function<String, Optional<String>> tableTopic;
    private final ToIntFunction<String> partitions;
    private final Set<String> checked = ConcurrentHashMap.newKeySet();

    /**
     * @param sourceTopic the source's output topic
     * @param tableTopic  a table's own topic (topicPattern); empty: the source's topic
     * @param partitions  how many partitions a topic has (1: not partitioned)
     */
    OutputTopics(String sourceTopic, Function<String, Optional<String>> tableTopic,
                 ToIntFunction<String> partitions) {
        this.sourceTopic = sourceTopic;
        this.tableTopic = tableTopic;
        this.partitions = partitions;
    }

    /** The topic {@code table}'s records are published to, checked not to be partitioned (the first time). */
    String of(String table) {
        return checked(tableTopic.apply(table).orElse(sourceTopic));
    }

    /** The topic, checked not to be partitioned (the first time). */
    String checked(String topic) {
        if (!checked.contains(topic)) {
            int count = partitions.applyAsInt(topic);
            if (count > 1) {
                throw new IllegalArgumentException(partitionedTopicError(topic, count));
            }
            checked.add(topic);
        }
        return topic;
    }

    /**
     * Why a partitioned topic is refused, in one line. PulsarSink gives every partition's producer the record's
     * partition id as its name and routes each message by its key's hash; the broker deduplicates each partition
     * on its own, and a producer of the name reports only the highest id over all partitions: resuming after that
     * would skip the messages another partition lost in a crash.
     */
    static String partitionedTopicError(String topic, int count) {
        return "processingGuarantees EFFECTIVELY_ONCE needs non-partitioned output topics, but " + topic + " has "
                + count + " partitions: Pulsar spreads a shard's messages over the partitions by key, deduplicates"
                + " each partition on its own and reports only the highest sequence id of all of them, so the source"
                + " cannot tell what a crash lost on the other partitions; publish to a non-partitioned topic"
                + " (topicPattern spreads tables over topics) or run the source ATLEAST_ONCE";
    }
}
