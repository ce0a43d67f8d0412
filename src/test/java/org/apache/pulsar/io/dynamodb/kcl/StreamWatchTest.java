package org.apache.pulsar.io.dynamodb.kcl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.CALLS_REAL_METHODS;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.withSettings;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamResponse;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

class StreamWatchTest {

    private static final String ARN = "arn:aws:dynamodb:eu-north-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000";

    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private DynamoDbStreamsClient streams;
    private DynamoDbAsyncClient dynamo;
    private StreamWatch watch;

    @BeforeEach
    void setUp() {
        streams = mock(DynamoDbStreamsClient.class, withSettings().defaultAnswer(CALLS_REAL_METHODS));
        dynamo = mock(DynamoDbAsyncClient.class, withSettings().defaultAnswer(CALLS_REAL_METHODS));
        watch = new StreamWatch(streams, dynamo, ARN, "app", failures::add);
        doReturn(CompletableFuture.failedFuture(ResourceNotFoundException.builder().message("gone").build()))
                .when(dynamo).describeTable(any(DescribeTableRequest.class));
    }

    private void status(StreamStatus status) {
        doReturn(DescribeStreamResponse.builder().streamDescription(d -> d.streamArn(ARN).tableName("orders")
                .streamStatus(status)).build()).when(streams).describeStream(any(DescribeStreamRequest.class));
    }

    private void leases(String... checkpoints) {
        List<Map<String, AttributeValue>> items = java.util.Arrays.stream(checkpoints)
                .map(c -> Map.of("leaseKey", AttributeValue.fromS("shard"), "checkpoint", AttributeValue.fromS(c)))
                .toList();
        doReturn(CompletableFuture.completedFuture(ScanResponse.builder().items(items).build()))
                .when(dynamo).scan(any(ScanRequest.class));
    }

    @Test
    void anEnabledStreamIsLeftAlone() {
        status(StreamStatus.ENABLED);
        leases("SHARD_END");
        watch.check();
        assertThat(failures).isEmpty();
    }

    @Test
    void aDisabledStreamFailsOnlyOnceEveryLeaseIsAtShardEnd() {
        status(StreamStatus.DISABLED);
        leases("000000000000000000005", "SHARD_END");
        watch.check();
        assertThat(failures).isEmpty();

        leases();
        watch.check();
        assertThat(failures).as("no leases yet: nothing read").isEmpty();

        leases("SHARD_END", "SHARD_END");
        watch.check();
        watch.check();
        assertThat(failures).hasSize(1);
        assertThat(failures.get(0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(ARN)
                .hasMessageContaining("of table orders is DISABLED")
                .hasMessageContaining("table orders was deleted")
                .hasMessageNotContaining("\n");
    }

    @Test
    void aStreamThatNoLongerExistsFailsAtOnce() {
        doThrow(ResourceNotFoundException.builder().message("Stream not found").build())
                .when(streams).describeStream(any(DescribeStreamRequest.class));
        watch.check();
        assertThat(failures).hasSize(1);
        assertThat(failures.get(0)).hasMessageContaining(ARN).hasMessageContaining("no longer exists");
    }

    @Test
    void aTransientErrorIsNoFailure() {
        doThrow(SdkClientException.create("connection refused"))
                .when(streams).describeStream(any(DescribeStreamRequest.class));
        watch.check();
        assertThat(failures).isEmpty();
    }

    @Test
    void aDisabledStreamOfATableThatStillExistsSaysTheStreamWasDisabled() {
        status(StreamStatus.DISABLED);
        leases("SHARD_END");
        doReturn(CompletableFuture.completedFuture(DescribeTableResponse.builder().table(t -> t.tableName("orders")
                .latestStreamArn(ARN)).build())).when(dynamo).describeTable(any(DescribeTableRequest.class));
        watch.check();
        assertThat(failures).hasSize(1);
        assertThat(failures.get(0)).hasMessageContaining("the table's stream was disabled;");
    }
}
