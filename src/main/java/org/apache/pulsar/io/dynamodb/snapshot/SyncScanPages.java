package org.apache.pulsar.io.dynamodb.snapshot;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * Scan pages read by a synchronous DynamoDB client on the JDK's HTTP client, one thread per segment reader, which
 * reads and parses each 1 MB response itself: the async client's event loop buffered it whole first and handed it
 * over (its threads took a third of the connector's CPU in a snapshot). Owns the client and closes it.
 */
final class SyncScanPages implements ScanPages {

    private static final long CLOSE_WAIT_SECONDS = 5;

    private final DynamoDbClient dynamo;
    private final ExecutorService threads;

    /** @param readers segment readers at once, each with at most one page under way */
    SyncScanPages(DynamoDbClient dynamo, int readers, String name) {
        this.dynamo = dynamo;
        AtomicInteger count = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(Math.max(1, readers), task -> {
            Thread thread = new Thread(task, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public CompletableFuture<ScanResponse> scan(ScanRequest request) {
        return CompletableFuture.supplyAsync(() -> dynamo.scan(request), threads);
    }

    @Override
    public void close() {
        threads.shutdownNow();
        try {
            threads.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            dynamo.close();
        }
    }
}
