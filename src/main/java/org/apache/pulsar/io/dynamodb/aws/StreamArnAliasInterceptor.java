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
 * Lets KCL read streams whose ARNs it would reject. DynamoDB Local's ARNs name the region {@code ddblocal},
 * which KCL's ARN parser refuses and DynamoDB Local insists on: KCL is handed alias ARNs with a real region,
 * and this interceptor swaps the real region back in on the wire, for every stream of the source.
 */
public final class StreamArnAliasInterceptor implements ExecutionInterceptor {

    private final String realPart;
    private final String aliasPart;

    /**
     * @param realRegion  the region the ARNs name ("ddblocal")
     * @param aliasRegion the region KCL is shown instead (the signing region)
     */
    public StreamArnAliasInterceptor(String realRegion, String aliasRegion) {
        this.realPart = ":dynamodb:" + realRegion + ":";
        this.aliasPart = ":dynamodb:" + aliasRegion + ":";
    }

    /** The ARN KCL is shown for a real one. */
    String alias(String arn) {
        return arn == null ? null : arn.replace(realPart, aliasPart);
    }

    /** The real ARN for one KCL was shown. */
    String real(String arn) {
        return arn == null ? null : arn.replace(aliasPart, realPart);
    }

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        SdkRequest request = context.request();
        if (request instanceof DescribeStreamRequest describe && describe.streamArn() != null
                && describe.streamArn().contains(aliasPart)) {
            return describe.toBuilder().streamArn(real(describe.streamArn())).build();
        }
        if (request instanceof GetShardIteratorRequest iterator && iterator.streamArn() != null
                && iterator.streamArn().contains(aliasPart)) {
            return iterator.toBuilder().streamArn(real(iterator.streamArn())).build();
        }
        return request;
    }

    @Override
    public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
        SdkResponse response = context.response();
        if (response instanceof DescribeStreamResponse describe && describe.streamDescription() != null
                && describe.streamDescription().streamArn() != null
                && describe.streamDescription().streamArn().contains(realPart)) {
            return describe.toBuilder()
                    .streamDescription(describe.streamDescription().toBuilder()
                            .streamArn(alias(describe.streamDescription().streamArn())).build())
                    .build();
        }
        return response;
    }
}
