package org.apache.pulsar.io.dynamodb.kcl;

import java.util.concurrent.CompletableFuture;
import org.apache.pulsar.io.dynamodb.stream.ChangeStream;

/** A KCL change stream that can be started ahead of the source's checks and run only once they pass. */
public interface GatedChangeStream extends ChangeStream {

    /**
     * Starts once {@code go} completes normally, never if it fails: reads KCL's tables meanwhile (the source checks
     * the stream), creates tables and leases and runs KCL only after it.
     */
    void startWhen(CompletableFuture<Void> go);
}
