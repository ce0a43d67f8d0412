package org.apache.pulsar.io.dynamodb.e2e;

/**
 * One Pulsar standalone for the end-to-end test classes of a JVM (Failsafe runs them in two, each with its own broker):
 * started by the first class that asks, stopped when the JVM exits. Each class uses its own topics; a class may stop
 * and start the broker again (FaultToleranceIT's outage) as long as it leaves it running.
 */
final class SharedPulsar {

    private static PulsarStandalone pulsar;

    private SharedPulsar() {
    }

    /**
     * The broker, started (not yet necessarily ready: {@link PulsarStandalone#awaitReady}); logs in
     * e2e/pulsar-&lt;this JVM's pid&gt;, one folder a JVM.
     */
    static synchronized PulsarStandalone get(PulsarRuntime runtime) {
        if (pulsar == null) {
            PulsarStandalone started = PulsarStandalone.start(runtime,
                    runtime.workDir().resolve("pulsar-" + ProcessHandle.current().pid()));
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "stop-shared-pulsar"));
            pulsar = started;
        }
        return pulsar;
    }
}
