package org.apache.pulsar.io.dynamodb.kcl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.when;

import com.amazonaws.services.dynamodbv2.streamsadapter.adapter.DynamoDBStreamsClientRecord;
import com.amazonaws.services.dynamodbv2.streamsadapter.adapter.DynamoDBStreamsGetRecordsResponseAdapter;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.pulsar.io.dynamodb.stream.RetentionGap;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentMatcher;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamResponse;
import software.amazon.awssdk.services.dynamodb.model.ExpiredIteratorException;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsRequest;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.dynamodb.model.GetShardIteratorResponse;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;
import software.amazon.awssdk.services.dynamodb.model.TrimmedDataAccessException;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.kinesis.retrieval.AggregatorUtil;
import software.amazon.kinesis.retrieval.KinesisClientRecord;

class DirectRecordsAdapterClientTest {

    private static final GetRecordsRequest REQUEST = GetRecordsRequest.builder().shardIterator("it-1").build();

    private static final String ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/x";
    private static final String SHARD = "shardId-00000001700000000000-abcd";

    private final DynamoDbStreamsClient streams = mock(DynamoDbStreamsClient.class);
    private final List<RetentionGap> gaps = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final DirectRecordsAdapterClient client = new DirectRecordsAdapterClient(streams, Region.US_EAST_1, arn -> arn,
            gaps::add);

    @Test
    void recordsCarryTheStreamRecordItselfAndItsSequenceNumber() throws Exception {
        Record first = record("100", 120L);
        Record second = record("200", 4000L);
        when(streams.getRecords(any(GetRecordsRequest.class))).thenReturn(GetRecordsResponse.builder()
                .records(first, second).nextShardIterator("it-2").build());

        DynamoDBStreamsGetRecordsResponseAdapter response = client.getDynamoDBStreamsRecords(REQUEST).get();

        List<KinesisClientRecord> records = response.records();
        assertThat(records).hasSize(2);
        assertThat(((DynamoDBStreamsClientRecord) records.get(0)).getRecord()).isSameAs(first);
        assertThat(((DynamoDBStreamsClientRecord) records.get(1)).getRecord()).isSameAs(second);
        assertThat(records).extracting(KinesisClientRecord::sequenceNumber).containsExactly("100", "200");
        assertThat(records.get(0).approximateArrivalTimestamp()).isEqualTo(Instant.ofEpochSecond(1_700_000_000));
        assertThat(response.nextShardIterator()).isEqualTo("it-2");
    }

    @Test
    void askingForTheRecordsAgainGivesTheSameRecordsWithoutRebuildingThem() throws Exception {
        when(streams.getRecords(any(GetRecordsRequest.class))).thenReturn(GetRecordsResponse.builder()
                .records(record("1", 10L), record("2", 20L)).build());
        DynamoDBStreamsGetRecordsResponseAdapter response = client.getDynamoDBStreamsRecords(REQUEST).get();

        List<KinesisClientRecord> first = response.records();
        List<KinesisClientRecord> again = response.records();

        assertThat(again).hasSize(2);
        assertThat(again.get(0)).isSameAs(first.get(0));
        assertThat(again.get(1)).isSameAs(first.get(1));
    }

    @Test
    void dataIsAReadOnlyPlaceholderAsLongAsTheRecordsSizeSoKclStillBoundsItsReadAhead() throws Exception {
        when(streams.getRecords(any(GetRecordsRequest.class))).thenReturn(GetRecordsResponse.builder()
                .records(record("1", 120L), record("2", 5_000_000L), record("3", null)).build());

        List<KinesisClientRecord> records = client.getDynamoDBStreamsRecords(REQUEST).get().records();

        assertThat(records).extracting(r -> r.data().limit()).containsExactly(120, 1 << 20, 0);
        ByteBuffer data = records.get(0).data();
        assertThat(data.isReadOnly()).isTrue();
        assertThat(data.remaining()).isEqualTo(120);
    }

    @Test
    void kclsDeaggregationLeavesThePlaceholderRecordsAsTheyAre() throws Exception {
        when(streams.getRecords(any(GetRecordsRequest.class))).thenReturn(GetRecordsResponse.builder()
                .records(record("1", 120L), record("2", 2L)).build());
        List<KinesisClientRecord> records = client.getDynamoDBStreamsRecords(REQUEST).get().records();

        List<KinesisClientRecord> deaggregated = new AggregatorUtil().deaggregate(records);

        assertThat(deaggregated).hasSize(2);
        assertThat(deaggregated.get(0)).isSameAs(records.get(0));
        assertThat(deaggregated.get(1)).isSameAs(records.get(1));
    }

    @Test
    void streamErrorsFailTheFutureAsTheKinesisExceptionsKclHandles() {
        AwsServiceException noDetails = AwsServiceException.builder().message("no details").build();
        when(streams.getRecords(any(GetRecordsRequest.class)))
                .thenThrow(ExpiredIteratorException.builder().message("expired")
                        .awsErrorDetails(details("ExpiredIteratorException")).build())
                .thenThrow(TrimmedDataAccessException.builder().message("trimmed")
                        .awsErrorDetails(details("TrimmedDataAccessException")).build())
                .thenThrow(noDetails);

        assertThatThrownBy(() -> client.getDynamoDBStreamsRecords(REQUEST).get())
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(software.amazon.awssdk.services.kinesis.model.ExpiredIteratorException.class);
        assertThatThrownBy(() -> client.getDynamoDBStreamsRecords(REQUEST).get())
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(software.amazon.awssdk.services.kinesis.model.ExpiredIteratorException.class);
        assertThatThrownBy(() -> client.getDynamoDBStreamsRecords(REQUEST).get())
                .isInstanceOf(ExecutionException.class).cause().isSameAs(noDetails);
    }

    private static AwsErrorDetails details(String code) {
        return AwsErrorDetails.builder().errorCode(code).errorMessage(code).serviceName("DynamoDbStreams").build();
    }

    @Test
    void clientErrorsFailTheFutureUnchanged() {
        SdkClientException unreachable = SdkClientException.create("Unable to execute HTTP request");
        when(streams.getRecords(any(GetRecordsRequest.class))).thenThrow(unreachable);

        assertThatThrownBy(() -> client.getDynamoDBStreamsRecords(REQUEST).get())
                .isInstanceOf(ExecutionException.class).cause().isSameAs(unreachable);
    }

    private static Record record(String sequenceNumber, Long sizeBytes) {
        return Record.builder().eventName(OperationType.INSERT).dynamodb(StreamRecord.builder()
                .sequenceNumber(sequenceNumber).sizeBytes(sizeBytes)
                .approximateCreationDateTime(Instant.ofEpochSecond(1_700_000_000))
                .keys(Map.of("id", AttributeValue.fromS("k" + sequenceNumber))).build()).build();
    }

    // ---- retention gaps: a checkpoint the stream no longer holds ----------------------------------------------

    private static software.amazon.awssdk.services.kinesis.model.GetShardIteratorRequest iterator(
            software.amazon.awssdk.services.kinesis.model.ShardIteratorType type, String sequenceNumber) {
        return software.amazon.awssdk.services.kinesis.model.GetShardIteratorRequest.builder().streamName(ARN)
                .shardId(SHARD).shardIteratorType(type).startingSequenceNumber(sequenceNumber).build();
    }

    private static GetShardIteratorResponse iteratorResponse(String iterator) {
        return GetShardIteratorResponse.builder().shardIterator(iterator).build();
    }

    private static ArgumentMatcher<GetShardIteratorRequest> ofType(ShardIteratorType type) {
        return request -> request != null && request.shardIteratorType() == type;
    }

    @Test
    void aTrimmedCheckpointIsReportedWithTheOldestRecordLeftAndReadFromThere() throws Exception {
        when(streams.getShardIterator(argThat(ofType(ShardIteratorType.AFTER_SEQUENCE_NUMBER))))
                .thenThrow(TrimmedDataAccessException.builder().message("trimmed")
                        .awsErrorDetails(details("TrimmedDataAccessException")).build());
        when(streams.getShardIterator(argThat(ofType(ShardIteratorType.TRIM_HORIZON))))
                .thenReturn(iteratorResponse("oldest"));
        when(streams.getRecords(any(GetRecordsRequest.class))).thenReturn(GetRecordsResponse.builder()
                .records(record("900", 10L)).build());

        var response = client.getShardIterator(iterator(
                software.amazon.awssdk.services.kinesis.model.ShardIteratorType.AFTER_SEQUENCE_NUMBER, "100")).get();

        assertThat(response.shardIterator()).isEqualTo("oldest");
        assertThat(gaps).containsExactly(new RetentionGap(ARN, SHARD, "100", "900",
                Instant.ofEpochSecond(1_700_000_000)));
        assertThat(gaps.get(0).describe()).isEqualTo("Shard " + SHARD + " of DynamoDB stream " + ARN
                + ": its checkpoint (sequence number 100) is older than the stream's 24-hour retention: the changes"
                + " after it up to the oldest record still in the shard (sequence number 900, created "
                + "2023-11-14T22:13:20Z) were trimmed and are not in the topic");
    }

    @Test
    void aHandlerThatStopsFailsTheIteratorSoNothingAfterTheGapIsRead() {
        RuntimeException stop = new IllegalStateException("snapshot again");
        DirectRecordsAdapterClient stopping = new DirectRecordsAdapterClient(streams, Region.US_EAST_1, arn -> arn,
                gap -> {
                    throw stop;
                });
        when(streams.getShardIterator(argThat(ofType(ShardIteratorType.AT_SEQUENCE_NUMBER))))
                .thenThrow(TrimmedDataAccessException.builder().message("trimmed").build());

        assertThatThrownBy(() -> stopping.getShardIterator(iterator(
                software.amazon.awssdk.services.kinesis.model.ShardIteratorType.AT_SEQUENCE_NUMBER, "100")).get())
                .isInstanceOf(ExecutionException.class).cause().isSameAs(stop);
    }

    @Test
    void anExpiredShardOfAStreamThatStillExistsIsAGapAndEndsTheShardForKcl() {
        when(streams.getShardIterator(argThat(ofType(ShardIteratorType.AFTER_SEQUENCE_NUMBER))))
                .thenThrow(ResourceNotFoundException.builder().message("shard not found")
                        .awsErrorDetails(details("ResourceNotFoundException")).build());
        when(streams.describeStream(any(DescribeStreamRequest.class))).thenReturn(DescribeStreamResponse.builder()
                .build());

        assertThatThrownBy(() -> client.getShardIterator(iterator(
                software.amazon.awssdk.services.kinesis.model.ShardIteratorType.AFTER_SEQUENCE_NUMBER, "100")).get())
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException.class);
        assertThat(gaps).containsExactly(new RetentionGap(ARN, SHARD, "100", null, null));
    }

    @Test
    void aStreamThatIsGoneIsNoGap() {
        when(streams.getShardIterator(argThat(ofType(ShardIteratorType.AFTER_SEQUENCE_NUMBER))))
                .thenThrow(ResourceNotFoundException.builder().message("stream not found")
                        .awsErrorDetails(details("ResourceNotFoundException")).build());
        when(streams.describeStream(any(DescribeStreamRequest.class)))
                .thenThrow(ResourceNotFoundException.builder().message("stream not found").build());

        assertThatThrownBy(() -> client.getShardIterator(iterator(
                software.amazon.awssdk.services.kinesis.model.ShardIteratorType.AFTER_SEQUENCE_NUMBER, "100")).get())
                .isInstanceOf(ExecutionException.class);
        assertThat(gaps).isEmpty();
    }

    @Test
    void checkpointsTheStreamStillHoldsAndOtherPositionsAreReadAsTheyAre() throws Exception {
        when(streams.getShardIterator(any(GetShardIteratorRequest.class))).thenReturn(iteratorResponse("it"));

        for (var type : List.of(software.amazon.awssdk.services.kinesis.model.ShardIteratorType.AFTER_SEQUENCE_NUMBER,
                software.amazon.awssdk.services.kinesis.model.ShardIteratorType.TRIM_HORIZON,
                software.amazon.awssdk.services.kinesis.model.ShardIteratorType.LATEST)) {
            String sequenceNumber = type.toString().endsWith("SEQUENCE_NUMBER") ? "100" : null;
            assertThat(client.getShardIterator(iterator(type, sequenceNumber)).get().shardIterator()).isEqualTo("it");
        }
        assertThat(gaps).isEmpty();
    }
}
