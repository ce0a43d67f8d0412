package org.apache.pulsar.io.dynamodb.aws;

import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;

/**
 * The CloudWatch client KCL is handed when its metrics are off: KCL requires one, its null metrics factory never calls
 * it. Every operation keeps the SDK interface's default, which throws {@link UnsupportedOperationException}, so a call
 * made after all would fail loudly, not silently.
 */
final class UnusedCloudWatchClient implements CloudWatchAsyncClient {

    @Override
    public String serviceName() {
        return SERVICE_NAME;
    }

    @Override
    public void close() {
        // nothing was opened
    }
}
