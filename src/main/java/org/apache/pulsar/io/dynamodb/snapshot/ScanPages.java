package org.apache.pulsar.io.dynamodb.snapshot;

import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/** Reads Scan pages in the background, so that a segment reader publishes one page while the next one is read. */
interface ScanPages extends AutoCloseable {

    /** Starts reading the page; the future fails with the SDK's exception when the Scan does. */
    CompletableFuture<ScanResponse> scan(ScanRequest request);

    /** Stops reading: pages under way fail or are dropped. */
    @Override
    void close();
}
