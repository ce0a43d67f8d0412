package org.apache.pulsar.io.dynamodb.kcl;

import com.amazonaws.services.dynamodbv2.streamsadapter.polling.DynamoDBStreamsPollingConfig;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.kinesis.retrieval.polling.PollingConfig;
import software.amazon.kinesis.retrieval.polling.SleepTimeController;

/**
 * The adapter's polling config, with whatever sleep-time controller is set wrapped in a
 * {@link BacklogAwareSleepTimeController}. {@code StreamsSchedulerFactory.createScheduler} installs its own
 * controller over the one the caller configured, so wrapping at the setter is the one place that holds.
 */
final class BacklogAwarePollingConfig extends DynamoDBStreamsPollingConfig {

    BacklogAwarePollingConfig(KinesisAsyncClient client) {
        super(client);
    }

    @Override
    public PollingConfig sleepTimeController(SleepTimeController controller) {
        SleepTimeController wrapped = controller == null || controller instanceof BacklogAwareSleepTimeController
                ? controller : new BacklogAwareSleepTimeController(controller, this::maxRecords);
        return super.sleepTimeController(wrapped);
    }
}
