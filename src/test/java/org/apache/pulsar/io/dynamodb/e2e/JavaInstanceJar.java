package org.apache.pulsar.io.dynamodb.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;

/**
 * Our stand-in for Pulsar's java-instance.jar (built by src/e2e/java-instance): the jar a function worker's PROCESS
 * runtime puts alone on an instance's {@code -cp}. Its manifest Class-Path is the root class loader's set, the
 * parent of the connector's NAR; this checks that set is the one Pulsar 4.0.7's java-instance.jar carries.
 */
record JavaInstanceJar(Path jar, List<String> rootJars) {

    /** The launcher class the PROCESS runtime names on each instance's command line. */
    static final String MAIN_CLASS = "org.apache.pulsar.functions.instance.JavaInstanceMain";

    /** Jars of the root set at Pulsar 4.0.7's versions (pulsar-functions/runtime-all's dependencies). */
    private static final List<String> EXPECTED = List.of(
            "pulsar-io-core-4.0.7.jar", "pulsar-functions-api-4.0.7.jar", "pulsar-client-api-4.0.7.jar",
            "pulsar-client-admin-api-4.0.7.jar", "avro-1.11.4.jar", "jackson-databind-2.17.2.jar",
            "jackson-core-2.17.2.jar", "jackson-annotations-2.17.2.jar", "commons-compress-1.27.1.jar",
            "commons-io-2.19.0.jar", "commons-codec-1.18.0.jar", "commons-lang3-3.18.0.jar",
            "protobuf-java-3.25.5.jar", "protobuf-java-util-3.25.5.jar", "guava-32.1.2-jre.jar", "gson-2.8.9.jar",
            "slf4j-api-2.0.13.jar", "log4j-api-2.23.1.jar", "log4j-core-2.23.1.jar", "log4j-slf4j2-impl-2.23.1.jar");
    /** What java-instance.jar never holds: a parent-first NAR loader would take these instead of its own. */
    private static final List<String> FORBIDDEN = List.of("netty", "pulsar-client-original", "pulsar-common",
            "pulsar-functions-instance", "pulsar-functions-runtime", "grpc", "aws", "amazon", "pulsar-io-dynamodb");

    /** Reads the jar's manifest; fails if the root set is not java-instance.jar's. */
    static JavaInstanceJar read(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            String classPath = file.getManifest().getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
            if (classPath == null || file.getEntry(MAIN_CLASS.replace('.', '/') + ".class") == null) {
                throw new IllegalStateException(jar + " has no manifest Class-Path or no " + MAIN_CLASS);
            }
            List<String> rootJars = Arrays.stream(classPath.trim().split("\\s+"))
                    .map(entry -> entry.substring(entry.lastIndexOf('/') + 1)).toList();
            for (String entry : classPath.trim().split("\\s+")) {
                if (!Files.isRegularFile(jar.resolveSibling(entry))) {
                    throw new IllegalStateException(jar + " names " + entry + ", which is missing");
                }
            }
            List<String> missing = EXPECTED.stream().filter(name -> !rootJars.contains(name)).toList();
            List<String> forbidden = rootJars.stream()
                    .filter(name -> FORBIDDEN.stream().anyMatch(name::contains)).toList();
            if (!missing.isEmpty() || !forbidden.isEmpty()) {
                throw new IllegalStateException("The root class path of " + jar + " is not java-instance.jar's:"
                        + " missing " + missing + ", must not hold " + forbidden + "; it holds " + rootJars);
            }
            return new JavaInstanceJar(jar, rootJars);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + jar, e);
        }
    }

    /**
     * Checks a running instance JVM's class loaders: the connector's NAR loader is a child of the root loader
     * (java-instance.jar's set), not of Pulsar's instance loader; the libraries of that set the connector uses
     * (Jackson, protobuf, Guava, gson, SLF4J, Log4j) are the root's, none the NAR's own copy; the root holds nothing
     * of Netty, AWS or Pulsar's client.
     */
    static void assertLayoutOf(ClassLoaderTree tree) {
        ClassLoaderTree.Loader nar = tree.loaderOf("org.apache.pulsar.io.dynamodb.DynamoDBSource");
        assertThat(nar).as("the connector's loader").isNotNull();
        assertThat(nar.name()).contains("NarClassLoader");
        ClassLoaderTree.Loader root = nar.parent();
        assertThat(root.name()).as("the NAR loader's parent").startsWith("\"app\"");
        assertThat(tree.loaderOf("org.apache.pulsar.functions.runtime.JavaInstanceStarter").parent()).isSameAs(root);
        assertThat(tree.loaderOf("software.amazon.kinesis.coordinator.Scheduler")).isSameAs(nar);
        assertThat(tree.loaderOf("com.fasterxml.jackson.databind.ObjectMapper")).isSameAs(root);
        assertThat(tree.classesOf(nar, List.of("com.fasterxml.jackson.core.", "com.fasterxml.jackson.databind.",
                "com.fasterxml.jackson.annotation.", "com.google.protobuf.", "com.google.common.", "com.google.gson.",
                "org.slf4j.", "org.apache.logging."))).as("root-set classes the NAR loaded itself").isEmpty();
        assertThat(tree.classesOf(root, List.of("io.netty.", "software.amazon.", "com.amazonaws.",
                "org.apache.pulsar.client.impl.", "org.apache.pulsar.functions.instance.JavaInstanceRunnable")))
                .as("classes in the root loader that java-instance.jar does not hold").isEmpty();
    }
}
