package org.apache.pulsar.io.dynamodb.exactlyonce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.common.functions.FunctionConfig.ProcessingGuarantees;
import org.apache.pulsar.common.functions.ProducerConfig;
import org.apache.pulsar.common.io.SourceConfig;
import org.apache.pulsar.io.core.SourceContext;
import org.apache.pulsar.io.dynamodb.config.TablesConfig;
import org.apache.pulsar.io.dynamodb.convert.RecordOrigin;
import org.apache.pulsar.io.dynamodb.discovery.TablesConfigs;
import org.junit.jupiter.api.Test;

/** Which guarantee the source reads from Pulsar, the producer names, and what a shard's sequence starts from. */
class EffectivelyOnceTest {

    private static final String ARN =
            "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-12-01T10:00:00.000";
    private static final RecordOrigin SHARD = new RecordOrigin("orders", "us-east-1", ARN, "shardId-0001");

    private static final String TOPIC = "persistent://public/dedup/orders";
    private static final String ORDERS_TOPIC = "persistent://public/dedup/cdc-orders";
    private static final String PAYMENTS_TOPIC = "persistent://public/dedup/cdc-payments";
    private static final TablesConfig ONE_TOPIC = TablesConfigs.of("tables", "orders,payments");
    private static final TablesConfig TOPIC_PER_TABLE = TablesConfigs.of("tables", "orders,payments",
            "topicPattern", "persistent://public/dedup/cdc-{table}");

    private final List<String> probed = new ArrayList<>();

    private EffectivelyOnce withBrokerLast(long last) {
        return new EffectivelyOnce("app", TOPIC, (topic, name, stopping) -> {
            probed.add(topic + " " + name);
            return last;
        }, e -> { });
    }

    private static SourceContext context(ProcessingGuarantees guarantees, String batchBuilder, int partitions) {
        return context(guarantees, batchBuilder, Map.of(TOPIC, partitions), new ArrayList<>());
    }

    /**
     * @param partitions the partitions of each topic (1 when not given)
     * @param looked     the topics whose partitions were looked up, in order
     */
    private static SourceContext context(ProcessingGuarantees guarantees, String batchBuilder,
                                         Map<String, Integer> partitions, List<String> looked) {
        SourceConfig config = new SourceConfig();
        config.setProcessingGuarantees(guarantees);
        if (batchBuilder != null) {
            ProducerConfig producer = new ProducerConfig();
            producer.setBatchBuilder(batchBuilder);
            config.setProducerConfig(producer);
        }
        SourceContext context = mock(SourceContext.class);
        when(context.getSourceConfig()).thenReturn(config);
        when(context.getOutputTopic()).thenReturn(TOPIC);
        PulsarClient client = mock(PulsarClient.class);
        when(client.getPartitionsForTopic(anyString())).thenAnswer(call -> {
            String topic = call.getArgument(0);
            looked.add(topic);
            int count = partitions.getOrDefault(topic, 1);
            List<String> names = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                names.add(topic + (count > 1 ? "-partition-" + i : ""));
            }
            return CompletableFuture.completedFuture(names);
        });
        when(context.getPulsarClient()).thenReturn(client);
        return context;
    }

    @Test
    void atLeastOnceUnlessPulsarRunsTheSourceEffectivelyOnce() {
        assertThat(EffectivelyOnce.forGuarantee(null, "app", ONE_TOPIC, e -> { })).isSameAs(Sequencing.AT_LEAST_ONCE);
        for (ProcessingGuarantees guarantees : List.of(ProcessingGuarantees.ATLEAST_ONCE,
                ProcessingGuarantees.ATMOST_ONCE, ProcessingGuarantees.MANUAL)) {
            assertThat(EffectivelyOnce.forGuarantee(context(guarantees, "KEY_BASED", 3), "app", ONE_TOPIC, e -> { }))
                    .isSameAs(Sequencing.AT_LEAST_ONCE);
            assertThat(EffectivelyOnce.forGuarantee(context(guarantees, null, 3), "app", TOPIC_PER_TABLE, e -> { }))
                    .isSameAs(Sequencing.AT_LEAST_ONCE);
        }
        assertThat(EffectivelyOnce.forGuarantee(context(ProcessingGuarantees.EFFECTIVELY_ONCE, "DEFAULT", 1), "app",
                ONE_TOPIC, e -> { })).isInstanceOf(EffectivelyOnce.class);
        assertThat(EffectivelyOnce.forGuarantee(context(ProcessingGuarantees.EFFECTIVELY_ONCE, "DEFAULT", 1), "app",
                TOPIC_PER_TABLE, e -> { })).isInstanceOf(EffectivelyOnce.class);
    }

    @Test
    void keyBasedBatchingAndPartitionedTopicsAreRefusedWithOneLine() {
        assertThatThrownBy(() -> EffectivelyOnce.forGuarantee(context(ProcessingGuarantees.EFFECTIVELY_ONCE,
                "KEY_BASED", 1), "app", ONE_TOPIC, e -> { })).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("processingGuarantees EFFECTIVELY_ONCE cannot use batchBuilder KEY_BASED")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> EffectivelyOnce.forGuarantee(context(ProcessingGuarantees.EFFECTIVELY_ONCE, null,
                4), "app", ONE_TOPIC, e -> { })).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("processingGuarantees EFFECTIVELY_ONCE needs non-partitioned output topics,"
                        + " but persistent://public/dedup/orders has 4 partitions: ")
                .hasMessageContaining("reports only the highest sequence id of all of them")
                .hasMessageEndingWith("publish to a non-partitioned topic (topicPattern spreads tables over topics)"
                        + " or run the source ATLEAST_ONCE")
                .hasMessageNotContaining("\n");
        // topicPattern: each listed table's topic is checked at open; the source's own topic receives nothing
        List<String> looked = new ArrayList<>();
        assertThat(EffectivelyOnce.forGuarantee(context(ProcessingGuarantees.EFFECTIVELY_ONCE, null,
                Map.of(TOPIC, 4), looked), "app", TOPIC_PER_TABLE, e -> { })).isInstanceOf(EffectivelyOnce.class);
        assertThat(looked).containsExactly(ORDERS_TOPIC, PAYMENTS_TOPIC);
        assertThatThrownBy(() -> EffectivelyOnce.forGuarantee(context(ProcessingGuarantees.EFFECTIVELY_ONCE, null,
                Map.of(PAYMENTS_TOPIC, 3), new ArrayList<>()), "app", TOPIC_PER_TABLE, e -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("but " + PAYMENTS_TOPIC + " has 3 partitions");
    }

    @Test
    void aDiscoveredTablesPartitionedTopicFailsTheShardWhenItIsTaken() throws Exception {
        List<String> looked = new ArrayList<>();
        Sequencing sequencing = EffectivelyOnce.forGuarantee(context(ProcessingGuarantees.EFFECTIVELY_ONCE, null,
                Map.of("persistent://public/dedup/cdc-orders-eu", 2), looked), "app",
                TablesConfigs.of("tableNamePrefix", "orders", "topicPattern", "persistent://public/dedup/cdc-{table}"),
                e -> { });
        assertThat(looked).as("discovered tables are not known at open").isEmpty();
        assertThatThrownBy(() -> sequencing.forShard(new RecordOrigin("orders-eu", "us-east-1", ARN, "shardId-1"),
                "TRIM_HORIZON", 0, () -> false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("persistent://public/dedup/cdc-orders-eu has 2 partitions");
        assertThat(looked).containsExactly("persistent://public/dedup/cdc-orders-eu");
    }

    @Test
    void withTopicPatternEachShardIsProbedAndResumedOnItsTablesTopic() throws Exception {
        Map<String, Long> brokerLast = Map.of(
                ORDERS_TOPIC + " " + "app/orders/2026-12-01T10:00:00.000/shardId-0001", 20L,
                PAYMENTS_TOPIC + " " + "app/payments/2026-12-01T10:00:00.000/shardId-0001", -1L);
        List<String> looked = new ArrayList<>();
        EffectivelyOnce sequencing = new EffectivelyOnce("app", new OutputTopics(TOPIC, TOPIC_PER_TABLE::topicFor,
                topic -> {
                    looked.add(topic);
                    return 1;
                }), (topic, name, stopping) -> {
                    probed.add(topic + " " + name);
                    return brokerLast.getOrDefault(topic + " " + name, -1L);
                }, e -> { });
        RecordOrigin payments = new RecordOrigin("payments", "us-east-1", ARN.replace("orders", "payments"),
                "shardId-0001");
        // the same checkpoint (record 7) on both tables: orders's topic already holds record 8 to 10, payments's not
        ReaderSequence ordersShard = sequencing.forShard(SHARD, "40000000000000000000000012345", 7, () -> false);
        ReaderSequence paymentsShard = sequencing.forShard(payments, "40000000000000000000000012345", 7, () -> false);
        assertThat(probed).containsExactly(ORDERS_TOPIC + " app/orders/2026-12-01T10:00:00.000/shardId-0001",
                PAYMENTS_TOPIC + " app/payments/2026-12-01T10:00:00.000/shardId-0001");
        List<MessageIds> orders = List.of(ordersShard.next("a", 2), ordersShard.next("b", 2), ordersShard.next("c",
                2), ordersShard.next("d", 2));
        assertThat(orders).extracting(ids -> ids.id(0)).containsExactly(16L, 18L, 20L, 22L);
        assertThat(orders).extracting(ids -> ids.held(0) + "/" + ids.held(1))
                .as("held through the broker's id 20 on the orders topic, nothing after it")
                .containsExactly("true/true", "true/true", "true/false", "false/false");
        MessageIds firstPayment = paymentsShard.next("a", 2);
        assertThat(firstPayment.id(0)).isEqualTo(16);
        assertThat(firstPayment.held(0)).as("the payments topic holds none of the name's ids").isFalse();
        assertThat(firstPayment.producerName()).isNotEqualTo(orders.get(0).producerName());
        sequencing.forShard(SHARD.withShard("shardId-0002"), "TRIM_HORIZON", 0, () -> false);
        assertThat(looked).as("each topic's partitions looked up once").containsExactly(ORDERS_TOPIC,
                PAYMENTS_TOPIC);
    }

    @Test
    void aShardPublishesAsASourceTableStreamAndShardNamedProducer() throws Exception {
        MessageIds ids = withBrokerLast(-1).forShard(SHARD, "TRIM_HORIZON", 0, () -> false).next("1", 1);
        assertThat(ids.producerName()).isEqualTo("app/orders/2026-12-01T10:00:00.000/shardId-0001");
        assertThat(probed).containsExactly("persistent://public/dedup/orders "
                + "app/orders/2026-12-01T10:00:00.000/shardId-0001");
        assertThat(withBrokerLast(-1).forSegment(SHARD.withShard(null), 3, 5, () -> false).next("page", 1)
                .producerName()).isEqualTo("app/orders/snapshot-3-5");
    }

    @Test
    void aNumberedCheckpointContinuesTheNumberingAndAnyOtherStartsAboveTheBroker() throws Exception {
        assertThat(withBrokerLast(1000).forShard(SHARD, "40000000000000000000000012345", 7, () -> false)
                .next("40000000000000000000000012346", 1).id(0)).isEqualTo(16);
        for (String sentinel : List.of("TRIM_HORIZON", "LATEST", "AT_TIMESTAMP")) {
            assertThat(withBrokerLast(1000).forShard(SHARD, sentinel, 0, () -> false).next("1", 1).id(0))
                    .isEqualTo(1002);
        }
        assertThat(withBrokerLast(1000).forShard(SHARD, "40000000000000000000000012345", 0, () -> false)
                .next("40000000000000000000000012346", 1).id(0))
                .as("an at-least-once checkpoint has no number").isEqualTo(1002);
    }
}
