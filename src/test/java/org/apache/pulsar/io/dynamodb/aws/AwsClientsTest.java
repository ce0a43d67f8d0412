package org.apache.pulsar.io.dynamodb.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.apache.pulsar.io.dynamodb.DynamoDBSourceConfig;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricDataRequest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamResponse;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsRequest;
import software.amazon.awssdk.services.dynamodb.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.dynamodb.model.StreamDescription;

class AwsClientsTest {

    private static final String LOCAL_ARN = "arn:aws:dynamodb:ddblocal:000000000000:table/users/stream/2026-11-24T10:00:00.000";
    private static final String ALIAS_ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/users/stream/2026-11-24T10:00:00.000";

    @Test
    void aDynamoDbLocalArnGetsAnAliasInTheSigningRegion() {
        StreamArnAliasInterceptor alias = AwsClients.aliasFor("ddblocal", Region.US_EAST_1);
        assertThat(alias.alias(LOCAL_ARN)).isEqualTo(ALIAS_ARN);
        assertThat(alias.real(ALIAS_ARN)).isEqualTo(LOCAL_ARN);
    }

    @Test
    void anAwsArnIsHandedToKclAsItIs() {
        String arn = "arn:aws:dynamodb:eu-north-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000";
        assertThat(AwsClients.aliasFor("eu-north-1", Region.EU_NORTH_1)).isNull();
        assertThat(AwsClients.aliasFor("eu-north-1", Region.US_EAST_1)).isNull();
    }

    @Test
    void withMetricsOffKclGetsACloudWatchClientThatFailsAnyCall() {
        try (AwsClients clients = AwsClients.create(config(Map.of()), CredentialsFactory.create(config(Map.of())))) {
            assertThat(clients.cloudWatch()).isInstanceOf(UnusedCloudWatchClient.class);
            assertThat(clients.cloudWatch().serviceName()).isEqualTo(CloudWatchAsyncClient.SERVICE_NAME);
            assertThatThrownBy(() -> clients.cloudWatch().putMetricData(PutMetricDataRequest.builder().build()))
                    .isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void withMetricsOnKclGetsARealCloudWatchClient() {
        DynamoDBSourceConfig config = config(Map.of("metricsLevel", "SUMMARY",
                "cloudwatchEndpoint", "http://127.0.0.1:1"));
        try (AwsClients clients = AwsClients.create(config, CredentialsFactory.create(config))) {
            assertThat(clients.cloudWatch()).isNotInstanceOf(UnusedCloudWatchClient.class);
            assertThat(clients.cloudWatch().serviceClientConfiguration().endpointOverride())
                    .contains(URI.create("http://127.0.0.1:1"));
        }
    }

    @Test
    void theSnapshotsScanClientIsANewSyncClientWithTheAsyncClientsEndpointRegionAndRetries() {
        DynamoDBSourceConfig config = config(Map.of("dynamoEndpoint", "http://127.0.0.1:2"));
        try (AwsClients clients = AwsClients.create(config, CredentialsFactory.create(config));
             DynamoDbClient first = clients.newSyncDynamo();
             DynamoDbClient second = clients.newSyncDynamo()) {
            assertThat(first).isNotSameAs(second);
            assertThat(first.serviceClientConfiguration().endpointOverride())
                    .contains(URI.create("http://127.0.0.1:2"));
            assertThat(first.serviceClientConfiguration().region())
                    .isEqualTo(clients.dynamo().serviceClientConfiguration().region()).isEqualTo(Region.US_EAST_1);
            assertThat(first.serviceClientConfiguration().overrideConfiguration().retryStrategy())
                    .hasValueSatisfying(retry -> assertThat(retry.maxAttempts()).isEqualTo(10));
        }
    }

    private static DynamoDBSourceConfig config(Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>(extra);
        config.put("awsDynamodbStreamArn", ALIAS_ARN);
        config.put("awsCredentialPluginParam", "{\"accessKey\":\"a\",\"secretKey\":\"b\"}");
        return DynamoDBSourceConfig.load(config, null);
    }

    @Test
    void theInterceptorSendsTheRealArnAndShowsKclTheAlias() {
        StreamArnAliasInterceptor interceptor = new StreamArnAliasInterceptor("ddblocal", "us-east-1");
        ExecutionAttributes attributes = new ExecutionAttributes();

        SdkRequest describe = interceptor.modifyRequest(
                request(DescribeStreamRequest.builder().streamArn(ALIAS_ARN).build()), attributes);
        assertThat(((DescribeStreamRequest) describe).streamArn()).isEqualTo(LOCAL_ARN);

        SdkRequest iterator = interceptor.modifyRequest(request(GetShardIteratorRequest.builder()
                .streamArn(ALIAS_ARN).shardId("shard-1").build()), attributes);
        assertThat(((GetShardIteratorRequest) iterator).streamArn()).isEqualTo(LOCAL_ARN);
        assertThat(((GetShardIteratorRequest) iterator).shardId()).isEqualTo("shard-1");

        GetRecordsRequest records = GetRecordsRequest.builder().shardIterator("it").build();
        assertThat(interceptor.modifyRequest(request(records), attributes)).isSameAs(records);

        DescribeStreamResponse response = DescribeStreamResponse.builder()
                .streamDescription(StreamDescription.builder().streamArn(LOCAL_ARN).tableName("users").build())
                .build();
        SdkResponse seenByKcl = interceptor.modifyResponse(response(response), attributes);
        assertThat(((DescribeStreamResponse) seenByKcl).streamDescription().streamArn()).isEqualTo(ALIAS_ARN);
        assertThat(((DescribeStreamResponse) seenByKcl).streamDescription().tableName()).isEqualTo("users");
    }

    private static Context.ModifyRequest request(SdkRequest request) {
        return () -> request;
    }

    private static Context.ModifyResponse response(SdkResponse response) {
        return new Context.ModifyResponse() {
            @Override
            public SdkResponse response() {
                return response;
            }

            @Override
            public software.amazon.awssdk.http.SdkHttpResponse httpResponse() {
                return null;
            }

            @Override
            public java.util.Optional<org.reactivestreams.Publisher<java.nio.ByteBuffer>> responsePublisher() {
                return java.util.Optional.empty();
            }

            @Override
            public java.util.Optional<java.io.InputStream> responseBody() {
                return java.util.Optional.empty();
            }

            @Override
            public SdkRequest request() {
                return null;
            }

            @Override
            public software.amazon.awssdk.http.SdkHttpRequest httpRequest() {
                return null;
            }

            @Override
            public java.util.Optional<software.amazon.awssdk.core.sync.RequestBody> requestBody() {
                return java.util.Optional.empty();
            }

            @Override
            public java.util.Optional<software.amazon.awssdk.core.async.AsyncRequestBody> asyncRequestBody() {
                return java.util.Optional.empty();
            }
        };
    }
}
