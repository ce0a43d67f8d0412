package org.apache.pulsar.io.dynamodb.aws;

import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.StreamDescription;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * One DescribeStream before KCL starts: KCL retries a missing stream or bad credentials for minutes with little
 * in the log, so the source fails at once with a message that says what is wrong.
 */
public final class StreamCheck {

    private StreamCheck() {
    }

    /** Returns the stream's description, or throws IllegalStateException with a one-line reason. */
    public static StreamDescription describe(DynamoDbStreamsClient streams, String streamArn, String endpoint) {
        String where = endpoint == null || endpoint.isBlank() ? "" : " at " + endpoint;
        try {
            DescribeStreamResponse response = streams.describeStream(b -> b.streamArn(streamArn).limit(1));
            return response.streamDescription();
        } catch (ResourceNotFoundException e) {
            throw new IllegalStateException("DynamoDB stream not found" + where + ": " + streamArn
                    + " (check awsDynamodbStreamArn, awsRegion and that the table's stream is enabled)", e);
        } catch (AwsServiceException e) {
            String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
            throw new IllegalStateException("DynamoDB Streams refused DescribeStream" + where + " for " + streamArn
                    + ": " + code + " (HTTP " + e.statusCode() + "); check the credentials and the IAM policy", e);
        } catch (SdkClientException e) {
            throw new IllegalStateException("Cannot reach DynamoDB Streams" + where + " for " + streamArn + ": "
                    + e.getMessage(), e);
        }
    }
}
