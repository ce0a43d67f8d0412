package org.apache.pulsar.io.dynamodb.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * A Pulsar standalone broker (bookie and RocksDB metadata inside) in a child JVM, listening on free loopback ports,
 * started as {@code bin/pulsar standalone -nfw -nss} would.
 */
final class PulsarStandalone implements AutoCloseable {

    private final ChildJvm jvm;
    private final int brokerPort;
    private final int webPort;

    private PulsarStandalone(ChildJvm jvm, int brokerPort, int webPort) {
        this.jvm = jvm;
        this.brokerPort = brokerPort;
        this.webPort = webPort;
    }

    /** Starts the broker; {@link #awaitReady} waits until it serves the public/default namespace. */
    static PulsarStandalone start(PulsarRuntime runtime, Path dir) {
        int brokerPort = PulsarRuntime.freePort();
        int webPort = PulsarRuntime.freePort();
        try {
            Files.createDirectories(dir);
            Path conf = dir.resolve("standalone.conf");
            Files.writeString(conf, String.join("\n",
                    "clusterName=standalone",
                    "bindAddress=127.0.0.1",
                    "advertisedAddress=127.0.0.1",
                    "brokerServicePort=" + brokerPort,
                    "webServicePort=" + webPort,
                    "managedLedgerDefaultEnsembleSize=1",
                    "managedLedgerDefaultWriteQuorum=1",
                    "managedLedgerDefaultAckQuorum=1",
                    "brokerShutdownTimeoutMs=0",
                    "allowLoopback=true",
                    "functionsWorkerEnabled=false",
                    ""));
            ChildJvm jvm = ChildJvm.start("pulsar-standalone", runtime,
                    List.of("-Xms256m", "-Xmx1g", "-XX:MaxDirectMemorySize=512m"),
                    "org.apache.pulsar.PulsarStandaloneStarter",
                    List.of("-c", conf.toString(),
                            "--metadata-dir", dir.resolve("metadata").toString(),
                            "--bookkeeper-dir", dir.resolve("bookkeeper").toString(),
                            "--bookkeeper-port", "0",
                            "--no-functions-worker", "--no-stream-storage", "--wipe-data",
                            "--advertised-address", "127.0.0.1"),
                    dir.resolve("pulsar-standalone.log"));
            return new PulsarStandalone(jvm, brokerPort, webPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the broker serves public/default, or fails with the reason and the end of its log. */
    PulsarStandalone awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(webServiceUrl() + "/admin/v2/namespaces/public"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        try {
            Awaitility.await("Pulsar standalone").atMost(timeout).pollInterval(Duration.ofMillis(200))
                    .failFast("Pulsar standalone exited while starting", () -> !jvm.isAlive())
                    .until(() -> {
                        try {
                            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                            return response.statusCode() == 200 && response.body().contains("public/default");
                        } catch (IOException notListeningYet) {
                            return false;
                        }
                    });
            return this;
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            throw new IllegalStateException(e.getMessage() + "; end of " + jvm.log() + ":\n" + jvm.logTail(40), e);
        }
    }

    String brokerServiceUrl() {
        return "pulsar://127.0.0.1:" + brokerPort;
    }

    String webServiceUrl() {
        return "http://127.0.0.1:" + webPort;
    }

    ChildJvm jvm() {
        return jvm;
    }

    @Override
    public void close() {
        jvm.stop(Duration.ofSeconds(30));
    }
}
