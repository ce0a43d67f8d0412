package org.apache.pulsar.io.dynamodb.testing;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Counts every request attempt an AWS SDK v2 client of this JVM sends (retries included: AWS bills each), by
 * service, operation and table. The SDK instantiates it by name for every client it builds, from
 * {@code software/amazon/awssdk/global/handlers/execution.interceptors} on the test class path, so the counts have
 * to be static; read them as differences of two {@link #snapshot()}s.
 */
public final class RequestCounter implements ExecutionInterceptor {

    private static final Map<String, LongAdder> COUNTS = new ConcurrentHashMap<>();

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        String key = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME) + " "
                + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME) + " " + target(context.request());
        COUNTS.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    /** The table (and index) a DynamoDB request is for, or the stream's table for DynamoDB Streams; "-" if none. */
    private static String target(SdkRequest request) {
        String table = request.getValueForField("TableName", String.class).orElse(null);
        if (table != null) {
            return request.getValueForField("IndexName", String.class).map(index -> table + "/" + index)
                    .orElse(table);
        }
        return request.getValueForField("StreamArn", String.class)
                .map(arn -> arn.replaceAll(".*:table/([^/]+)/stream/.*", "stream of $1"))
                .or(() -> request.getValueForField("ShardIterator", String.class).map(it -> "a shard iterator"))
                .orElse("-");
    }

    /** Requests counted so far: "service operation target" to count, sorted. */
    public static Map<String, Long> snapshot() {
        Map<String, Long> copy = new TreeMap<>();
        COUNTS.forEach((key, count) -> copy.put(key, count.sum()));
        return copy;
    }

    /** What was counted between two snapshots, leaving out what did not change. */
    public static Map<String, Long> difference(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> delta = new TreeMap<>();
        after.forEach((key, count) -> {
            long d = count - before.getOrDefault(key, 0L);
            if (d != 0) {
                delta.put(key, d);
            }
        });
        return delta;
    }
}
