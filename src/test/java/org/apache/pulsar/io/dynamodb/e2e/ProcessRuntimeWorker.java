package org.apache.pulsar.io.dynamodb.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The function worker a standalone runs with its broker, set up as a Pulsar distribution sets up
 * {@code bin/pulsar standalone}: a functions_worker.yml with the PROCESS runtime (each instance a child JVM started
 * with {@code java -cp <java-instance.jar>}), and the worker JVM's system properties naming the instance class path
 * (Pulsar's own jars: here the Pulsar runtime class path the broker runs from) and the instances' log config.
 */
final class ProcessRuntimeWorker {

    private final Path dir;
    private final Path configFile;
    private final JavaInstanceJar javaInstanceJar;
    private final List<String> jvmOptions;

    private ProcessRuntimeWorker(Path dir, Path configFile, JavaInstanceJar javaInstanceJar, List<String> jvmOptions) {
        this.dir = dir;
        this.configFile = configFile;
        this.javaInstanceJar = javaInstanceJar;
        this.jvmOptions = jvmOptions;
    }

    /**
     * Writes dir/functions_worker.yml. livenessCheck is how often the worker checks its instances' processes
     * (and restarts a dead one) and health-checks them (an instance not checked for 3 periods stops itself).
     */
    static ProcessRuntimeWorker configure(PulsarRuntime runtime, Path dir, Duration livenessCheck) {
        JavaInstanceJar jar = JavaInstanceJar.read(PulsarRuntime.javaInstanceJar());
        Path configFile = dir.resolve("functions_worker.yml");
        try {
            Files.createDirectories(dir.resolve("connectors"));
            Files.createDirectories(dir.resolve("functions"));
            // Keys without a usable Java default (WorkerConfig leaves them null or 0); the values are those of
            // Pulsar's conf/functions_worker.yml, except the paths and the liveness check period.
            Files.writeString(configFile, String.join("\n",
                    "pulsarFunctionsNamespace: public/functions",
                    "functionMetadataTopicName: metadata",
                    "functionAssignmentTopicName: assignments",
                    "clusterCoordinationTopicName: coordinate",
                    "schedulerClassName: org.apache.pulsar.functions.worker.scheduler.RoundRobinScheduler",
                    "failureCheckFreqMs: 30000",
                    "rescheduleTimeoutMs: 60000",
                    "rebalanceCheckFreqSec: -1",
                    "initialBrokerReconnectMaxRetries: 60",
                    "assignmentWriteMaxRetries: 60",
                    "instanceLivenessCheckFreqMs: " + livenessCheck.toMillis(),
                    "numFunctionPackageReplicas: 1",
                    "downloadDirectory: " + quoted(dir.resolve("download")),
                    "connectorsDirectory: " + quoted(dir.resolve("connectors")),
                    "functionsDirectory: " + quoted(dir.resolve("functions")),
                    "narExtractionDirectory: " + quoted(dir.resolve("nar-extraction")),
                    "uploadBuiltinSinksSources: false",
                    "functionRuntimeFactoryClassName: "
                            + "org.apache.pulsar.functions.runtime.process.ProcessRuntimeFactory",
                    "functionRuntimeFactoryConfigs:",
                    "  javaInstanceJarLocation: " + quoted(jar.jar()),
                    // never used for a Java source, but the factory refuses to start without it
                    "  pythonInstanceLocation: " + quoted(dir.resolve("no-python-instance")),
                    "  logDirectory: " + quoted(dir.resolve("logs")),
                    ""), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // As bin/pulsar passes them: the instance class path is the broker's own (PULSAR_CLASSPATH there).
        List<String> jvmOptions = List.of(
                "-Dpulsar.functions.instance.classpath=" + runtime.classPath(),
                "-Dpulsar.functions.log.conf=" + PulsarRuntime.testResource("/e2e/log4j2-instance.xml"));
        return new ProcessRuntimeWorker(dir, configFile, jar, jvmOptions);
    }

    private static String quoted(Path path) {
        return "'" + path.toAbsolutePath().toString().replace("'", "''") + "'";
    }

    Path configFile() {
        return configFile;
    }

    JavaInstanceJar javaInstanceJar() {
        return javaInstanceJar;
    }

    /** System properties of the standalone's JVM, which hosts the worker. */
    List<String> jvmOptions() {
        return jvmOptions;
    }

    /** Where the package storage of the standalone's package management keeps uploaded archives. */
    Path packagesStorage() {
        return dir.resolve("packages-storage");
    }

    /** The log of one source instance, as the PROCESS runtime names it (appended to across restarts). */
    Path instanceLog(String tenant, String namespace, String name, int instanceId) {
        return dir.resolve("logs").resolve("functions").resolve(tenant).resolve(namespace).resolve(name)
                .resolve(name + "-" + instanceId + ".log");
    }
}
