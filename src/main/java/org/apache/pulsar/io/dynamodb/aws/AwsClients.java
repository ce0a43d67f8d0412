package org.apache.pulsar.io.dynamodb.aws;

import java.net.URI;
import java.time.Duration;
import java.util.function.Supplier;
import org.apache.pulsar.io.dynamodb.DynamoDBSourceConfig;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.StandardRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.kinesis.metrics.MetricsLevel;

/**
 * The three AWS clients a source needs, each on its own endpoint and all signing for one region, and, on demand, a
 * synchronous DynamoDB client for a snapshot's Scan.
 */
public final class AwsClients implements AutoCloseable {

    private final DynamoDbStreamsClient streams;
    private final DynamoDbAsyncClient dynamo;
    private final CloudWatchAsyncClient cloudWatch;
    private final Supplier<DynamoDbClient> syncDynamo;
    // null where KCL can be shown the real ARNs
    private final StreamArnAliasInterceptor alias;

    private AwsClients(DynamoDbStreamsClient streams, DynamoDbAsyncClient dynamo, CloudWatchAsyncClient cloudWatch,
                       Supplier<DynamoDbClient> syncDynamo, StreamArnAliasInterceptor alias) {
        this.streams = streams;
        this.dynamo = dynamo;
        this.cloudWatch = cloudWatch;
        this.syncDynamo = syncDynamo;
        this.alias = alias;
    }

    /** Builds the clients; no request is sent. */
    public static AwsClients create(DynamoDBSourceConfig config, CredentialsHandle credentials) {
        Region region = config.getSigningRegion();
        StreamArnAliasInterceptor alias = aliasFor(config.getStreamArnRegion(), region);

        ClientOverrideConfiguration.Builder streamsOverride = ClientOverrideConfiguration.builder()
                .retryStrategy(retryStrategy(config));
        if (alias != null) {
            streamsOverride.addExecutionInterceptor(alias);
        }
        var streamsBuilder = DynamoDbStreamsClient.builder()
                .httpClientBuilder(urlConnection())
                .region(region)
                .credentialsProvider(credentials.provider())
                .overrideConfiguration(streamsOverride.build());
        endpoint(config.getAwsEndpoint(), streamsBuilder::endpointOverride);

        var dynamoBuilder = DynamoDbAsyncClient.builder()
                .region(region)
                .credentialsProvider(credentials.provider())
                .overrideConfiguration(dynamoOverride(config));
        endpoint(config.getDynamoEndpoint(), dynamoBuilder::endpointOverride);
        Supplier<DynamoDbClient> syncDynamo = () -> {
            var builder = DynamoDbClient.builder()
                    .httpClientBuilder(urlConnection())
                    .region(region)
                    .credentialsProvider(credentials.provider())
                    .overrideConfiguration(dynamoOverride(config));
            endpoint(config.getDynamoEndpoint(), builder::endpointOverride);
            return builder.build();
        };

        CloudWatchAsyncClient cloudWatch;
        if (config.getMetricsLevel() == MetricsLevel.NONE) {
            // KCL requires a client but, with its metrics off, never calls it: building one costs start-up time
            // (its classes and an HTTP client of its own) for nothing.
            cloudWatch = new UnusedCloudWatchClient();
        } else {
            var cloudWatchBuilder = CloudWatchAsyncClient.builder()
                    .region(region)
                    .credentialsProvider(credentials.provider());
            endpoint(config.getCloudwatchEndpoint(), cloudWatchBuilder::endpointOverride);
            cloudWatch = cloudWatchBuilder.build();
        }
        return new AwsClients(streamsBuilder.build(), dynamoBuilder.build(), cloudWatch, syncDynamo, alias);
    }

    /** The DynamoDB clients' settings: the same retries for the async client and the snapshot's sync one. */
    private static ClientOverrideConfiguration dynamoOverride(DynamoDBSourceConfig config) {
        return ClientOverrideConfiguration.builder().retryStrategy(retryStrategy(config)).build();
    }

    /** The JDK's HTTP client: no event loop, the calling thread reads and parses the response. */
    private static UrlConnectionHttpClient.Builder urlConnection() {
        return UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(10))
                .socketTimeout(Duration.ofSeconds(30));
    }

    /**
     * Where the ARNs' region is one KCL's parser rejects (DynamoDB Local's {@code ddblocal}), KCL is shown alias
     * ARNs in the signing region, which the interceptor maps back on the wire; null where no alias is needed.
     */
    static StreamArnAliasInterceptor aliasFor(String arnRegion, Region signingRegion) {
        if (arnRegion == null || arnRegion.isEmpty() || Region.regions().contains(Region.of(arnRegion))) {
            return null;
        }
        return new StreamArnAliasInterceptor(arnRegion, signingRegion.id());
    }

    /** Throttling and transient errors back off exponentially up to backoffTime, as the builtin's setting meant. */
    private static StandardRetryStrategy retryStrategy(DynamoDBSourceConfig config) {
        Duration maxBackoff = Duration.ofMillis(Math.max(100, config.getBackoffTime()));
        BackoffStrategy backoff = BackoffStrategy.exponentialDelay(
                Duration.ofMillis(Math.min(100, maxBackoff.toMillis())), maxBackoff);
        return StandardRetryStrategy.builder()
                .maxAttempts(10)
                .backoffStrategy(backoff)
                .throttlingBackoffStrategy(backoff)
                .build();
    }

    private static void endpoint(String value, java.util.function.Consumer<URI> setter) {
        if (value != null && !value.isBlank()) {
            setter.accept(URI.create(value.trim()));
        }
    }

    public DynamoDbStreamsClient streams() {
        return streams;
    }

    public DynamoDbAsyncClient dynamo() {
        return dynamo;
    }

    /**
     * A new synchronous DynamoDB client on the JDK's HTTP client, with the async client's endpoint, credentials, region
     * and retries, for a snapshot's Scan pages: the thread that waits for a 1 MB page reads and parses it, instead of
     * the async client's event loop buffering it first and handing it over. The caller closes it.
     */
    public DynamoDbClient newSyncDynamo() {
        return syncDynamo.get();
    }

    /** KCL's CloudWatch client; with {@code metricsLevel} NONE one that fails any call, as KCL makes none. */
    public CloudWatchAsyncClient cloudWatch() {
        return cloudWatch;
    }

    /** The ARN to hand KCL for a stream's real ARN; see {@link #aliasFor}. */
    public String kclStreamArn(String streamArn) {
        return alias == null ? streamArn : alias.alias(streamArn);
    }

    /** The stream's real ARN for one KCL was handed. */
    public String realStreamArn(String kclStreamArn) {
        return alias == null ? kclStreamArn : alias.real(kclStreamArn);
    }

    @Override
    public void close() {
        streams.close();
        dynamo.close();
        cloudWatch.close();
    }
}
