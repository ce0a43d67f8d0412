package org.apache.pulsar.io.dynamodb.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the pieces of an end-to-end run are: the connector's NAR, the class path of the Pulsar side (a standalone
 * broker and the LocalRunner, resolved by src/e2e/pulsar-runtime apart from the connector's own dependencies) and
 * a work folder. Set by the build through the system properties e2e.nar, e2e.classpathFile and e2e.dir.
 */
final class PulsarRuntime {

    private final Path nar;
    private final String classPath;
    private final Path workDir;
    private final Path logConfig;

    private PulsarRuntime(Path nar, String classPath, Path workDir, Path logConfig) {
        this.nar = nar;
        this.classPath = classPath;
        this.workDir = workDir;
        this.logConfig = logConfig;
    }

    static PulsarRuntime fromSystemProperties() {
        Path nar = Path.of(required("e2e.nar"));
        Path classPathFile = Path.of(required("e2e.classpathFile"));
        Path workDir = Path.of(required("e2e.dir"));
        if (!Files.isRegularFile(nar)) {
            throw new IllegalStateException("The connector NAR " + nar + " is missing: build it with mvn package");
        }
        if (!Files.isRegularFile(classPathFile)) {
            throw new IllegalStateException("The Pulsar runtime class path " + classPathFile + " is missing: it is"
                    + " written in the pre-integration-test phase (mvn verify)");
        }
        try {
            String classPath = Files.readString(classPathFile, StandardCharsets.UTF_8).trim();
            // The NAR class loader asks its parent first: the connector or its AWS stack on this class path would
            // shadow what the NAR bundles, and the NAR would not be what is tested.
            for (String entry : classPath.split(java.io.File.pathSeparator)) {
                String file = Path.of(entry).getFileName().toString();
                if (!entry.endsWith(".jar") || file.startsWith("pulsar-io-dynamodb")
                        || entry.contains("software" + java.io.File.separator + "amazon")
                        || entry.contains("com" + java.io.File.separator + "amazonaws")) {
                    throw new IllegalStateException("The Pulsar runtime class path must not hold the connector or"
                            + " its AWS dependencies, but has " + entry);
                }
            }
            Files.createDirectories(workDir);
            return new PulsarRuntime(nar.toAbsolutePath(), classPath, workDir.toAbsolutePath(),
                    testResource("/e2e/log4j2-child.xml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("System property " + property + " is not set: run through Maven"
                    + " (mvn verify, or mvn -Pquickstart verify)");
        }
        return value;
    }

    /** A file of the test class path, e.g. a log configuration a child process reads. */
    static Path testResource(String name) {
        URL url = PulsarRuntime.class.getResource(name);
        if (url == null) {
            throw new IllegalStateException(name + " is not on the test class path");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    Path nar() {
        return nar;
    }

    /**
     * The stand-in for Pulsar's java-instance.jar that src/e2e/java-instance builds (system property
     * e2e.javaInstanceJar): what a function worker's PROCESS runtime puts on each instance's class path.
     */
    static Path javaInstanceJar() {
        Path jar = Path.of(required("e2e.javaInstanceJar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("The java-instance jar " + jar + " is missing: it is built in the"
                    + " pre-integration-test phase (mvn verify)");
        }
        return jar.toAbsolutePath();
    }

    String classPath() {
        return classPath;
    }

    List<String> classPathEntries() {
        return List.of(classPath.split(java.io.File.pathSeparator));
    }

    Path workDir() {
        return workDir;
    }

    Path logConfig() {
        return logConfig;
    }

    /** Deletes a work folder and everything in it, if it exists (a run starts from a clean folder). */
    static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    /** A port free on the loopback interface right now. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
