package org.apache.pulsar.io.dynamodb.config;

import java.time.Duration;
import java.util.List;
import org.apache.pulsar.io.core.annotations.FieldDoc;

/** How often the connector's own metrics go to Pulsar; validated and immutable. */
public final class MetricsReportConfig {

    /** This concern's config keys, in declaration order. */
    public static final List<String> KEYS = FieldDocs.keys(MetricsReportConfig.class);

    private static final long MIN_MILLIS = 100;
    private static final long MAX_MILLIS = 3_600_000;

    @FieldDoc(required = false, defaultValue = "10000",
            help = "Milliseconds between two reports of the connector's metrics (lag, records published and "
                    + "acknowledged, ...) to Pulsar's /metrics, as pulsar_source_user_metric_ with a metric label")
    private final long metricsReportInterval;

    private MetricsReportConfig(long metricsReportInterval) {
        this.metricsReportInterval = metricsReportInterval;
    }

    /** Reads and checks this concern's keys; problems go to the reader as one-line errors. */
    public static MetricsReportConfig read(ConfigReader in) {
        return new MetricsReportConfig(in.longValue("metricsReportInterval", 10_000, MIN_MILLIS, MAX_MILLIS,
                "a whole number of milliseconds from " + MIN_MILLIS + " to " + MAX_MILLIS));
    }

    public Duration interval() {
        return Duration.ofMillis(metricsReportInterval);
    }
}
