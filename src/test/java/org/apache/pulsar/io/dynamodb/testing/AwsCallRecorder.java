package org.apache.pulsar.io.dynamodb.testing;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Records, while a test has a {@link Recording} open, the IAM action and resource of every request an AWS SDK v2
 * client of this JVM sends, except the test's own clients (marked with {@link #TEST_CLIENT}). The SDK builds an
 * instance of this class for every client from {@code software/amazon/awssdk/global/handlers/execution.interceptors}
 * on the test class path, out of reach of the test: so the one open recording has to be static. Nothing is kept
 * while none is open.
 */
public final class AwsCallRecorder implements ExecutionInterceptor {

    /** Set on a test's own client ({@link DynamoDbLocal#client()}): its requests are the test's, not the connector's. */
    public static final ExecutionAttribute<Boolean> TEST_CLIENT = new ExecutionAttribute<>("pulsar-io-dynamodb-test");

    private static final AtomicReference<Recording> OPEN = new AtomicReference<>();

    /** Starts recording; {@code region} and {@code account} make the ARN of a table named in a request. */
    public static Recording start(String region, String account) {
        Recording recording = new Recording(region, account);
        if (!OPEN.compareAndSet(null, recording)) {
            throw new IllegalStateException("a recording is already open");
        }
        return recording;
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        Recording recording = OPEN.get();
        if (recording != null && !Boolean.TRUE.equals(attributes.getAttribute(TEST_CLIENT))) {
            recording.add(attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME),
                    attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME), context.request());
        }
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        Recording recording = OPEN.get();
        if (recording != null) {
            recording.iteratorIssued(context.request(), context.response());
        }
    }

    /** An IAM action ({@code dynamodb:GetRecords}) on a resource (an ARN, or {@code *} when the request names none). */
    public record Call(String action, String resource) implements Comparable<Call> {
        @Override
        public int compareTo(Call other) {
            return (action + " " + resource).compareTo(other.action + " " + other.resource);
        }

        @Override
        public String toString() {
            return action + " on " + resource;
        }
    }

    /** The calls recorded from {@link #start} to {@link #close}. */
    public static final class Recording implements AutoCloseable {

        private final String arnPrefix;
        private final Set<Call> calls = ConcurrentHashMap.newKeySet();
        // GetRecords names no stream, only an iterator: the stream of the GetShardIterator or GetRecords that issued it
        private final Map<String, String> iteratorStreams = new ConcurrentHashMap<>();

        private Recording(String region, String account) {
            this.arnPrefix = "arn:aws:dynamodb:" + region + ":" + account + ":table/";
        }

        private void add(String service, String operation, SdkRequest request) {
            String action = actionPrefix(service) + ":" + operation;
            Map<?, ?> batch = request.getValueForField("RequestItems", Map.class).orElse(Map.of());
            if (!batch.isEmpty()) {
                batch.keySet().forEach(table -> calls.add(new Call(action, tableArn((String) table))));
                return;
            }
            calls.add(new Call(action, resource(request)));
        }

        /** The IAM prefix: DynamoDB Streams' actions are {@code dynamodb:} actions too. */
        private static String actionPrefix(String service) {
            return switch (service) {
                case "DynamoDb", "DynamoDbStreams" -> "dynamodb";
                case "CloudWatch" -> "cloudwatch";
                default -> service.toLowerCase(java.util.Locale.ROOT);
            };
        }

        private String resource(SdkRequest request) {
            String table = request.getValueForField("TableName", String.class).orElse(null);
            if (table != null) {
                return tableArn(table) + request.getValueForField("IndexName", String.class)
                        .map(index -> "/index/" + index).orElse("");
            }
            return request.getValueForField("StreamArn", String.class)
                    .or(() -> request.getValueForField("ResourceArn", String.class))
                    .or(() -> request.getValueForField("ShardIterator", String.class)
                            .map(iterator -> iteratorStreams.getOrDefault(iterator, "an unknown stream")))
                    .orElse("*");
        }

        private String tableArn(String table) {
            return table.startsWith("arn:") ? table : arnPrefix + table;
        }

        private void iteratorIssued(SdkRequest request, SdkResponse response) {
            String stream = request.getValueForField("StreamArn", String.class)
                    .or(() -> request.getValueForField("ShardIterator", String.class).map(iteratorStreams::get))
                    .orElse(null);
            if (stream != null) {
                response.getValueForField("ShardIterator", String.class)
                        .or(() -> response.getValueForField("NextShardIterator", String.class))
                        .ifPresent(iterator -> iteratorStreams.put(iterator, stream));
            }
        }

        /** What was recorded so far, sorted. */
        public Set<Call> calls() {
            return new TreeSet<>(calls);
        }

        @Override
        public void close() {
            OPEN.compareAndSet(this, null);
        }
    }
}
