package org.apache.pulsar.functions.instance;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The entry point a function worker's PROCESS runtime starts in each instance JVM (it names this class on the
 * command line, with this jar alone on {@code -cp}). The application class loader, holding this jar and the set its
 * manifest lists, is the root loader: the parent of the connector's NAR. Pulsar's instance implementation runs from
 * a child loader over the class path the worker passes in {@code -Dpulsar.functions.instance.classpath}, so none of
 * it (Netty, the client implementation, gRPC...) is visible to the NAR.
 */
public final class JavaInstanceMain {

    /** The system property the PROCESS runtime sets on the instance's command line. */
    static final String INSTANCE_CLASS_PATH = "pulsar.functions.instance.classpath";
    /** Pulsar's instance starter, in pulsar-functions-runtime. */
    static final String STARTER = "org.apache.pulsar.functions.runtime.JavaInstanceStarter";

    private JavaInstanceMain() {
    }

    public static void main(String[] args) throws Throwable {
        ClassLoader root = ClassLoader.getSystemClassLoader();
        String classPath = System.getProperty(INSTANCE_CLASS_PATH);
        if (classPath == null || classPath.isBlank()) {
            throw new IllegalStateException("-D" + INSTANCE_CLASS_PATH + " is not set: the function worker passes"
                    + " the instance class path in it");
        }
        // A URLClassLoader asks its parent first: the root set wins over the instance class path's own copies.
        URLClassLoader instanceLoader = new URLClassLoader("function-instance", urls(classPath), root);
        Thread.currentThread().setContextClassLoader(instanceLoader);
        Class<?> starterClass = Class.forName(STARTER, true, instanceLoader);
        Object starter = starterClass.getConstructor().newInstance();
        try {
            // Returns when the instance is done (its spawner ended and it closed itself).
            starterClass.getMethod("start", String[].class, ClassLoader.class, ClassLoader.class)
                    .invoke(starter, args, instanceLoader, root);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** The entries of a Java class path: files, and {@code dir/*} for every jar in dir (as {@code java -cp} reads it). */
    static URL[] urls(String classPath) {
        List<URL> urls = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            if (entry.endsWith("*")) {
                Path dir = Path.of(entry.substring(0, entry.length() - 1));
                try (Stream<Path> files = Files.isDirectory(dir) ? Files.list(dir) : Stream.empty()) {
                    files.filter(file -> file.getFileName().toString().toLowerCase().endsWith(".jar")).sorted()
                            .forEach(file -> urls.add(url(file)));
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot list " + dir, e);
                }
            } else if (Files.exists(Path.of(entry))) {
                urls.add(url(Path.of(entry)));
            } else {
                System.err.println("[WARN] " + entry + " on the instance class path does not exist");
            }
        }
        return urls.toArray(URL[]::new);
    }

    private static URL url(Path file) {
        try {
            return file.toAbsolutePath().toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(file.toString(), e);
        }
    }
}
