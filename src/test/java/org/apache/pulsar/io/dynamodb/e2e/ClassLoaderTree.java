package org.apache.pulsar.io.dynamodb.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which class loader loaded which class in a live JVM, as {@code jcmd PID VM.classloaders show-classes} prints it
 * (a tree of loaders, each with the classes it defined): proof of the class loader layout a JVM actually runs with.
 */
final class ClassLoaderTree {

    /** One class loader: its name as jcmd prints it (e.g. {@code "app", ...AppClassLoader}), parent and classes. */
    record Loader(String name, Loader parent, Set<String> classes) {

        @Override
        public String toString() {
            return name + " (" + classes.size() + " classes)";
        }
    }

    private static final Pattern NODE = Pattern.compile("\\+-- (.+)$");
    private static final Pattern CLASS = Pattern.compile("^[|\\s]*(?:Classes:)?\\s*([\\w$]+(?:\\.[\\w$]+)+)");

    private final List<Loader> loaders;

    private ClassLoaderTree(List<Loader> loaders) {
        this.loaders = loaders;
    }

    /** Asks the JVM with jcmd (of the JDK this test runs on). */
    static ClassLoaderTree of(long pid) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        try {
            Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "VM.classloaders",
                    "show-classes").redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("jcmd " + pid + " VM.classloaders failed: " + output);
            }
            return parse(output);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + jcmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The tree's depth is the column of each {@code +--}; class lines belong to the loader above them. */
    static ClassLoaderTree parse(String output) {
        List<Loader> loaders = new ArrayList<>();
        Deque<Integer> columns = new ArrayDeque<>();
        Deque<Loader> path = new ArrayDeque<>();
        Loader current = null;
        for (String line : output.split("\n")) {
            Matcher node = NODE.matcher(line);
            if (node.find()) {
                int column = node.start();
                while (!columns.isEmpty() && columns.peek() >= column) {
                    columns.pop();
                    path.pop();
                }
                current = new Loader(node.group(1).trim(), path.peek(), new HashSet<>());
                columns.push(column);
                path.push(current);
                loaders.add(current);
                continue;
            }
            Matcher type = CLASS.matcher(line);
            if (current != null && type.find()) {
                current.classes().add(type.group(1));
            }
        }
        return new ClassLoaderTree(loaders);
    }

    /** The loader that defined the class, or null when no loader did (not loaded yet). */
    Loader loaderOf(String className) {
        return loaders.stream().filter(loader -> loader.classes().contains(className)).findFirst().orElse(null);
    }

    /** Every loaded class whose name starts with one of the prefixes, by loader. */
    List<String> classesOf(Loader loader, List<String> prefixes) {
        return loader.classes().stream().filter(name -> prefixes.stream().anyMatch(name::startsWith)).sorted()
                .toList();
    }
}
