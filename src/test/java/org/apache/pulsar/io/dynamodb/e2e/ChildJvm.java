package org.apache.pulsar.io.dynamodb.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A JVM started as a child process with the Pulsar runtime's class path, its output going to a log file. Every
 * child still alive when this JVM exits (normally, on an error or on Ctrl-C) is stopped by a shutdown hook.
 */
final class ChildJvm implements AutoCloseable {

    private static final Set<ChildJvm> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (ChildJvm child : List.copyOf(LIVE)) {
                child.stop(Duration.ofSeconds(20));
            }
        }, "e2e-child-reaper"));
    }

    // What Pulsar's own launch scripts open up on Java 17.
    private static final List<String> PULSAR_JVM_OPTIONS = List.of(
            "--add-opens", "java.base/java.io=ALL-UNNAMED",
            "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
            "--add-opens", "java.base/sun.net=ALL-UNNAMED",
            "--add-opens", "java.base/java.nio=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.platform=ALL-UNNAMED",
            "--add-opens", "java.management/sun.management=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "-Dio.netty.tryReflectionSetAccessible=true",
            "-Djava.net.preferIPv4Stack=true");

    private final String name;
    private final Process process;
    private final Path log;

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /** Starts {@code mainClass} with the Pulsar runtime class path; jvmOptions go before the class name. */
    static ChildJvm start(String name, PulsarRuntime runtime, List<String> jvmOptions, String mainClass,
                          List<String> args, Path log) {
        return start(name, runtime, jvmOptions, mainClass, args, log, null);
    }

    /** As {@link #start(String, PulsarRuntime, List, String, List, Path)}, in workDir (null: this JVM's). */
    static ChildJvm start(String name, PulsarRuntime runtime, List<String> jvmOptions, String mainClass,
                          List<String> args, Path log, Path workDir) {
        try {
            Files.createDirectories(log.getParent());
            Path tmp = Files.createDirectories(runtime.workDir().resolve("tmp"));
            // An argument file keeps the long class path off the command line (Windows caps it at 32k).
            Path argFile = log.resolveSibling(log.getFileName() + ".args");
            Files.writeString(argFile, "-cp " + quote(runtime.classPath()) + "\n", StandardCharsets.UTF_8);
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.add("@" + argFile);
            command.addAll(PULSAR_JVM_OPTIONS);
            command.add("-Djava.io.tmpdir=" + tmp);
            command.add("-Dlog4j2.configurationFile=" + runtime.logConfig());
            command.addAll(jvmOptions);
            command.add(mainClass);
            command.addAll(args);
            ProcessBuilder builder = new ProcessBuilder(command);
            if (workDir != null) {
                builder.directory(Files.createDirectories(workDir).toFile());
            }
            // A function worker's PROCESS runtime starts its instances with `java` from the PATH: this JDK's.
            Path javaBin = Path.of(System.getProperty("java.home"), "bin");
            builder.environment().merge("PATH", javaBin.toString(),
                    (path, jdk) -> jdk + java.io.File.pathSeparator + path);
            Process process = builder
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()))
                    .start();
            ChildJvm child = new ChildJvm(name, process, log);
            LIVE.add(child);
            return child;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name, e);
        }
    }

    private static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    String name() {
        return name;
    }

    Path log() {
        return log;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The processes this JVM started, and theirs. */
    java.util.stream.Stream<ProcessHandle> descendants() {
        return process.descendants();
    }

    /** The log so far; empty when there is none yet. */
    String logText() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** The last lines of the log, for failure messages. */
    String logTail(int lines) {
        List<String> all = logText().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /**
     * Stops the process as Ctrl-C or {@code kill} would (its shutdown hooks run), then forcibly after the grace
     * period. Returns the exit code, or -1 when it had to be killed. Processes it started (a function worker's
     * instances) that outlive it are killed.
     */
    int stop(Duration grace) {
        List<ProcessHandle> children = process.descendants().toList();
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                    return -1;
                }
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            return -1;
        } finally {
            children.forEach(ProcessHandle::destroyForcibly);
            LIVE.remove(this);
        }
    }

    /** Kills the process at once, as {@code kill -9} does (no shutdown hooks), and any it started; its exit code. */
    int kill() {
        List<ProcessHandle> children = process.descendants().toList();
        try {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            return process.isAlive() ? -1 : process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        } finally {
            children.forEach(ProcessHandle::destroyForcibly);
            LIVE.remove(this);
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(30));
    }
}
