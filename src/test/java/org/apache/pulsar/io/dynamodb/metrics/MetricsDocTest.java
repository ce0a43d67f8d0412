package org.apache.pulsar.io.dynamodb.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** README's Metrics table names every metric the connector reports, as Pulsar shows it, with its kind. */
class MetricsDocTest {

    private static final Pattern ROW = Pattern.compile("^\\| `([a-z_<>N]+)` \\| (counter|gauge) \\| ([^|]+) \\| .+\\|$");

    @Test
    void readmeListsEveryMetricWithItsKind() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("README.md"), StandardCharsets.UTF_8);
        int section = lines.indexOf("## Metrics");
        assertThat(section).as("README's Metrics section").isPositive();
        List<String> rows = lines.subList(section, lines.size()).stream()
                .takeWhile(line -> !line.startsWith("## ") || line.equals("## Metrics"))
                .filter(line -> ROW.matcher(line).matches()).toList();

        List<String> documented = rows.stream().map(line -> {
            Matcher row = ROW.matcher(line);
            row.matches();
            return row.group(1) + " " + row.group(2);
        }).toList();
        List<String> reported = Arrays.stream(Metric.values())
                .map(metric -> (metric == Metric.LAG_MS_SHARD ? metric.metricName() + "<N>" : metric.metricName())
                        + " " + metric.kind().name().toLowerCase(java.util.Locale.ROOT))
                .toList();
        assertThat(documented).containsExactlyInAnyOrderElementsOf(reported);
    }
}
