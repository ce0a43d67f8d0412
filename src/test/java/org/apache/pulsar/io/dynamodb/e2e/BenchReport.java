package org.apache.pulsar.io.dynamodb.e2e;

/** Where a benchmark scenario kept in its own class sends its progress lines, result rows and notes. */
interface BenchReport {

    void say(String line);

    void row(String scenario, String result, String target, String verdict);

    /** A line under the results table (a breakdown too long for a row). */
    void note(String line);
}
