package org.apache.pulsar.io.dynamodb.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;

/**
 * An HTTP proxy in front of DynamoDB Local that counts every request passing through it by API ({@code X-Amz-Target},
 * e.g. "DynamoDBStreams GetRecords"): what AWS would bill, seen on the wire, so it counts the requests of connector
 * JVMs this JVM cannot instrument. Bodies and headers go through unchanged (DynamoDB Local does not check signatures,
 * so the changed Host does not matter).
 */
final class CountingProxy implements AutoCloseable {

    /** Headers the JDK client sets itself (or refuses), and hop-by-hop ones. */
    private static final Set<String> NOT_FORWARDED = Set.of("host", "connection", "content-length", "expect",
            "upgrade", "transfer-encoding", "keep-alive", "date");

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "counting-proxy");
        thread.setDaemon(true);
        return thread;
    });
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final URI target;
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    private CountingProxy(URI target) throws IOException {
        this.target = target;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        server.setExecutor(threads);
        server.createContext("/", this::forward);
        server.start();
    }

    /** A proxy for {@code targetEndpoint} (e.g. DynamoDB Local's {@code http://127.0.0.1:port}) on a free port. */
    static CountingProxy start(String targetEndpoint) throws IOException {
        return new CountingProxy(URI.create(targetEndpoint));
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Requests counted so far, by API. */
    Map<String, Long> snapshot() {
        Map<String, Long> copy = new TreeMap<>();
        counts.forEach((api, count) -> copy.put(api, count.sum()));
        return copy;
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            String api = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            counts.computeIfAbsent(api == null ? exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath()
                    : api.replaceFirst("_\\d+\\.", " "), k -> new LongAdder()).increment();
            byte[] body = exchange.getRequestBody().readAllBytes();
            HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI()))
                    .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
            exchange.getRequestHeaders().forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                    values.forEach(value -> request.header(name, value));
                }
            });
            HttpResponse<byte[]> response;
            try {
                response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.sendResponseHeaders(503, -1);
                return;
            } catch (IOException e) {
                // DynamoDB Local is stopping: the SDK sees a server error and retries, as with AWS
                exchange.sendResponseHeaders(503, -1);
                return;
            }
            response.headers().map().forEach((name, values) -> {
                if (!NOT_FORWARDED.contains(name.toLowerCase(java.util.Locale.ROOT)) && !name.startsWith(":")) {
                    exchange.getResponseHeaders().put(name, List.copyOf(values));
                }
            });
            byte[] out = response.body();
            exchange.sendResponseHeaders(response.statusCode(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                try (OutputStream stream = exchange.getResponseBody()) {
                    stream.write(out);
                }
            }
        }
    }

    /** Per API, what was counted between two snapshots, per second over {@code seconds}. */
    static Map<String, Double> perSecond(Map<String, Long> before, Map<String, Long> after, double seconds) {
        Map<String, Double> rates = new TreeMap<>();
        after.forEach((api, count) -> {
            long delta = count - before.getOrDefault(api, 0L);
            if (delta > 0) {
                rates.put(api, delta / seconds);
            }
        });
        return rates;
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
