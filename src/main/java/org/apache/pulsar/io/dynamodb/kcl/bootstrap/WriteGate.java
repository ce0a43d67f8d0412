package org.apache.pulsar.io.dynamodb.kcl.bootstrap;

/**
 * Returns when the preparation may create tables and leases: once the source has checked the stream, so that a
 * misconfigured stream never leaves KCL tables behind.
 */
@FunctionalInterface
public interface WriteGate {

    /** Waits; an IllegalStateException when the check failed, and nothing is to be created. */
    void await() throws InterruptedException;

    /** No wait. */
    WriteGate OPEN = () -> { };
}
