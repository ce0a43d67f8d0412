package org.apache.pulsar.io.dynamodb.aws;

import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamRequest;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamResponse;
import software.amazon.awssdk.services.dynamodb.model.GetShardIteratorRequest;

/**
 * Lets KCL read a stream whose ARN it would reject. DynamoDB Local's ARNs name the region {@code ddblocal},
 * which KCL's ARN parser refuses and DynamoDB Local insists on: KCL is handed an alias ARN with a real
 * region, and this interceptor swaps the real ARN back in on the wire.
 */
public final class StreamArnAliasInterceptor implements ExecutionInterceptor {

    private final String streamArn;
    private final String aliasArn;

    public StreamArnAliasInterceptor(String streamArn, String aliasArn) {
        this.streamArn = streamArn;
        this.aliasArn = aliasArn;
    }

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        SdkRequest request = context.request();
        if (request instanceof DescribeStreamRequest describe && aliasArn.equals(describe.streamArn())) {
            return describe.toBuilder().streamArn(streamArn).build();
        }
        if (request instanceof GetShardIteratorRequest iterator && aliasArn.equals(iterator.streamArn())) {
            return iterator.toBuilder().streamArn(streamArn).build();
        }
        return request;
    }

    @Override
    public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
        SdkResponse response = context.response();
        if (response instanceof DescribeStreamResponse describe && describe.streamDescription() != null
                && streamArn.equals(describe.streamDescription().streamArn())) {
            return describe.toBuilder()
                    .streamDescription(describe.streamDescription().toBuilder().streamArn(aliasArn).build())
                    .build();
        }
        return response;
    }
}
