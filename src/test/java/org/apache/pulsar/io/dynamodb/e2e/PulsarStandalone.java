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
 * started as {@code bin/pulsar standalone -nfw -nss} would, or with its function worker as {@code bin/pulsar
 * standalone -nss} would.
 */
final class PulsarStandalone implements AutoCloseable {

    private final PulsarRuntime runtime;
    private final Path dir;
    private final int brokerPort;
    private final int webPort;
    private final int bookiePort;
    private final ProcessRuntimeWorker worker;
    private int starts;
    private volatile ChildJvm jvm;

    private PulsarStandalone(PulsarRuntime runtime, Path dir, int brokerPort, int webPort, int bookiePort,
                             ProcessRuntimeWorker worker) {
        this.runtime = runtime;
        this.worker = worker;
        this.dir = dir;
        this.brokerPort = brokerPort;
        this.webPort = webPort;
        this.bookiePort = bookiePort;
    }

    /** Starts the broker; {@link #awaitReady} waits until it serves the public/default namespace. */
    static PulsarStandalone start(PulsarRuntime runtime, Path dir) {
        return start(runtime, dir, null);
    }

    /**
     * Starts the broker with its function worker on, set up by worker; then {@link #awaitReady}. brokerSettings are
     * more {@code key=value} lines of its standalone.conf.
     */
    static PulsarStandalone startWithFunctionWorker(PulsarRuntime runtime, Path dir, ProcessRuntimeWorker worker,
                                                    String... brokerSettings) {
        return start(runtime, dir, worker, brokerSettings);
    }

    private static PulsarStandalone start(PulsarRuntime runtime, Path dir, ProcessRuntimeWorker worker,
                                          String... brokerSettings) {
        // A fixed bookie port: a bookie restarted on its old data must keep the address its cookie names.
        PulsarStandalone standalone = new PulsarStandalone(runtime, dir, PulsarRuntime.freePort(),
                PulsarRuntime.freePort(), PulsarRuntime.freePort(), worker);
        try {
            Files.createDirectories(dir);
            Files.writeString(standalone.conf(), String.join("\n",
                    "clusterName=standalone",
                    "bindAddress=127.0.0.1",
                    "advertisedAddress=127.0.0.1",
                    "brokerServicePort=" + standalone.brokerPort,
                    "webServicePort=" + standalone.webPort,
                    "managedLedgerDefaultEnsembleSize=1",
                    "managedLedgerDefaultWriteQuorum=1",
                    "managedLedgerDefaultAckQuorum=1",
                    "brokerShutdownTimeoutMs=0",
                    "allowLoopback=true",
                    "functionsWorkerEnabled=" + (worker != null),
                    // the package management a standalone with a worker turns on keeps archives here
                    "storagePath=" + (worker != null ? worker.packagesStorage() : dir.resolve("packages-storage")),
                    // keep every message, with or without subscriptions: tests read topics from the start
                    "defaultRetentionTimeInMinutes=-1",
                    "defaultRetentionSizeInMB=-1",
                    String.join("\n", brokerSettings),
                    ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        standalone.launch(true);
        return standalone;
    }

    private Path conf() {
        return dir.resolve("standalone.conf");
    }

    private void launch(boolean wipeData) {
        starts++;
        List<String> args = new java.util.ArrayList<>(List.of("-c", conf().toString(),
                "--metadata-dir", dir.resolve("metadata").toString(),
                "--bookkeeper-dir", dir.resolve("bookkeeper").toString(),
                "--bookkeeper-port", Integer.toString(bookiePort),
                "--no-stream-storage",
                "--advertised-address", "127.0.0.1"));
        List<String> jvmOptions = new java.util.ArrayList<>(List.of("-Xms256m", "-Xmx1g",
                "-XX:MaxDirectMemorySize=512m"));
        if (worker == null) {
            args.add("--no-functions-worker");
        } else {
            args.addAll(List.of("--functions-worker-conf", worker.configFile().toString()));
            jvmOptions.addAll(worker.jvmOptions());
        }
        if (wipeData) {
            args.add("--wipe-data");
        }
        // In its own folder: a worker keeps relative paths (logs, downloads) under the working directory.
        jvm = ChildJvm.start("pulsar-standalone", runtime, jvmOptions,
                "org.apache.pulsar.PulsarStandaloneStarter", args,
                dir.resolve(starts == 1 ? "pulsar-standalone.log" : "pulsar-standalone-" + starts + ".log"), dir);
    }

    /** Stops the broker as {@code kill} does; {@link #startAgain} brings it back on the same ports and data. */
    int stopBroker() {
        return jvm.stop(Duration.ofSeconds(60));
    }

    /** Starts the stopped broker again on its ports, data and metadata; then {@link #awaitReady}. */
    PulsarStandalone startAgain() {
        if (jvm.isAlive()) {
            throw new IllegalStateException("the broker is still running");
        }
        launch(false);
        return this;
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

    /** The broker's Prometheus endpoint; with a function worker it carries the worker's instance metrics too. */
    String metricsUrl() {
        return webServiceUrl() + "/metrics/";
    }

    ChildJvm jvm() {
        return jvm;
    }

    @Override
    public void close() {
        jvm.stop(Duration.ofSeconds(30));
    }
}
