package org.apache.pulsar.io.dynamodb.kcl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.CALLS_REAL_METHODS;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.withSettings;

import com.amazonaws.services.dynamodbv2.streamsadapter.model.DynamoDBStreamsProcessRecordsInput;
import com.amazonaws.services.dynamodbv2.streamsadapter.processor.DynamoDBStreamsShardRecordProcessor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamResponse;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.kinesis.lifecycle.events.InitializationInput;
import software.amazon.kinesis.lifecycle.events.LeaseLostInput;
import software.amazon.kinesis.lifecycle.events.ShardEndedInput;
import software.amazon.kinesis.lifecycle.events.ShutdownRequestedInput;
import software.amazon.kinesis.retrieval.kpl.ExtendedSequenceNumber;

class StreamShardGuardTest {

    private static final String ARN = "arn:aws:dynamodb:eu-north-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000";

    private final DynamoDbStreamsClient streams = mock(DynamoDbStreamsClient.class,
            withSettings().defaultAnswer(CALLS_REAL_METHODS));
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger looks = new AtomicInteger();

    private final DynamoDBStreamsShardRecordProcessor recording = new DynamoDBStreamsShardRecordProcessor() {
        @Override
        public void initialize(InitializationInput input) {
            calls.add("initialize " + input.shardId());
        }

        @Override
        public void processRecords(DynamoDBStreamsProcessRecordsInput input) {
            calls.add("process");
        }

        @Override
        public void leaseLost(LeaseLostInput input) {
            calls.add("leaseLost");
        }

        @Override
        public void shardEnded(ShardEndedInput input) {
            calls.add("shardEnded");
        }

        @Override
        public void shutdownRequested(ShutdownRequestedInput input) {
            calls.add("shutdownRequested");
        }
    };

    private void stream(StreamStatus status, String... shards) {
        doReturn(DescribeStreamResponse.builder().streamDescription(d -> d.streamArn(ARN).streamStatus(status)
                .shards(java.util.Arrays.stream(shards).map(id -> software.amazon.awssdk.services.dynamodb.model.Shard
                        .builder().shardId(id).build()).toList())).build())
                .when(streams).describeStream(any(DescribeStreamRequest.class));
    }

    private StreamShardGuard guard(StreamShards shards) {
        return new StreamShardGuard(recording, shards, looks::incrementAndGet);
    }

    private static InitializationInput shard(String id) {
        return InitializationInput.builder().shardId(id).extendedSequenceNumber(ExtendedSequenceNumber.TRIM_HORIZON)
                .build();
    }

    @Test
    void aShardOfTheStreamIsProcessed() {
        stream(StreamStatus.DISABLED, "shard-0", "shard-1");
        StreamShardGuard guard = guard(new StreamShards(streams, ARN));
        guard.initialize(shard("shard-1"));
        guard.shardEnded(ShardEndedInput.builder().build());
        assertThat(calls).containsExactly("initialize shard-1", "shardEnded");
        assertThat(looks).hasValue(0);
    }

    @Test
    void aShardOfTheNextStreamMetByADisabledStreamsSchedulerIsRefusedAndNeverEnded() {
        stream(StreamStatus.DISABLED, "shard-0", "shard-1");
        StreamShardGuard guard = guard(new StreamShards(streams, ARN));
        assertThatThrownBy(() -> guard.initialize(shard("shard-9"))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("shard-9").hasMessageContaining(ARN).hasMessageNotContaining("\n");
        guard.shardEnded(ShardEndedInput.builder().build());
        assertThat(calls).as("no SHARD_END checkpoint for a shard this stream does not have").isEmpty();
        assertThat(looks).as("the watch looks at once").hasValue(1);
    }

    @Test
    void aShardNewerThanTheListingOfAnEnabledStreamIsProcessed() {
        stream(StreamStatus.ENABLED, "shard-0");
        StreamShards shards = new StreamShards(streams, ARN);
        assertThat(shards.all()).containsExactly("shard-0");
        stream(StreamStatus.ENABLED, "shard-0", "shard-2");
        guard(shards).initialize(shard("shard-2"));
        assertThat(calls).containsExactly("initialize shard-2");
    }
}
