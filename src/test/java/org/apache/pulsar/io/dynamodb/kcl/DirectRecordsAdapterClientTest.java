package org.apache.pulsar.io.dynamodb.kcl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.amazonaws.services.dynamodbv2.streamsadapter.adapter.DynamoDBStreamsClientRecord;
import com.amazonaws.services.dynamodbv2.streamsadapter.adapter.DynamoDBStreamsGetRecordsResponseAdapter;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ExpiredIteratorException;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsRequest;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;
import software.amazon.awssdk.services.dynamodb.model.TrimmedDataAccessException;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.kinesis.retrieval.AggregatorUtil;
import software.amazon.kinesis.retrieval.KinesisClientRecord;

class DirectRecordsAdapterClientTest {

    private static final GetRecordsRequest REQUEST = GetRecordsRequest.builder().shardIterator("it-1").build();

    private final DynamoDbStreamsClient streams = mock(DynamoDbStreamsClient.class);
    private final DirectRecordsAdapterClient client = new DirectRecordsAdapterClient(streams, Region.US_EAST_1,
            "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/x", gap -> { });

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
}
