package org.apache.pulsar.io.dynamodb.e2e;

import java.util.List;
import org.apache.pulsar.client.api.PulsarClient;

/**
 * What a benchmark scenario kept in a class of its own runs on: the Pulsar runtime and broker, a client of it, the
 * connector JVM's options, and where its results go.
 */
record BenchSetup(PulsarRuntime runtime, PulsarStandalone pulsar, PulsarClient client, List<String> jvmOptions,
                  BenchReport report) {
}
