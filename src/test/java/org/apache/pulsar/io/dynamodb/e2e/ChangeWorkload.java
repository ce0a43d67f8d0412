package org.apache.pulsar.io.dynamodb.e2e;

import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A continuous write load on one table: inserts, updates and deletes over a fixed set of items, at a bounded rate,
 * from one thread (so each item's changes are written in order). A failed write (DynamoDB down) is retried until it
 * succeeds; whether a failed attempt reached the table or not, the stream is the ground truth, not these counts.
 */
final class ChangeWorkload implements AutoCloseable {

    private static final Duration RETRY_PAUSE = Duration.ofMillis(200);

    private final DynamoDbClient client;
    private final String table;
    private final int items;
    private final int target;
    private final int ratePerSecond;
    private final Random random;
    private final boolean[] present;
    private final AtomicInteger written = new AtomicInteger();
    private final AtomicInteger failedAttempts = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean stopped;
    /** How many changes the writer writes in all: its target, or fewer once {@link #endAfter} was called. */
    private volatile int limit;

    /** Writes {@code target} changes over {@code items} items at about {@code ratePerSecond}. */
    ChangeWorkload(DynamoDbClient client, String table, int items, int target, int ratePerSecond, long seed) {
        this.client = client;
        this.table = table;
        this.items = items;
        this.target = target;
        this.limit = target;
        this.ratePerSecond = ratePerSecond;
        this.random = new Random(seed);
        this.present = new boolean[items];
        this.thread = new Thread(this::run, "workload-" + table);
        this.thread.setDaemon(true);
    }

    ChangeWorkload start() {
        thread.start();
        return this;
    }

    private void run() {
        long startNanos = System.nanoTime();
        try {
            for (int n = 0; n < limit && !stopped; n++) {
                long due = startNanos + TimeUnit.SECONDS.toNanos(n) / ratePerSecond;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                int item = random.nextInt(items);
                double op = random.nextDouble();
                while (!stopped) {
                    try {
                        write(item, op, n);
                        written.incrementAndGet();
                        break;
                    } catch (RuntimeException e) {
                        failedAttempts.incrementAndGet();
                        Thread.sleep(RETRY_PAUSE.toMillis());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            failure.set(e);
        }
    }

    /** An absent item is inserted; a present one updated (in place or replaced) or, one time in five, deleted. */
    private void write(int item, double op, int n) {
        String id = "item" + item;
        Map<String, AttributeValue> key = Map.of("id", AttributeValue.fromS(id));
        if (!present[item] || op < 0.25) {
            client.putItem(b -> b.tableName(table).item(Map.of("id", AttributeValue.fromS(id),
                    "n", AttributeValue.fromN(Integer.toString(n)), "payload", AttributeValue.fromS("p" + n))));
            present[item] = true;
        } else if (op < 0.8) {
            client.updateItem(b -> b.tableName(table).key(key)
                    .updateExpression("SET n = :n ADD updates :one")
                    .expressionAttributeValues(Map.of(":n", AttributeValue.fromN(Integer.toString(n)),
                            ":one", AttributeValue.fromN("1"))));
        } else {
            client.deleteItem(b -> b.tableName(table).key(key));
            present[item] = false;
        }
    }

    /** Writes that succeeded. */
    int written() {
        return written.get();
    }

    /** Attempts that failed and were retried. */
    int failedAttempts() {
        return failedAttempts.get();
    }

    boolean done() {
        return !thread.isAlive();
    }

    /**
     * Ends the load {@code more} changes from now (never past its target), at the same rate: a test ends it once its
     * faults are over and what it checks happened under load, instead of writing for a fixed time.
     */
    void endAfter(int more) {
        limit = Math.min(limit, written() + more);
    }

    /** Waits until the writer has written {@code changes} changes (or is done). */
    void awaitWritten(int changes) {
        Awaitility.await("the writer at " + changes + " changes").atMost(Duration.ofMinutes(5))
                .pollInterval(Duration.ofMillis(200)).until(() -> written() >= changes || done());
    }

    /** Waits for the writer to finish its target; fails if it failed. */
    void awaitDone(Duration timeout) throws InterruptedException {
        thread.join(timeout.toMillis());
        if (thread.isAlive()) {
            throw new IllegalStateException("the workload wrote only " + written() + " of " + limit
                    + " changes in " + timeout);
        }
        if (failure.get() != null) {
            throw new IllegalStateException("the workload failed", failure.get());
        }
    }

    String describe() {
        return limit + " writes (put/update/delete) over " + items + " items at " + ratePerSecond + "/s"
                + (failedAttempts() > 0 ? ", " + failedAttempts() + " failed attempts retried" : "");
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.interrupt();
        thread.join(10_000);
    }
}
