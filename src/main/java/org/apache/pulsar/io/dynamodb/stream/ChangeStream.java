package org.apache.pulsar.io.dynamodb.stream;

/** Where change records come from: started once by the source, closed once when it closes. */
public interface ChangeStream extends AutoCloseable {

    /** Starts delivering records to the sink given at construction; returns without waiting for the first. */
    void start();

    /** Stops reading, checkpoints what Pulsar acknowledged, releases leases and clients; bounded in time. */
    @Override
    void close();
}
