package org.apache.pulsar.io.dynamodb.aws;

import java.util.concurrent.CompletionException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.StreamDescription;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Two reads before KCL starts: KCL retries a missing stream, bad credentials or an unreachable lease table for
 * minutes with little in the log, so the source fails at once with a message that says what is wrong.
 */
public final class StreamCheck {

    private StreamCheck() {
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

    /** Checks that the lease table can be read, or that it does not exist yet (KCL creates it). */
    public static void checkLeaseTable(DynamoDbAsyncClient dynamo, String applicationName, String endpoint) {
        String what = "DynamoDB" + at(endpoint) + " for lease table " + applicationName;
        try {
            dynamo.describeTable(b -> b.tableName(applicationName)).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof ResourceNotFoundException) {
                return;
            }
            throw failure(what, "DescribeTable", e.getCause() instanceof SdkException sdk ? sdk : e);
        }
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
