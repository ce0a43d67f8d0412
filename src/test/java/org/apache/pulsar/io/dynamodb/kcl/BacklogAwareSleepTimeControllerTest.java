package org.apache.pulsar.io.dynamodb.kcl;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.dynamodbv2.streamsadapter.DynamoDBStreamsSleepTimeController;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import software.amazon.kinesis.retrieval.polling.SleepTimeControllerConfig;

class BacklogAwareSleepTimeControllerTest {

    private final BacklogAwareSleepTimeController controller =
            new BacklogAwareSleepTimeController(new DynamoDBStreamsSleepTimeController(), () -> 1000);

    private static SleepTimeControllerConfig lastPoll(Integer records) {
        return SleepTimeControllerConfig.builder().idleMillisBetweenCalls(100).lastSuccessfulCall(Instant.now())
                .lastRecordsCount(records).build();
    }

    @Test
    void pollsAgainAtOnceAfterAFullBatch() {
        assertThat(controller.getSleepTimeMillis(lastPoll(1000))).isZero();
    }

    @Test
    void pollingConfigKeepsTheFullBatchRuleWhenTheAdapterReplacesTheController() {
        BacklogAwarePollingConfig config = new BacklogAwarePollingConfig(null);
        config.maxRecords(1000);
        config.sleepTimeController(new DynamoDBStreamsSleepTimeController()); // as StreamsSchedulerFactory does
        assertThat(config.sleepTimeController().getSleepTimeMillis(lastPoll(1000))).isZero();
        assertThat(config.sleepTimeController().getSleepTimeMillis(lastPoll(10))).isPositive();
    }

    @Test
    void waitsThePollIntervalAfterAPartialBatchAndTwiceItAfterAnEmptyOne() {
        assertThat(controller.getSleepTimeMillis(lastPoll(999))).isBetween(50L, 100L);
        assertThat(controller.getSleepTimeMillis(lastPoll(0))).isBetween(150L, 200L);
    }
}
