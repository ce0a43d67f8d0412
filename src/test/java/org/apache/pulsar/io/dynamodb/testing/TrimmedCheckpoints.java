package org.apache.pulsar.io.dynamodb.testing;

import java.math.BigInteger;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.TrimmedDataAccessException;

/**
 * Makes DynamoDB Local, which never trims a stream, answer as AWS does for records past the 24-hour retention: a
 * GetShardIterator after (or at) a sequence number up to the one armed for a table fails with
 * TrimmedDataAccessException (HTTP 400). A test hook only: the SDK instantiates it for every client of a test JVM
 * from {@code software/amazon/awssdk/global/handlers/execution.interceptors} on the test class path, so what is armed
 * is static; it does nothing until a test arms a table.
 */
public final class TrimmedCheckpoints implements ExecutionInterceptor {

    private static final Map<String, BigInteger> TRIMMED_UP_TO = new ConcurrentHashMap<>();
    private static final AtomicInteger ANSWERED = new AtomicInteger();

    /** From now on, the stream of {@code table} no longer holds the records up to {@code sequenceNumber}. */
    public static void trimUpTo(String table, String sequenceNumber) {
        TRIMMED_UP_TO.put(table, new BigInteger(sequenceNumber));
    }

    /** Stops answering for the table. */
    public static void disarm(String table) {
        TRIMMED_UP_TO.remove(table);
    }

    /** How many GetShardIterator calls were answered TrimmedDataAccessException so far. */
    public static int answered() {
        return ANSWERED.get();
    }

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        if (!(context.request() instanceof GetShardIteratorRequest request) || request.sequenceNumber() == null
                || (request.shardIteratorType() != ShardIteratorType.AFTER_SEQUENCE_NUMBER
                && request.shardIteratorType() != ShardIteratorType.AT_SEQUENCE_NUMBER)) {
            return;
        }
        String table = request.streamArn().replaceAll(".*:table/([^/]+)/stream/.*", "$1");
        BigInteger upTo = TRIMMED_UP_TO.get(table);
        if (upTo != null && new BigInteger(request.sequenceNumber()).compareTo(upTo) <= 0) {
            ANSWERED.incrementAndGet();
            throw TrimmedDataAccessException.builder().statusCode(400)
                    .message("Operation tried to access data that has been trimmed: " + request.sequenceNumber())
                    .awsErrorDetails(AwsErrorDetails.builder().errorCode("TrimmedDataAccessException")
                            .errorMessage("trimmed").serviceName("DynamoDbStreams").build())
                    .build();
        }
    }
}
