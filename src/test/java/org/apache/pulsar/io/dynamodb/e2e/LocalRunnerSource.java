package org.apache.pulsar.io.dynamodb.e2e;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.gson.Gson;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pulsar.client.api.CompressionType;
import org.apache.pulsar.common.functions.FunctionConfig;
import org.apache.pulsar.common.functions.ProducerConfig;
import org.apache.pulsar.common.io.SourceConfig;

/**
 * The connector NAR run by Pulsar's LocalRunner in a child JVM, started exactly as
 * {@code pulsar-admin sources localrun --archive NAR --name N --destination-topic-name T --source-config JSON}
 * starts it: pulsar-admin parses the config map with Jackson, puts it into a {@link SourceConfig}, and hands that
 * to {@code bin/function-localrunner} as {@code --sourceConfig <Gson JSON>}.
 */
final class LocalRunnerSource implements AutoCloseable {

    static final String TENANT = "public";
    static final String NAMESPACE = "default";

    private final ChildJvm jvm;
    private final String name;

    private LocalRunnerSource(ChildJvm jvm, String name) {
        this.jvm = jvm;
        this.name = name;
    }

    /** What pulsar-admin's {@code sources localrun} options would give, for one source instance. */
    static final class Options {
        final String name;
        final String topic;
        final String sourceConfigJson;
        String batchBuilder;
        CompressionType compressionType;
        int instanceIdOffset;
        FunctionConfig.ProcessingGuarantees processingGuarantees;
        List<String> jvmOptions = List.of("-Xms128m", "-Xmx512m");

        /** {@code --name}, {@code --destination-topic-name} and {@code --source-config} (a JSON map). */
        Options(String name, String topic, String sourceConfigJson) {
            this.name = name;
            this.topic = topic;
            this.sourceConfigJson = sourceConfigJson;
        }

        /** {@code --batch-builder}: KEY_BASED keeps each batch to one key, as Key_Shared subscriptions need. */
        Options batchBuilder(String batchBuilder) {
            this.batchBuilder = batchBuilder;
            return this;
        }

        /** {@code --producer-config '{"compressionType":...}'}: the instance's producer compresses with LZ4 unless told. */
        Options compressionType(CompressionType compressionType) {
            this.compressionType = compressionType;
            return this;
        }

        /** {@code --instanceIdOffset}: a second LocalRunner of the same source runs as instance 1, not 0. */
        Options instanceIdOffset(int instanceIdOffset) {
            this.instanceIdOffset = instanceIdOffset;
            return this;
        }

        /** {@code --processing-guarantees}: unset, Pulsar runs the source ATLEAST_ONCE. */
        Options processingGuarantees(FunctionConfig.ProcessingGuarantees guarantees) {
            this.processingGuarantees = guarantees;
            return this;
        }

        /** The LocalRunner JVM's options (memory, GC, logging) in place of the tests' {@code -Xms128m -Xmx512m}. */
        Options jvmOptions(List<String> jvmOptions) {
            this.jvmOptions = List.copyOf(jvmOptions);
            return this;
        }
    }

    static LocalRunnerSource start(PulsarRuntime runtime, PulsarStandalone pulsar, Options options, Path log) {
        SourceConfig sourceConfig = new SourceConfig();
        sourceConfig.setTenant(TENANT);
        sourceConfig.setNamespace(NAMESPACE);
        sourceConfig.setName(options.name);
        sourceConfig.setTopicName(options.topic);
        sourceConfig.setArchive(runtime.nar().toString());
        if (options.processingGuarantees != null) {
            sourceConfig.setProcessingGuarantees(options.processingGuarantees);
        }
        sourceConfig.setParallelism(1);
        if (options.batchBuilder != null) {
            sourceConfig.setBatchBuilder(options.batchBuilder);
        }
        if (options.compressionType != null) {
            ProducerConfig producer = new ProducerConfig();
            producer.setCompressionType(options.compressionType);
            sourceConfig.setProducerConfig(producer);
        }
        sourceConfig.setConfigs(parseConfigs(options.sourceConfigJson));
        ChildJvm jvm = ChildJvm.start("localrunner-" + options.name, runtime, options.jvmOptions,
                "org.apache.pulsar.functions.LocalRunner",
                List.of("--sourceConfig", new Gson().toJson(sourceConfig),
                        "--brokerServiceUrl", pulsar.brokerServiceUrl(),
                        "--instanceIdOffset", Integer.toString(options.instanceIdOffset)),
                log);
        return new LocalRunnerSource(jvm, options.name);
    }

    /** As pulsar-admin parses {@code --source-config}. */
    private static Map<String, Object> parseConfigs(String json) {
        try {
            return new ObjectMapper().readValue(json, new TypeReference<HashMap<String, Object>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("--source-config is not a JSON map: " + json, e);
        }
    }

    String name() {
        return name;
    }

    ChildJvm jvm() {
        return jvm;
    }

    /** The log's ERROR lines and the exceptions after them, for failure messages. */
    String errors() {
        StringBuilder out = new StringBuilder();
        boolean inError = false;
        for (String line : jvm.logText().lines().toList()) {
            boolean logLine = line.matches("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} .*");
            if (logLine) {
                inError = line.contains(" ERROR ");
            }
            if (inError && out.length() < 6000) {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    /** Stops the LocalRunner as Ctrl-C would: it closes the source, which hands its lease on. */
    int stop() {
        return jvm.stop(Duration.ofSeconds(60));
    }

    /** Kills the LocalRunner with SIGKILL: no close, no checkpoint, no lease handoff. */
    int kill() {
        return jvm.kill();
    }

    /** How many times the connector was opened in this LocalRunner (Pulsar restarts a failed instance in-process). */
    int opens() {
        return (int) jvm.logText().lines().filter(line -> line.contains("Opening DynamoDB source")).count();
    }

    @Override
    public void close() {
        stop();
    }
}
