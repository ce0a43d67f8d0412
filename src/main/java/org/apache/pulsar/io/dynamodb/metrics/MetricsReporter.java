package org.apache.pulsar.io.dynamodb.metrics;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.pulsar.io.core.SourceContext;
import org.apache.pulsar.io.dynamodb.metrics.SourceMetrics.Reading;
import org.apache.pulsar.io.dynamodb.metrics.SourceMetrics.ShardReading;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that hands the metrics to Pulsar, once per interval, and logs progress while the connector is
 * behind. One thread because Pulsar's {@code SourceContext.recordMetric} keeps its metric names in a plain
 * HashMap. Each counter is recorded as its increase since the previous report (Pulsar's {@code _sum} is then its
 * total); each gauge as its current value.
 */
public final class MetricsReporter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MetricsReporter.class);
    private static final long CLOSE_WAIT_SECONDS = 5;

    private final SourceMetrics metrics;
    private final SourceContext context;
    private final LongSupplier clock;
    private final ProgressLog progress = new ProgressLog();
    private final Map<Metric, Long> reportedTotals = new EnumMap<>(Metric.class);
    private ScheduledExecutorService thread;
    private boolean failureLogged;

    MetricsReporter(SourceMetrics metrics, SourceContext context, LongSupplier clock) {
        this.metrics = metrics;
        this.context = context;
        this.clock = clock;
    }

    /**
     * Starts reporting every interval on a thread of its own. With no context (tests, tools that run the source
     * outside Pulsar) the metrics are kept and progress is logged, but nothing is recorded.
     */
    public static MetricsReporter start(SourceMetrics metrics, SourceContext context, Duration interval,
                                        String name) {
        MetricsReporter reporter = new MetricsReporter(metrics, context, System::currentTimeMillis);
        reporter.thread = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "dynamodb-metrics-" + name);
            thread.setDaemon(true);
            return thread;
        });
        long millis = interval.toMillis();
        reporter.thread.scheduleWithFixedDelay(reporter::reportSafely, millis, millis, TimeUnit.MILLISECONDS);
        return reporter;
    }

    private void reportSafely() {
        try {
            report();
        } catch (RuntimeException e) {
            // a scheduled task that throws is never run again: report the problem once and go on
            if (!failureLogged) {
                failureLogged = true;
                log.warn("Reporting metrics to Pulsar failed; trying again every period: {}", e.toString());
            }
        }
    }

    /** One period's report: every metric to Pulsar, and a progress line when one is due. */
    void report() {
        long now = clock.getAsLong();
        Reading reading = metrics.read(now);
        if (context != null) {
            for (Metric metric : Metric.values()) {
                if (metric == Metric.LAG_MS_SHARD) {
                    continue;
                }
                long value = reading.value(metric);
                if (metric.kind() == Metric.Kind.COUNTER) {
                    Long previous = reportedTotals.put(metric, value);
                    context.recordMetric(metric.metricName(), value - (previous == null ? 0 : previous));
                } else {
                    context.recordMetric(metric.metricName(), value);
                }
            }
            for (ShardReading shard : reading.shards()) {
                context.recordMetric(Metric.LAG_MS_SHARD.forSlot(shard.slot()), shard.lagMillis());
            }
        }
        progress.next(now, reading).ifPresent(log::info);
    }

    @Override
    public void close() {
        if (thread == null) {
            return;
        }
        thread.shutdownNow();
        try {
            thread.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
