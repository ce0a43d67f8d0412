package org.apache.pulsar.io.dynamodb.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** One Markdown table row per fault test, printed and appended to {@code target/fault-report.md}. */
final class FaultReport {

    private static final String HEADER = "| test | workload | faults injected | changes written | missing"
            + " | duplicates | duplicate bound | took |\n|---|---|---|---|---|---|---|---|\n";

    private FaultReport() {
    }

    /** A row written by the test itself, in the same table. */
    static void addRow(Path file, String row) {
        System.out.println("FAULT REPORT " + row);
        append(file, row + "\n");
    }

    static void add(Path file, String test, String workload, String faults, StreamAudit.Result result,
                    long duplicateBound, long seconds) {
        String row = "| " + test + " | " + workload + " | " + faults + " | " + result.written() + " | "
                + result.missing() + " | " + result.duplicates() + " | " + duplicateBound + " | " + seconds
                + " s |\n";
        System.out.print("FAULT REPORT " + row);
        append(file, row);
    }

    private static void append(Path file, String row) {
        try {
            if (!Files.exists(file)) {
                Files.writeString(file, HEADER, StandardCharsets.UTF_8);
            }
            Files.writeString(file, row, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
