package org.apache.pulsar.io.dynamodb.aws;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.pulsar.io.dynamodb.DynamoDBSourceConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.DescribeTableResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.StreamDescription;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.kinesis.common.InitialPositionInStream;

/**
 * Two reads before KCL starts: KCL retries a missing stream, bad credentials or an unreachable lease table for
 * minutes with little in the log, so the source fails at once with a message that says what is wrong.
 */
public final class StreamCheck {

    private static final Logger log = LoggerFactory.getLogger(StreamCheck.class);

    private StreamCheck() {
    }

    /** Every check the source runs before KCL starts; returns the stream's description. */
    public static StreamDescription beforeStart(DynamoDBSourceConfig config, AwsClients clients) {
        // Sent first and read second: a fresh JVM's first request on each client costs most of a second.
        CompletableFuture<DescribeTableResponse> leaseTable = clients.dynamo()
                .describeTable(b -> b.tableName(config.getApplicationName()));
        StreamDescription stream = describeStream(clients.streams(), config.getAwsDynamodbStreamArn(),
                config.getAwsEndpoint());
        boolean leaseTableExists = checkLeaseTable(leaseTable, config.getApplicationName(),
                config.getDynamoEndpoint());
        if (config.getTables().tableName().isPresent() && isDisabled(stream)) {
            // tableName's earlier stream, with leases not yet at its end: read to its end, then the table's next one
            log.info("DynamoDB stream {} of table {} is {}: reading the records it still holds, then the table's "
                    + "current stream", config.getAwsDynamodbStreamArn(), stream.tableName(),
                    stream.streamStatusAsString());
            return stream;
        }
        checkEnabled(stream, config.getAwsDynamodbStreamArn(),
                config.getInitialPositionInStream() == InitialPositionInStream.LATEST, leaseTableExists,
                config.getApplicationName());
        return stream;
    }

    /** Returns the stream's description, or throws IllegalStateException with a one-line reason. */
    public static StreamDescription describeStream(DynamoDbStreamsClient streams, String streamArn, String endpoint) {
        String what = "DynamoDB Streams" + at(endpoint) + " for " + streamArn;
        try {
            return streams.describeStream(b -> b.streamArn(streamArn).limit(1)).streamDescription();
        } catch (ResourceNotFoundException e) {
            throw new IllegalStateException("DynamoDB stream not found" + at(endpoint) + ": " + streamArn
                    + " (check awsDynamodbStreamArn, awsRegion and that the table's stream is enabled)", e);
        } catch (SdkException e) {
            throw failure(what, "DescribeStream", e);
        }
    }

    /**
     * Checks that the lease table could be read (its DescribeTable's outcome), or that it does not exist yet (KCL
     * creates it); returns whether it exists.
     */
    private static boolean checkLeaseTable(CompletableFuture<DescribeTableResponse> described, String applicationName,
                                           String endpoint) {
        String what = "DynamoDB" + at(endpoint) + " for lease table " + applicationName;
        try {
            described.join();
            return true;
        } catch (CompletionException e) {
            if (e.getCause() instanceof ResourceNotFoundException) {
                return false;
            }
            throw failure(what, "DescribeTable", e.getCause() instanceof SdkException sdk ? sdk : e);
        }
    }

    /** True when the stream gets no new changes: its table's stream was disabled or the table deleted. */
    public static boolean isDisabled(StreamDescription stream) {
        return stream.streamStatus() == StreamStatus.DISABLED || stream.streamStatus() == StreamStatus.DISABLING;
    }

    /**
     * A disabled stream still holds its last 24 hours of records: a source with a lease table may have some left
     * to read, and reads them (warned once here; {@code KclChangeStream} fails the source once all are read).
     * One that would start at LATEST with no lease table could never deliver anything: it fails now.
     */
    public static void checkEnabled(StreamDescription stream, String streamArn, boolean startsAtLatest,
                                    boolean leaseTableExists, String applicationName) {
        if (!isDisabled(stream)) {
            return;
        }
        String what = "DynamoDB stream " + streamArn + " of table " + stream.tableName() + " is "
                + stream.streamStatusAsString() + " (the table's stream was disabled or the table deleted)";
        if (startsAtLatest && !leaseTableExists) {
            throw new IllegalStateException(what + ": with initialPositionInStream LATEST and no lease table "
                    + applicationName + " there is nothing to read; set awsDynamodbStreamArn to the table's "
                    + "current stream");
        }
        log.warn("{}: it gets no new changes; reading the records it still holds, then the source fails. Set "
                + "awsDynamodbStreamArn to the table's current stream", what);
    }

    private static IllegalStateException failure(String what, String operation, RuntimeException error) {
        if (error instanceof AwsServiceException service) {
            String code = service.awsErrorDetails() == null ? "" : service.awsErrorDetails().errorCode();
            return new IllegalStateException(what + " refused " + operation + ": " + code + " (HTTP "
                    + service.statusCode() + "); check the credentials and the IAM policy", error);
        }
        if (error instanceof SdkClientException) {
            return new IllegalStateException("Cannot reach " + what + ": " + error.getMessage(), error);
        }
        return new IllegalStateException(what + ": " + operation + " failed: " + error, error);
    }

    private static String at(String endpoint) {
        return endpoint == null || endpoint.isBlank() ? "" : " at " + endpoint;
    }
}
