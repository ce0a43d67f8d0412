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
import org.apache.pulsar.io.dynamodb.discovery.TableCatalog;
import org.apache.pulsar.io.dynamodb.discovery.TableState;
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
        watch = new StreamWatch(streams, dynamo, ARN, "app", failures::add, null);
        doReturn(CompletableFuture.failedFuture(ResourceNotFoundException.builder().message("gone").build()))
                .when(dynamo).describeTable(any(DescribeTableRequest.class));
    }

    private void status(StreamStatus status) {
        doReturn(DescribeStreamResponse.builder().streamDescription(d -> d.streamArn(ARN).tableName("orders")
                .streamStatus(status)).build()).when(streams).describeStream(any(DescribeStreamRequest.class));
    }

    private void leases(String... checkpoints) {
        List<Map<String, AttributeValue>> items = java.util.stream.IntStream.range(0, checkpoints.length)
                .mapToObj(i -> Map.of("leaseKey", AttributeValue.fromS("shard-" + i),
                        "checkpoint", AttributeValue.fromS(checkpoints[i])))
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

    private static final String NEXT = "arn:aws:dynamodb:eu-north-1:123456789012:table/orders/stream/2026-01-02T00:00:00.000";

    /** A tableName watch, the table as the stand-in catalog says, the stream's two shards. */
    private StreamWatch following(TableState[] table, List<String> followed) {
        TableCatalog catalog = new TableCatalog() {
            @Override
            public List<String> tableNames() {
                return List.of("orders");
            }

            @Override
            public TableState describe(String name) {
                return table[0];
            }

            @Override
            public Map<String, String> tags(String tableArn) {
                return Map.of();
            }
        };
        return new StreamWatch(streams, dynamo, ARN, "app", failures::add, new StreamWatch.Following("orders",
                catalog, new StreamShards(streams, ARN), followed::add));
    }

    private void disabledWithShards() {
        doReturn(DescribeStreamResponse.builder().streamDescription(d -> d.streamArn(ARN).tableName("orders")
                .streamStatus(StreamStatus.DISABLED).shards(s -> s.shardId("shard-0"), s -> s.shardId("shard-1")))
                .build()).when(streams).describeStream(any(DescribeStreamRequest.class));
    }

    @Test
    void withTableNameAStreamReadToItsEndIsFollowedOnceToTheTablesNewStream() {
        List<String> followed = new CopyOnWriteArrayList<>();
        TableState[] table = {new TableState("orders", true, "table-arn", NEXT)};
        StreamWatch follow = following(table, followed);
        disabledWithShards();
        leases("SHARD_END", "000000000000000000005");
        follow.check();
        assertThat(followed).as("a shard still has records").isEmpty();

        leases("SHARD_END", "SHARD_END");
        follow.check();
        follow.check();
        assertThat(followed).containsExactly(NEXT);
        assertThat(failures).isEmpty();
    }

    /** A watch on a stream read to its end, its table without a stream: it waited (two looks). */
    private StreamWatch waiting(TableState[] table, List<String> followed) {
        table[0] = new TableState("orders", true, "table-arn", null);
        StreamWatch follow = following(table, followed);
        disabledWithShards();
        leases("SHARD_END", "SHARD_END");
        follow.check();
        follow.check();
        assertThat(failures).as("the table may get a stream again").isEmpty();
        assertThat(followed).isEmpty();
        return follow;
    }

    @Test
    void withTableNameAStreamReadToItsEndWaitsForANewStreamAndFailsOnlyWhenTheTableIsDeleted() {
        List<String> followed = new CopyOnWriteArrayList<>();
        TableState[] table = new TableState[1];
        StreamWatch follow = waiting(table, followed);

        table[0] = TableState.missing("orders");
        follow.check();
        assertThat(failures).singleElement().satisfies(e -> assertThat(e).hasMessageContaining(ARN)
                .hasMessageContaining("every record of it has been published").hasMessageContaining("was deleted"));
    }

    @Test
    void withTableNameAWaitingSourceFollowsTheStreamEnabledLater() {
        List<String> followed = new CopyOnWriteArrayList<>();
        TableState[] table = new TableState[1];
        StreamWatch follow = waiting(table, followed);

        table[0] = new TableState("orders", true, "table-arn", NEXT);
        follow.check();
        assertThat(followed).containsExactly(NEXT);
        assertThat(failures).isEmpty();
    }

    @Test
    void withTableNameLeasesOfTheNextStreamAreFollowedWithoutWaitingForThisStreamsEnd() {
        List<String> followed = new CopyOnWriteArrayList<>();
        StreamWatch follow = following(new TableState[] {new TableState("orders", true, "table-arn", NEXT)},
                followed);
        disabledWithShards();
        // another instance deleted this stream's finished leases and created the new stream's (keys not shard-0/1)
        doReturn(CompletableFuture.completedFuture(ScanResponse.builder().items(List.of(Map.of("leaseKey",
                AttributeValue.fromS("shard-9"), "checkpoint", AttributeValue.fromS("TRIM_HORIZON")))).build()))
                .when(dynamo).scan(any(ScanRequest.class));
        follow.check();
        assertThat(followed).containsExactly(NEXT);
    }
}
