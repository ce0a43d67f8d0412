package org.apache.pulsar.io.dynamodb.e2e;

import java.io.IOException;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The connector's own metrics as a Pulsar {@code /metrics} page shows them: the summary
 * {@code pulsar_source_user_metric_}, one series per instance ({@code instance_id}) and {@code metric} label. A
 * counter's {@code _sum} is its total since the instance started; what a gauge read over a window is the mean of the
 * values reported in it: the differences of {@code _sum} and {@code _count} between two scrapes (README, Metrics).
 */
final class SourceUserMetrics {

    static final String SUMMARY = "pulsar_source_user_metric_";

    private final PrometheusScrape scrape;
    private final String source;

    private SourceUserMetrics(PrometheusScrape scrape, String source) {
        this.scrape = scrape;
        this.source = source;
    }

    /** One scrape of the page, for the source named source. */
    static SourceUserMetrics scrape(String url, String source) throws IOException, InterruptedException {
        return new SourceUserMetrics(PrometheusScrape.of(url), source);
    }

    /** The instance's {@code _sum} of the metric: a counter's total; 0 when it has reported nothing yet. */
    double sum(int instance, String metric) {
        return scrape.sum(SUMMARY + "_sum", labels(instance, metric));
    }

    /** How many values the instance has reported for the metric. */
    double count(int instance, String metric) {
        return scrape.sum(SUMMARY + "_count", labels(instance, metric));
    }

    /** The mean of the values the instance reported for the metric since an earlier scrape; empty if none. */
    OptionalDouble meanSince(SourceUserMetrics earlier, int instance, String metric) {
        double reports = count(instance, metric) - earlier.count(instance, metric);
        return reports > 0 ? OptionalDouble.of((sum(instance, metric) - earlier.sum(instance, metric)) / reports)
                : OptionalDouble.empty();
    }

    /** The page's lines of the instance's user metrics, for a report. */
    List<String> lines(int instance) {
        return scrape.lines().stream().filter(line -> line.startsWith(SUMMARY))
                .filter(line -> line.contains("name=\"" + source + "\"")
                        && line.contains("instance_id=\"" + instance + "\""))
                .toList();
    }

    private String[] labels(int instance, String metric) {
        return new String[] {"name=\"" + source + "\"", "instance_id=\"" + instance + "\"", "metric=\"" + metric + "\""};
    }
}
