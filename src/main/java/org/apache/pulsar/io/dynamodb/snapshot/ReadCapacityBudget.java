package org.apache.pulsar.io.dynamodb.snapshot;

import java.util.function.LongSupplier;

/**
 * A token bucket of read capacity units shared by an instance's segment readers: a reader waits until the bucket is
 * not in debt, scans one page, and pays what the page consumed (known only afterwards, so the bucket may go into
 * debt by one page). Holds at most one second of capacity, so an idle spell does not allow a burst.
 */
final class ReadCapacityBudget {

    private final double unitsPerSecond;
    private final LongSupplier nanoTime;
    private double balance;
    private long lastRefillNanos;

    /**
     * @param unitsPerSecond 0 or less: no limit
     * @param nanoTime       the clock, {@code System::nanoTime} outside tests
     */
    ReadCapacityBudget(double unitsPerSecond, LongSupplier nanoTime) {
        this.unitsPerSecond = unitsPerSecond;
        this.nanoTime = nanoTime;
        this.lastRefillNanos = nanoTime.getAsLong();
        this.balance = Math.max(0, unitsPerSecond);
    }

    /** Whether the budget limits anything. */
    boolean limited() {
        return unitsPerSecond > 0;
    }

    /** Blocks until the budget is not in debt. */
    void awaitAvailable() throws InterruptedException {
        long waitNanos;
        while ((waitNanos = nanosUntilAvailable()) > 0) {
            Thread.sleep(Math.max(1, waitNanos / 1_000_000), (int) (waitNanos % 1_000_000));
        }
    }

    /** How long until the budget is out of debt; 0 when it is now. */
    synchronized long nanosUntilAvailable() {
        if (!limited()) {
            return 0;
        }
        refill();
        return balance >= 0 ? 0 : (long) Math.ceil(-balance / unitsPerSecond * 1e9);
    }

    /** Pays for what a page consumed. */
    synchronized void consume(double units) {
        if (limited()) {
            refill();
            balance -= units;
        }
    }

    private void refill() {
        long now = nanoTime.getAsLong();
        balance = Math.min(unitsPerSecond, balance + (now - lastRefillNanos) / 1e9 * unitsPerSecond);
        lastRefillNanos = now;
    }
}
