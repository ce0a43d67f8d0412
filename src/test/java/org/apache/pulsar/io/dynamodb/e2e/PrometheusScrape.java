package org.apache.pulsar.io.dynamodb.e2e;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/** One scrape of a Prometheus text endpoint (a broker's or function worker's {@code /metrics}). */
record PrometheusScrape(List<String> lines) {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static PrometheusScrape of(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + url + " answered " + response.statusCode() + ": " + response.body());
        }
        return new PrometheusScrape(response.body().lines().toList());
    }

    /** The samples of a metric whose labels include every given {@code name="value"} pair. */
    List<Double> samples(String metric, String... labels) {
        return lines.stream()
                .filter(line -> line.startsWith(metric + "{") || line.startsWith(metric + " "))
                .filter(line -> List.of(labels).stream().allMatch(label -> labelsOf(line).contains(label)))
                .map(PrometheusScrape::valueOf)
                .toList();
    }

    /** The sum of {@link #samples}. */
    double sum(String metric, String... labels) {
        return samples(metric, labels).stream().mapToDouble(Double::doubleValue).sum();
    }

    /** The value after the labels (a timestamp may follow it). */
    private static double valueOf(String line) {
        int close = line.lastIndexOf('}');
        String rest = close < 0 ? line.substring(line.indexOf(' ')) : line.substring(close + 1);
        return Double.parseDouble(rest.trim().split("\\s+")[0]);
    }

    private static String labelsOf(String line) {
        int open = line.indexOf('{');
        int close = line.lastIndexOf('}');
        return open < 0 || close < open ? "" : line.substring(open + 1, close);
    }
}
