package org.apache.pulsar.io.dynamodb.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The read-capacity token bucket, on a clock the test moves. */
class ReadCapacityBudgetTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private void advance(long millis) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    @Test
    void aPageThatOverdrawsTheBudgetMakesTheNextOneWaitUntilItIsPaidBack() {
        ReadCapacityBudget budget = new ReadCapacityBudget(100, now::get);
        assertThat(budget.nanosUntilAvailable()).isZero();

        budget.consume(128);  // a 1 MB page read eventually consistent, against 100 units in the bucket
        assertThat(budget.nanosUntilAvailable()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(280));
        advance(140);
        assertThat(budget.nanosUntilAvailable()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(140));
        advance(140);
        assertThat(budget.nanosUntilAvailable()).isZero();
    }

    @Test
    void anIdleSpellBanksAtMostOneSecond() {
        ReadCapacityBudget budget = new ReadCapacityBudget(50, now::get);
        advance(60_000);

        budget.consume(50);
        assertThat(budget.nanosUntilAvailable()).isZero();
        budget.consume(50);
        assertThat(budget.nanosUntilAvailable()).isEqualTo(TimeUnit.SECONDS.toNanos(1));
    }

    @Test
    void overTimeTheRateIsTheBudget() {
        ReadCapacityBudget budget = new ReadCapacityBudget(200, now::get);
        long consumed = 0;
        long elapsedMillis = 0;
        while (elapsedMillis < 60_000) {
            long wait = budget.nanosUntilAvailable();
            now.addAndGet(wait);
            elapsedMillis += TimeUnit.NANOSECONDS.toMillis(wait) + 10;
            advance(10);  // the Scan itself
            budget.consume(37.5);
            consumed += 37.5;
        }
        assertThat(consumed / 60.0).isBetween(200.0, 205.0);
    }

    @Test
    void zeroMeansNoLimit() throws Exception {
        ReadCapacityBudget budget = new ReadCapacityBudget(0, now::get);
        budget.consume(1_000_000);

        assertThat(budget.limited()).isFalse();
        assertThat(budget.nanosUntilAvailable()).isZero();
        budget.awaitAvailable();
    }
}
