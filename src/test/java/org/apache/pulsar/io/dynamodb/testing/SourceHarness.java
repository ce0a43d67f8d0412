package org.apache.pulsar.io.dynamodb.testing;

import static org.mockito.ArgumentMatchers.anyDouble;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.apache.pulsar.functions.api.Record;
import org.apache.pulsar.io.core.SourceContext;
import org.apache.pulsar.io.dynamodb.DynamoDBSource;

/**
 * Plays Pulsar's part for a source under test: opens it, reads on its own thread as the function instance does,
 * and acknowledges what the test lets through. It keeps what the source records with {@code recordMetric}, as
 * Pulsar's summary would show it.
 */
public final class SourceHarness implements AutoCloseable {

    private final DynamoDBSource source = new DynamoDBSource();
    private final List<Record<byte[]>> received = new CopyOnWriteArrayList<>();
    private final AtomicReference<Exception> readFailure = new AtomicReference<>();
    private final Predicate<Record<byte[]>> ackOnReceipt;
    private final Thread reader;
    private final Map<String, List<Double>> metrics = new ConcurrentHashMap<>();

    private SourceHarness(Predicate<Record<byte[]>> ackOnReceipt) {
        this.ackOnReceipt = ackOnReceipt;
        this.reader = new Thread(this::readLoop, "test-pulsar-reader");
        this.reader.setDaemon(true);
    }

    /** Opens a source with this config as the instance {@code public/default/name/0}; acks what the predicate says. */
    public static SourceHarness open(Map<String, Object> config, String name,
                                     Predicate<Record<byte[]>> ackOnReceipt) throws Exception {
        return open(config, name, 0, ackOnReceipt);
    }

    /** The same as instance {@code public/default/name/instanceId} of a source with several instances. */
    public static SourceHarness open(Map<String, Object> config, String name, int instanceId,
                                     Predicate<Record<byte[]>> ackOnReceipt) throws Exception {
        SourceHarness harness = new SourceHarness(ackOnReceipt);
        harness.source.open(config, context(name, instanceId, harness.metrics));
        harness.reader.start();
        return harness;
    }

    public static SourceContext context(String name) {
        return context(name, 0, new ConcurrentHashMap<>());
    }

    private static SourceContext context(String name, int instanceId, Map<String, List<Double>> metrics) {
        SourceContext context = mock(SourceContext.class);
        when(context.getTenant()).thenReturn("public");
        when(context.getNamespace()).thenReturn("default");
        when(context.getSourceName()).thenReturn(name);
        when(context.getInstanceId()).thenReturn(instanceId);
        when(context.getNumInstances()).thenReturn(instanceId + 1);
        doAnswer(call -> metrics.computeIfAbsent(call.getArgument(0), metric -> new CopyOnWriteArrayList<>())
                .add(call.getArgument(1))).when(context).recordMetric(anyString(), anyDouble());
        return context;
    }

    private void readLoop() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Record<byte[]> record = source.read();
                received.add(record);
                if (ackOnReceipt.test(record)) {
                    record.ack();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            readFailure.set(e);
        }
    }

    public List<Record<byte[]>> received() {
        return new ArrayList<>(received);
    }

    /** What read() threw, as Pulsar's instance would see it. */
    public Exception readFailure() {
        return readFailure.get();
    }

    /** What Pulsar's summary would show as the metric's {@code _sum}: a counter's total; 0 before any report. */
    public double metricSum(String metric) {
        return metrics.getOrDefault(metric, List.of()).stream().mapToDouble(Double::doubleValue).sum();
    }

    /** The values recorded for the metric, oldest first. */
    public List<Double> metricValues(String metric) {
        return List.copyOf(metrics.getOrDefault(metric, List.of()));
    }

    public DynamoDBSource source() {
        return source;
    }

    @Override
    public void close() throws Exception {
        try {
            source.close();
        } finally {
            reader.interrupt();
            reader.join(5_000);
        }
    }
}
