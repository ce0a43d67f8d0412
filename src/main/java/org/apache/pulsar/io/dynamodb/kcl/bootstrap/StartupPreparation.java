package org.apache.pulsar.io.dynamodb.kcl.bootstrap;

/**
 * Gets ready, before a KCL scheduler runs, what it would otherwise wait for at start-up: its tables and their index
 * ACTIVE, the stream's leases in the lease table, and this worker's row in the worker metrics table.
 */
public interface StartupPreparation {

    /**
     * Returns once the scheduler can start without its start-up waits. Idempotent, and safe to run from several
     * workers of one application at once. Interrupting the calling thread abandons it.
     */
    void prepare() throws InterruptedException;
}
