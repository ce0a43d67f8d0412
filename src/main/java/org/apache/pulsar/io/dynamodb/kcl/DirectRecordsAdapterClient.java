package org.apache.pulsar.io.dynamodb.kcl;

import com.amazonaws.services.dynamodbv2.streamsadapter.AmazonDynamoDBStreamsAdapterClient;
import com.amazonaws.services.dynamodbv2.streamsadapter.adapter.DynamoDBStreamsClientRecord;
import com.amazonaws.services.dynamodbv2.streamsadapter.adapter.DynamoDBStreamsGetRecordsResponseAdapter;
import com.amazonaws.services.dynamodbv2.streamsadapter.util.AmazonServiceExceptionTransformer;
import com.amazonaws.services.dynamodbv2.streamsadapter.util.KinesisMapperUtil;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.apache.pulsar.io.dynamodb.stream.RetentionGap;
import org.apache.pulsar.io.dynamodb.stream.RetentionGapHandler;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamRequest;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsRequest;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TrimmedDataAccessException;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.kinesis.model.EncryptionType;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorResponse;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.kinesis.retrieval.KinesisClientRecord;

/**
 * The adapter's client, except that GetRecords hands each stream record over as it is, and that a checkpoint the
 * stream no longer holds is never passed over in silence. The adapter also serialises every record to JSON for the
 * Kinesis {@code data} field, which nothing here reads; in a backlog drain that was the largest single cost in the
 * connector (28 % of its CPU samples). And where a shard's checkpoint is older than the stream's retention, the
 * adapter quietly starts the shard again from its oldest record (SKIP_RECORDS_TO_TRIM_HORIZON): here the
 * {@link RetentionGapHandler} is told first, and decides.
 */
final class DirectRecordsAdapterClient extends AmazonDynamoDBStreamsAdapterClient {

    // A stream record holds at most two 400 KB images; larger sizes are counted as this much.
    private static final int MAX_COUNTED_RECORD_BYTES = 1 << 20;

    private final DynamoDbStreamsClient streams;
    // the stream's ARN as DynamoDB names it, for messages, from the one KCL reads
    private final UnaryOperator<String> realArn;
    private final RetentionGapHandler gaps;
    private final ByteBuffer zeros = ByteBuffer.wrap(new byte[MAX_COUNTED_RECORD_BYTES]).asReadOnlyBuffer();

    /**
     * @param gaps      told when a checkpoint is past the stream's retention
     */
    DirectRecordsAdapterClient(DynamoDbStreamsClient streams, Region region, UnaryOperator<String> realArn,
                               RetentionGapHandler gaps) {
        super(streams, region);
        this.streams = streams;
        this.realArn = realArn;
        this.gaps = gaps;
    }

    /**
     * A shard with a checkpoint resumes after it (AFTER_SEQUENCE_NUMBER; AT_SEQUENCE_NUMBER when KCL restarts an
     * iterator). DynamoDB Streams answers TrimmedDataAccessException when that record is older than the retention,
     * and ResourceNotFoundException when the whole shard has expired: either way the records after the checkpoint
     * are gone. The handler decides: go on from the shard's oldest record, or stop.
     */
    @Override
    public CompletableFuture<GetShardIteratorResponse> getShardIterator(GetShardIteratorRequest request) {
        ShardIteratorType type = request.shardIteratorType();
        if (type != ShardIteratorType.AFTER_SEQUENCE_NUMBER && type != ShardIteratorType.AT_SEQUENCE_NUMBER) {
            return super.getShardIterator(request);
        }
        try {
            return CompletableFuture.completedFuture(KinesisMapperUtil
                    .convertDynamoDBGetShardIteratorResponseToKinesisGetShardIteratorResponse(
                            streams.getShardIterator(iteratorRequest(request, request.shardIteratorTypeAsString())
                                    .sequenceNumber(request.startingSequenceNumber()).build())));
        } catch (TrimmedDataAccessException trimmed) {
            try {
                gaps.onGap(oldestOf(request));
            } catch (RuntimeException stop) {
                return CompletableFuture.failedFuture(stop);
            }
            return super.getShardIterator(request.toBuilder().shardIteratorType(ShardIteratorType.TRIM_HORIZON)
                    .startingSequenceNumber(null).build());
        } catch (ResourceNotFoundException gone) {
            if (streamExists(request.streamName())) {
                // the shard expired: KCL goes on with its children, as the adapter's fetcher treats it as ended
                try {
                    gaps.onGap(new RetentionGap(realArn.apply(request.streamName()), request.shardId(), request.startingSequenceNumber(),
                            null, null));
                } catch (RuntimeException stop) {
                    return CompletableFuture.failedFuture(stop);
                }
            }
            return CompletableFuture.failedFuture(iteratorError(gone));
        } catch (AwsServiceException e) {
            return CompletableFuture.failedFuture(iteratorError(e));
        }
    }

    private static RuntimeException iteratorError(AwsServiceException error) {
        try {
            return AmazonServiceExceptionTransformer.transformDynamoDBStreamsToKinesisGetShardIterator(error,
                    SkipRecordsBehavior.SKIP_RECORDS_TO_TRIM_HORIZON);
        } catch (RuntimeException transformFailed) {
            return error;
        }
    }

    private boolean streamExists(String arn) {
        try {
            streams.describeStream(DescribeStreamRequest.builder().streamArn(arn).limit(1).build());
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static software.amazon.awssdk.services.dynamodb.model.GetShardIteratorRequest.Builder iteratorRequest(
            GetShardIteratorRequest request, String type) {
        return software.amazon.awssdk.services.dynamodb.model.GetShardIteratorRequest.builder()
                .streamArn(request.streamName()).shardId(request.shardId()).shardIteratorType(type);
    }

    /** The gap, with the oldest record still in the shard when it can be read. */
    private RetentionGap oldestOf(GetShardIteratorRequest request) {
        String oldestSequence = null;
        Instant oldestCreated = null;
        try {
            String iterator = streams.getShardIterator(iteratorRequest(request,
                    ShardIteratorType.TRIM_HORIZON.toString()).build()).shardIterator();
            List<Record> records = streams.getRecords(GetRecordsRequest.builder().shardIterator(iterator).limit(1)
                    .build()).records();
            if (!records.isEmpty()) {
                oldestSequence = records.get(0).dynamodb().sequenceNumber();
                oldestCreated = records.get(0).dynamodb().approximateCreationDateTime();
            }
        } catch (RuntimeException unreadable) {
            // the gap is reported without it
        }
        return new RetentionGap(realArn.apply(request.streamName()), request.shardId(), request.startingSequenceNumber(), oldestSequence,
                oldestCreated);
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
