package org.apache.pulsar.io.dynamodb.kcl;

import com.amazonaws.services.dynamodbv2.streamsadapter.AmazonDynamoDBStreamsAdapterClient;
import com.amazonaws.services.dynamodbv2.streamsadapter.adapter.DynamoDBStreamsClientRecord;
import com.amazonaws.services.dynamodbv2.streamsadapter.adapter.DynamoDBStreamsGetRecordsResponseAdapter;
import com.amazonaws.services.dynamodbv2.streamsadapter.util.AmazonServiceExceptionTransformer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsRequest;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.kinesis.model.EncryptionType;
import software.amazon.kinesis.retrieval.KinesisClientRecord;

/**
 * The adapter's client, except that GetRecords hands each stream record over as it is. The adapter also
 * serialises every record to JSON for the Kinesis {@code data} field, which nothing here reads; in a backlog
 * drain that was the largest single cost in the connector (28 % of its CPU samples).
 */
final class DirectRecordsAdapterClient extends AmazonDynamoDBStreamsAdapterClient {

    // A stream record holds at most two 400 KB images; larger sizes are counted as this much.
    private static final int MAX_COUNTED_RECORD_BYTES = 1 << 20;

    private final DynamoDbStreamsClient streams;
    private final ByteBuffer zeros = ByteBuffer.wrap(new byte[MAX_COUNTED_RECORD_BYTES]).asReadOnlyBuffer();

    DirectRecordsAdapterClient(DynamoDbStreamsClient streams, Region region) {
        super(streams, region);
        this.streams = streams;
    }

    /**
     * Runs the call on the caller's thread (the adapter's data fetcher waits for it at once anyway) and fails the
     * future with the same Kinesis-shaped exceptions the adapter gives, so KCL's handling is unchanged.
     */
    @Override
    public CompletableFuture<DynamoDBStreamsGetRecordsResponseAdapter> getDynamoDBStreamsRecords(
            GetRecordsRequest request) {
        try {
            return CompletableFuture.completedFuture(new DirectResponse(streams.getRecords(request)));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(kinesisShaped(e));
        }
    }

    private static RuntimeException kinesisShaped(RuntimeException error) {
        if (!(error instanceof AwsServiceException serviceError)) {
            return error;
        }
        try {
            return AmazonServiceExceptionTransformer.transformDynamoDBStreamsToKinesisGetRecords(serviceError,
                    SkipRecordsBehavior.SKIP_RECORDS_TO_TRIM_HORIZON);
        } catch (RuntimeException transformFailed) {
            // the transformer needs the service's error details; without them the original says more
            return error;
        }
    }

    /**
     * KCL bounds its read-ahead by the bytes of {@code data}: a read-only view of zeros as long as the record's
     * {@code SizeBytes} keeps that bound meaningful without copying anything.
     */
    ByteBuffer sizedPlaceholder(Record record) {
        Long size = record.dynamodb().sizeBytes();
        int length = size == null ? 0 : (int) Math.min(size, MAX_COUNTED_RECORD_BYTES);
        return zeros.duplicate().limit(length);
    }

    /**
     * A GetRecords response whose records carry the stream record and a size-only placeholder as data. KCL asks
     * for {@link #records} several times per response (emptiness, last sequence number, count, the batch), so
     * the list is built once.
     */
    private final class DirectResponse extends DynamoDBStreamsGetRecordsResponseAdapter {
        private final List<KinesisClientRecord> records;

        DirectResponse(GetRecordsResponse response) {
            super(response);
            records = new ArrayList<>(response.records().size());
            for (Record record : response.records()) {
                records.add(new DirectClientRecord(record, sizedPlaceholder(record)));
            }
        }

        @Override
        public List<KinesisClientRecord> records() {
            return records;
        }
    }

    /** The adapter's record type, built without the JSON copy of the record. */
    static final class DirectClientRecord extends DynamoDBStreamsClientRecord {
        DirectClientRecord(Record record, ByteBuffer data) {
            super(record.dynamodb().sequenceNumber(), record.dynamodb().approximateCreationDateTime(), data,
                    record.dynamodb().sequenceNumber(), EncryptionType.NONE, 0, null, false, null, record);
        }
    }
}
