package org.apache.pulsar.io.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * A failure that fails the source reaches Pulsar's next read(), also when it is reported on Pulsar's instance thread
 * just interrupted by a stop (a publish failed because of that interrupt): the error is not lost, and the interrupt
 * stays for the thread's next step.
 */
class DynamoDBSourceFailTest {

    @Test
    void anErrorReportedOnAnInterruptedThreadIsQueuedAndTheInterruptKept() {
        DynamoDBSource source = new DynamoDBSource();
        Thread.currentThread().interrupt();
        try {
            source.failSource(new IllegalStateException("publish failed"));
            assertThat(Thread.currentThread().isInterrupted()).as("the interrupt kept").isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThatThrownBy(source::read).isInstanceOf(IllegalStateException.class).hasMessage("publish failed");
    }

    @Test
    void anErrorThatIsNoExceptionReachesReadWrapped() {
        DynamoDBSource source = new DynamoDBSource();
        source.failSource(new AssertionError("broken"));
        assertThatThrownBy(source::read).isInstanceOf(IllegalStateException.class)
                .hasCauseInstanceOf(AssertionError.class);
    }
}
