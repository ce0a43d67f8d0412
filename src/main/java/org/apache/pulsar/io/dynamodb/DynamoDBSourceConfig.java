package org.apache.pulsar.io.dynamodb;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.apache.pulsar.io.core.SourceContext;
import org.apache.pulsar.io.dynamodb.config.MessageKeyMode;
import software.amazon.awssdk.regions.Region;
import software.amazon.kinesis.common.InitialPositionInStream;
import software.amazon.kinesis.metrics.MetricsLevel;

/**
 * The source's validated, immutable configuration; keys, types and defaults are the builtin connector's.
 * SKELETON: the config helper implements loading and validation.
 */
public final class DynamoDBSourceConfig {

    /** Loads and validates the map Pulsar passes to open(); sensitive keys may come from the function's secrets. */
    public static DynamoDBSourceConfig load(Map<String, Object> config, SourceContext context) {
        throw new UnsupportedOperationException("not yet");
    }

    public String getAwsEndpoint() { throw new UnsupportedOperationException(); }
    public String getDynamoEndpoint() { throw new UnsupportedOperationException(); }
    public String getCloudwatchEndpoint() { throw new UnsupportedOperationException(); }
    public String getAwsDynamodbStreamArn() { throw new UnsupportedOperationException(); }
    /** The region requests are signed for: awsRegion, else the ARN's; us-east-1 for a DynamoDB Local ARN. */
    public Region getSigningRegion() { throw new UnsupportedOperationException(); }
    public String getAwsCredentialPluginName() { throw new UnsupportedOperationException(); }
    public String getAwsCredentialPluginParam() { throw new UnsupportedOperationException(); }
    public InitialPositionInStream getInitialPositionInStream() { throw new UnsupportedOperationException(); }
    public Optional<Instant> getStartAtTime() { throw new UnsupportedOperationException(); }
    public String getApplicationName() { throw new UnsupportedOperationException(); }
    public long getCheckpointInterval() { throw new UnsupportedOperationException(); }
    public long getBackoffTime() { throw new UnsupportedOperationException(); }
    public int getNumRetries() { throw new UnsupportedOperationException(); }
    public int getReceiveQueueSize() { throw new UnsupportedOperationException(); }
    public long getPollInterval() { throw new UnsupportedOperationException(); }
    public MetricsLevel getMetricsLevel() { throw new UnsupportedOperationException(); }
    public MessageKeyMode getMessageKeyMode() { throw new UnsupportedOperationException(); }
}
