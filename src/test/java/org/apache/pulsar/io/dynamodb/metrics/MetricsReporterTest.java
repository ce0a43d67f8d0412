package org.apache.pulsar.io.dynamodb.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pulsar.io.dynamodb.metrics.RecordingSourceContext.Call;
import org.apache.pulsar.io.dynamodb.publish.PublishListener;
import org.apache.pulsar.io.dynamodb.testing.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The reporter against a fake SourceContext: one thread, counters as increases, gauges as values. */
class MetricsReporterTest {

    private static final Duration INTERVAL = Duration.ofMillis(20);
    private static final long T = 1_700_000_000_000L;

    private final SourceMetrics metrics = new SourceMetrics(() -> 0);
    private final RecordingSourceContext pulsar = new RecordingSourceContext();
    private MetricsReporter reporter;

    @AfterEach
    void stop() {
        if (reporter != null) {
            reporter.close();
        }
    }

    @Test
    void everyCallComesFromTheReporterThreadWhileManyThreadsCount() throws Exception {
        reporter = MetricsReporter.start(metrics, pulsar.context(), INTERVAL, "app");
        int threads = 6;
        int each = 20_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> done = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                int id = t;
                done.add(pool.submit(() -> {
                    ShardMetrics shard = metrics.shard("shard-" + id);
                    for (int i = 0; i < each; i++) {
                        shard.published();
                        shard.acknowledged();
                        shard.polled(1);
                        shard.held(System.currentTimeMillis());
                        shard.released(1);
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
        long total = (long) threads * each;
        await("every record counted in a report").atMost(Duration.ofSeconds(10))
                .until(() -> pulsar.sum("records_acknowledged") == total && pulsar.sum("records_published") == total);
        reporter.close();
        List<Call> calls = pulsar.calls();
        assertThat(calls).extracting(Call::thread).as("recordMetric callers").containsOnly("dynamodb-metrics-app");
        assertThat(pulsar.sum("records_read")).isEqualTo(total);
        assertThat(pulsar.calls("records_published")).as("one call per report, zero increases included")
                .hasSizeGreaterThan(1).allSatisfy(call -> assertThat(call.value()).isGreaterThanOrEqualTo(0));
        assertThat(pulsar.latest("leases_held")).isEqualTo(threads);
        assertThat(calls).extracting(Call::name).contains("lag_ms_shard0", "lag_ms_shard5").doesNotContain("lag_ms_shard6");
    }

    @Test
    void countersAreIncreasesAndGaugesAreCurrentValues() {
        AtomicLong now = new AtomicLong(T);
        reporter = new MetricsReporter(metrics, pulsar.context(), now::get);
        ShardMetrics shard = metrics.shard("shard-a");
        shard.polled(2);
        shard.held(T - 4_000);
        shard.held(T - 1_000);
        shard.published();
        shard.published();

        reporter.report();
        assertThat(pulsar.latest("records_published")).isEqualTo(2);
        assertThat(pulsar.latest("records_acknowledged")).isZero();
        assertThat(pulsar.latest("lag_ms_max")).isEqualTo(4_000);
        assertThat(pulsar.latest("lag_ms_shard0")).isEqualTo(4_000);
        assertThat(pulsar.latest("records_pending")).isEqualTo(2);
        assertThat(pulsar.latest("leases_held")).isEqualTo(1);

        now.addAndGet(3_000);
        shard.acknowledged();
        shard.acknowledged();
        shard.released(2);
        shard.polled(0);
        reporter.report();
        assertThat(pulsar.latest("records_published")).as("nothing new").isZero();
        assertThat(pulsar.sum("records_published")).as("the _sum Pulsar shows").isEqualTo(2);
        assertThat(pulsar.latest("records_acknowledged")).isEqualTo(2);
        assertThat(pulsar.latest("lag_ms_max")).as("caught up").isZero();
        assertThat(pulsar.latest("records_pending")).isZero();

        shard.close();
        int before = pulsar.calls("lag_ms_shard0").size();
        reporter.report();
        assertThat(pulsar.calls("lag_ms_shard0")).as("a slot without a shard is not reported").hasSize(before);
        assertThat(pulsar.latest("leases_held")).isZero();
        for (Metric metric : Metric.values()) {
            if (metric != Metric.LAG_MS_SHARD) {
                assertThat(pulsar.calls(metric.metricName())).as(metric.metricName()).hasSize(3);
            }
        }
    }

    @Test
    void aFailingReportDoesNotStopTheNextOnes() {
        pulsar.failNextCall(new IllegalStateException("broken context (test)"));
        reporter = MetricsReporter.start(metrics, pulsar.context(), INTERVAL, "app");
        PublishListener segment = metrics.segment();
        for (int i = 0; i < 7; i++) {
            segment.published();
        }
        await("a later report").atMost(Duration.ofSeconds(10)).until(() -> pulsar.sum("records_published") == 7);
    }

    @Test
    void withoutAContextMetricsAreKeptAndProgressIsStillLogged() {
        AtomicLong now = new AtomicLong(T);
        reporter = new MetricsReporter(metrics, null, now::get);
        ShardMetrics shard = metrics.shard("shard-a");
        shard.polled(1);
        shard.held(T - ProgressLog.BEHIND.toMillis());
        try (LogCapture logs = LogCapture.start()) {
            assertThatCode(reporter::report).doesNotThrowAnyException();
            assertThat(logs.events()).extracting(LogCapture.Event::message)
                    .anySatisfy(line -> assertThat(line).startsWith("Behind the stream: lag 120000 ms on shard-a"));
        }
        assertThat(metrics.read(T).value(Metric.RECORDS_PENDING)).isEqualTo(1);
    }

    @Test
    void closeStopsReporting() {
        reporter = MetricsReporter.start(metrics, pulsar.context(), INTERVAL, "app");
        await().atMost(Duration.ofSeconds(10)).until(() -> !pulsar.calls().isEmpty());
        reporter.close();
        int calls = pulsar.calls().size();
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2))
                .until(() -> pulsar.calls().size() == calls);
    }
}
