package org.apache.pulsar.io.dynamodb.e2e;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.pulsar.io.dynamodb.testing.DynamoDbLocal;
import org.apache.pulsar.io.dynamodb.testing.RequestCounter;
import org.apache.pulsar.io.dynamodb.testing.SourceHarness;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The AWS requests one instance of the connector sends (what AWS bills): from open() to its first record on a new
 * application, and per second while it idles with one shard. The source runs in this JVM against its own DynamoDB
 * Local, with the default settings (endpoints, keys, applicationName and TRIM_HORIZON set), so that
 * {@link RequestCounter} sees every request of its clients.
 */
final class RequestCost {

    private static final String TABLE = "cost";
    private static final Duration FIRST_RECORD = Duration.ofMinutes(3);
    /** Left out of the idle count: the writes KCL makes once after it takes a lease (metrics row, first renewals). */
    private static final Duration SETTLE = Duration.ofSeconds(10);

    /** Requests from open() to the first record, and over an idle window; keys "service operation target". */
    record Result(Map<String, Long> startup, double startupSeconds, Map<String, Long> idle, double idleSeconds) {

        long startupTotal() {
            return startup.values().stream().mapToLong(Long::longValue).sum();
        }

        double idlePerSecond(String service) {
            return idle.entrySet().stream().filter(e -> e.getKey().startsWith(service + " "))
                    .mapToLong(Map.Entry::getValue).sum() / idleSeconds;
        }

        /** Idle DynamoDB requests per second by table (or index), e.g. "<app> 0.60". */
        Map<String, Double> idleDynamoDbPerTable() {
            Map<String, Double> perTable = new TreeMap<>();
            idle.forEach((key, count) -> {
                if (key.startsWith("DynamoDb ")) {
                    perTable.merge(key.substring(key.indexOf(' ', "DynamoDb ".length()) + 1), count / idleSeconds,
                            Double::sum);
                }
            });
            return perTable;
        }

        String idleBreakdown() {
            return idle.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %.2f/s", e.getKey(),
                    e.getValue() / idleSeconds)).collect(Collectors.joining(", "));
        }

        String startupBreakdown() {
            return startup.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                    .collect(Collectors.joining(", "));
        }
    }

    private RequestCost() {
    }

    /** The counts with the application's name shown as {@code <app>}. */
    private static Map<String, Long> named(Map<String, Long> counts, String app) {
        Map<String, Long> named = new TreeMap<>();
        counts.forEach((key, count) -> named.merge(key.replace(app, "<app>"), count, Long::sum));
        return named;
    }

    /** Measures against this (fresh) DynamoDB Local, which it closes. */
    static Result measure(DynamoDbLocal dynamo, Duration idle, Consumer<String> say) throws Exception {
        try (dynamo) {
            String arn = dynamo.createTableWithStream(TABLE);
            dynamo.put(TABLE, Map.of("id", AttributeValue.fromS("first")));
            String app = "pulsar-dynamodb-cost-" + System.currentTimeMillis();
            Map<String, Object> config = dynamo.sourceConfig(arn, app);
            config.put("awsRegion", "us-east-1");
            config.remove("checkpointInterval");
            Map<String, Long> beforeOpen = RequestCounter.snapshot();
            long opened = System.nanoTime();
            try (SourceHarness source = SourceHarness.open(config, "cost", record -> true)) {
                long deadline = opened + FIRST_RECORD.toNanos();
                while (source.received().isEmpty()) {
                    if (source.readFailure() != null || System.nanoTime() > deadline) {
                        throw new IllegalStateException("requests: no first record: " + source.readFailure());
                    }
                    Thread.sleep(20);
                }
                double startupSeconds = (System.nanoTime() - opened) / 1e9;
                Map<String, Long> startup = named(RequestCounter.difference(beforeOpen, RequestCounter.snapshot()), app);
                say.accept(String.format(Locale.ROOT, "requests: first record %.1f s after open(); idling %d s,"
                        + " then counting for %d s", startupSeconds, SETTLE.toSeconds(), idle.toSeconds()));
                Thread.sleep(SETTLE.toMillis());
                Map<String, Long> idleStart = RequestCounter.snapshot();
                long t0 = System.nanoTime();
                Thread.sleep(idle.toMillis());
                Map<String, Long> idleCounts = named(RequestCounter.difference(idleStart, RequestCounter.snapshot()), app);
                double idleSeconds = (System.nanoTime() - t0) / 1e9;
                if (source.received().size() != 1) {
                    throw new IllegalStateException("requests: the idle window saw records: " + source.received());
                }
                return new Result(startup, startupSeconds, idleCounts, idleSeconds);
            }
        }
    }
}
