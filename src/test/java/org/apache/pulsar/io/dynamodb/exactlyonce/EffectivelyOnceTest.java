package org.apache.pulsar.io.dynamodb.exactlyonce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.common.functions.FunctionConfig.ProcessingGuarantees;
import org.apache.pulsar.common.functions.ProducerConfig;
import org.apache.pulsar.common.io.SourceConfig;
import org.apache.pulsar.io.core.SourceContext;
import org.apache.pulsar.io.dynamodb.convert.RecordOrigin;
import org.junit.jupiter.api.Test;

/** Which guarantee the source reads from Pulsar, the producer names, and what a shard's sequence starts from. */
class EffectivelyOnceTest {

    private static final String ARN =
            "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-12-01T10:00:00.000";
    private static final RecordOrigin SHARD = new RecordOrigin("orders", "us-east-1", ARN, "shardId-0001");

    private final List<String> probed = new ArrayList<>();

    private EffectivelyOnce withBrokerLast(long last) {
        return new EffectivelyOnce("app", "persistent://public/dedup/orders", (topic, name, stopping) -> {
            probed.add(topic + " " + name);
            return last;
        }, e -> { });
    }

    private static SourceContext context(ProcessingGuarantees guarantees, String batchBuilder, int partitions) {
        SourceConfig config = new SourceConfig();
        config.setProcessingGuarantees(guarantees);
        if (batchBuilder != null) {
            ProducerConfig producer = new ProducerConfig();
            producer.setBatchBuilder(batchBuilder);
            config.setProducerConfig(producer);
        }
        SourceContext context = mock(SourceContext.class);
        when(context.getSourceConfig()).thenReturn(config);
        when(context.getOutputTopic()).thenReturn("persistent://public/dedup/orders");
        PulsarClient client = mock(PulsarClient.class);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < partitions; i++) {
            names.add("persistent://public/dedup/orders" + (partitions > 1 ? "-partition-" + i : ""));
        }
        when(client.getPartitionsForTopic(anyString())).thenReturn(CompletableFuture.completedFuture(names));
        when(context.getPulsarClient()).thenReturn(client);
        return context;
    }

    @Test
    void atLeastOnceUnlessPulsarRunsTheSourceEffectivelyOnce() {
        assertThat(EffectivelyOnce.forGuarantee(null, "app", e -> { })).isSameAs(Sequencing.AT_LEAST_ONCE);
        for (ProcessingGuarantees guarantees : List.of(ProcessingGuarantees.ATLEAST_ONCE,
                ProcessingGuarantees.ATMOST_ONCE, ProcessingGuarantees.MANUAL)) {
            assertThat(EffectivelyOnce.forGuarantee(context(guarantees, "KEY_BASED", 3), "app", e -> { }))
                    .isSameAs(Sequencing.AT_LEAST_ONCE);
        }
        assertThat(EffectivelyOnce.forGuarantee(context(ProcessingGuarantees.EFFECTIVELY_ONCE, "DEFAULT", 1), "app",
                e -> { })).isInstanceOf(EffectivelyOnce.class);
    }

    @Test
    void keyBasedBatchingAndPartitionedTopicsAreRefusedWithOneLine() {
        assertThatThrownBy(() -> EffectivelyOnce.forGuarantee(context(ProcessingGuarantees.EFFECTIVELY_ONCE,
                "DEFAULT", 1), "app", true, e -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("topicPattern cannot be used with processingGuarantees EFFECTIVELY_ONCE");
        assertThat(EffectivelyOnce.forGuarantee(context(ProcessingGuarantees.ATLEAST_ONCE, "DEFAULT", 1), "app",
                true, e -> { })).isSameAs(Sequencing.AT_LEAST_ONCE);
        assertThatThrownBy(() -> EffectivelyOnce.forGuarantee(context(ProcessingGuarantees.EFFECTIVELY_ONCE,
                "KEY_BASED", 1), "app", e -> { })).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("processingGuarantees EFFECTIVELY_ONCE cannot use batchBuilder KEY_BASED")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> EffectivelyOnce.forGuarantee(context(ProcessingGuarantees.EFFECTIVELY_ONCE, null,
                4), "app", e -> { })).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("non-partitioned output topic")
                .hasMessageContaining("persistent://public/dedup/orders has 4 partitions");
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
