package org.apache.pulsar.io.dynamodb.exactlyonce;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.pulsar.common.functions.FunctionConfig.ProcessingGuarantees;
import org.apache.pulsar.common.io.SourceConfig;
import org.apache.pulsar.io.core.SourceContext;
import org.apache.pulsar.io.dynamodb.config.TablesConfig;
import org.apache.pulsar.io.dynamodb.convert.RecordOrigin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Effectively-once sequencing: each shard publishes as producer {@code <applicationName>/<table>/<stream
 * label>/<shardId>} (each snapshot segment as {@code <applicationName>/<table>/snapshot-<generation>-<segment>}), so
 * names are unique per topic and per source; on taking a shard it learns the broker's last id for the name on the
 * topic the shard's records go to and sends only what comes after it (see {@link NumberedSequence}).
 */
public final class EffectivelyOnce implements Sequencing {

    private static final Logger log = LoggerFactory.getLogger(EffectivelyOnce.class);
    /** How long a reader waits for the previous owner's producer to close before it fails the source. */
    static final Duration MAX_NAME_WAIT = Duration.ofMinutes(10);

    private final String applicationName;
    private final OutputTopics topics;
    private final LastSequenceIds broker;
    private final Consumer<Throwable> fatal;

    /**
     * Every table to one topic.
     *
     * @param broker where the last stored id of a name comes from (Pulsar; a stand-in in tests)
     */
    public EffectivelyOnce(String applicationName, String topic, LastSequenceIds broker, Consumer<Throwable> fatal) {
        this(applicationName, new OutputTopics(topic, table -> Optional.empty(), any -> 1), broker, fatal);
    }

    EffectivelyOnce(String applicationName, OutputTopics topics, LastSequenceIds broker, Consumer<Throwable> fatal) {
        this.applicationName = applicationName;
        this.topics = topics;
        this.broker = broker;
        this.fatal = fatal;
    }

    /**
     * The sequencing Pulsar's processing guarantee asks for: effectively-once for EFFECTIVELY_ONCE, otherwise (and
     * without a context) at-least-once. Fails with one line when the instance cannot deliver effectively once: a
     * KEY_BASED batch builder, or a partitioned output topic (the source's, or a listed table's by topicPattern; a
     * discovered table's topic is checked when its first shard is taken).
     *
     * @param tables which tables go to which topic
     * @param fatal  fails the source (a publish that failed under effectively-once)
     */
    public static Sequencing forGuarantee(SourceContext context, String applicationName, TablesConfig tables,
                                          Consumer<Throwable> fatal) {
        SourceConfig sourceConfig = context == null ? null : context.getSourceConfig();
        if (sourceConfig == null || sourceConfig.getProcessingGuarantees() != ProcessingGuarantees.EFFECTIVELY_ONCE) {
            return AT_LEAST_ONCE;
        }
        // the admin API sets SourceConfig.batchBuilder; an instance's context has it in the producer config
        String batchBuilder = sourceConfig.getBatchBuilder() != null || sourceConfig.getProducerConfig() == null
                ? sourceConfig.getBatchBuilder() : sourceConfig.getProducerConfig().getBatchBuilder();
        if ("KEY_BASED".equalsIgnoreCase(batchBuilder)) {
            throw new IllegalArgumentException("processingGuarantees EFFECTIVELY_ONCE cannot use batchBuilder"
                    + " KEY_BASED: a key-based batch carries only its highest sequence id, so the broker's"
                    + " deduplication would store re-sent messages or drop new ones; use the DEFAULT batch builder");
        }
        OutputTopics topics = new OutputTopics(context.getOutputTopic(), tables::topicFor,
                topic -> partitionsOf(context, topic));
        // the topics known now are checked now; with topicPattern the source's own topic receives nothing
        if (tables.perTableTopics()) {
            tables.tables().forEach(topics::of);
        } else {
            topics.checked(context.getOutputTopic());
        }
        log.info("Effectively-once: each shard publishes to {} as producer '{}/<table>/<stream label>/<shardId>',"
                + " resuming after the broker's last sequence id for it there; the namespace must have deduplication"
                + " on", tables.perTableTopics() ? "its table's topic" : context.getOutputTopic(), applicationName);
        return new EffectivelyOnce(applicationName, topics,
                new PulsarLastSequenceIds(context.getPulsarClient(), MAX_NAME_WAIT), fatal);
    }

    private static int partitionsOf(SourceContext context, String topic) {
        try {
            List<String> partitions = context.getPulsarClient().getPartitionsForTopic(topic).get(60, TimeUnit.SECONDS);
            return partitions.size();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while looking up the partitions of " + topic, e);
        } catch (Exception e) {
            throw new IllegalStateException("could not look up the partitions of output topic " + topic + ": " + e,
                    e);
        }
    }

    /** The producer name of a shard: the source, the table, the stream (a re-created stream is new) and the shard. */
    static String shardProducerName(String applicationName, RecordOrigin shard) {
        return applicationName + "/" + shard.table() + "/" + streamLabel(shard.streamArn()) + "/" + shard.shardId();
    }

    /** The stream ARN's label, its creation time: {@code arn:...:table/T/stream/<label>}. */
    static String streamLabel(String streamArn) {
        int at = streamArn.lastIndexOf("/stream/");
        return at < 0 ? streamArn : streamArn.substring(at + "/stream/".length());
    }

    @Override
    public ReaderSequence forShard(RecordOrigin shard, String checkpointSequenceNumber, long checkpointSubsequence,
                                   BooleanSupplier stopping) throws InterruptedException {
        String name = shardProducerName(applicationName, shard);
        String topic = topics.of(shard.table());
        long brokerLast = broker.lastSequenceId(topic, name, stopping);
        boolean numbered = checkpointSubsequence > 0 && isSequenceNumber(checkpointSequenceNumber);
        NumberedSequence sequence = new NumberedSequence(name, numbered ? checkpointSubsequence : 0, brokerLast,
                true, fatal);
        log.info("Shard {}: effectively-once as producer '{}' on {}; the broker holds ids through {}; the next record"
                        + " is number {} ({}), ids at or below the broker's are not sent again", shard.shardId(), name,
                topic, brokerLast, sequence.nextNumber(), numbered ? "from the checkpoint"
                        : "no numbered checkpoint: above the broker's ids");
        return sequence;
    }

    @Override
    public ReaderSequence forSegment(RecordOrigin table, long generation, int segment, BooleanSupplier stopping)
            throws InterruptedException {
        String name = applicationName + "/" + table.table() + "/snapshot-" + generation + "-" + segment;
        long brokerLast = broker.lastSequenceId(topics.of(table.table()), name, stopping);
        NumberedSequence sequence = new NumberedSequence(name, 0, brokerLast, false, fatal);
        log.info("Snapshot segment {}: publishing as producer '{}' from id {} (above the broker's {})", segment, name,
                sequence.nextNumber() * ReaderSequence.MESSAGES_PER_RECORD, brokerLast);
        return sequence;
    }

    private static boolean isSequenceNumber(String checkpoint) {
        return checkpoint != null && !checkpoint.isEmpty() && checkpoint.chars().allMatch(Character::isDigit);
    }
}
