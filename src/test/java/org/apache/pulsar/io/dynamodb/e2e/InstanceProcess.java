package org.apache.pulsar.io.dynamodb.e2e;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A source instance's JVM as a function worker's PROCESS runtime started it: a child process of the standalone that
 * hosts the worker, told apart from other processes by its command line (the launcher class, the instance's log
 * file name {@code <name>-<instanceId>} and {@code --instance_id}).
 */
record InstanceProcess(ProcessHandle handle, int instanceId, List<String> commandLine) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The live instance JVMs of the source named name among the descendants of the worker's JVM, by instance id. */
    static List<InstanceProcess> of(ChildJvm worker, String name) {
        return all(worker).stream()
                .filter(process -> process.commandLine().contains("-Dpulsar.function.log.file=" + name + "-"
                        + process.instanceId()))
                .sorted(Comparator.comparingInt(InstanceProcess::instanceId))
                .toList();
    }

    /** Every instance JVM (of any source) among the descendants of the worker's JVM. */
    static List<InstanceProcess> all(ChildJvm worker) {
        return worker.descendants().filter(ProcessHandle::isAlive)
                .map(handle -> commandLine(handle).flatMap(args -> of(handle, args)))
                .flatMap(Optional::stream).toList();
    }

    private static Optional<InstanceProcess> of(ProcessHandle handle, List<String> args) {
        int launcher = args.indexOf(JavaInstanceJar.MAIN_CLASS);
        int instance = args.indexOf("--instance_id");
        if (launcher < 0 || instance < 0 || instance + 1 >= args.size()) {
            return Optional.empty();
        }
        return Optional.of(new InstanceProcess(handle, Integer.parseInt(args.get(instance + 1)), args));
    }

    /** The full command line: /proc/PID/cmdline on Linux (never truncated), else what the JDK reports. */
    private static Optional<List<String>> commandLine(ProcessHandle handle) {
        Path cmdline = Path.of("/proc", Long.toString(handle.pid()), "cmdline");
        try {
            if (Files.isReadable(cmdline)) {
                String text = Files.readString(cmdline, StandardCharsets.UTF_8);
                return text.isEmpty() ? Optional.empty() : Optional.of(Arrays.asList(text.split("\0")));
            }
        } catch (IOException processGone) {
            return Optional.empty();
        }
        ProcessHandle.Info info = handle.info();
        return info.command().map(command -> {
            List<String> args = new java.util.ArrayList<>(List.of(command));
            info.arguments().ifPresent(more -> args.addAll(List.of(more)));
            return args;
        });
    }

    long pid() {
        return handle.pid();
    }

    /** The value after an option such as {@code -cp} or {@code --instance_id}. */
    String option(String name) {
        int at = commandLine.indexOf(name);
        return at < 0 || at + 1 >= commandLine.size() ? null : commandLine.get(at + 1);
    }

    /** The value of a {@code -Dname=value} system property on the command line. */
    String systemProperty(String name) {
        String prefix = "-D" + name + "=";
        return commandLine.stream().filter(arg -> arg.startsWith(prefix)).map(arg -> arg.substring(prefix.length()))
                .findFirst().orElse(null);
    }

    /** The source's config map as the worker handed it to this instance (in {@code --function_details}). */
    Map<String, Object> sourceConfigs() {
        String details = option("--function_details");
        if (details == null) {
            throw new IllegalStateException("no --function_details on " + commandLine);
        }
        try {
            // The PROCESS runtime wraps the JSON in single quotes; the configs are a JSON string inside it.
            JsonNode json = JSON.readTree(details.replaceAll("^'|'$", ""));
            return JSON.readValue(json.at("/source/configs").asText(), new TypeReference<Map<String, Object>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException("--function_details is not JSON: " + details, e);
        }
    }

    /** Kills the instance's JVM with SIGKILL, as the kernel's OOM killer or {@code kill -9} would. */
    void kill() {
        handle.destroyForcibly();
    }
}
