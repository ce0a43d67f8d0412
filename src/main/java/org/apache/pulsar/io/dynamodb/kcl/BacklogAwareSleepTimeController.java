package org.apache.pulsar.io.dynamodb.kcl;

import java.util.function.IntSupplier;
import software.amazon.kinesis.retrieval.polling.SleepTimeController;
import software.amazon.kinesis.retrieval.polling.SleepTimeControllerConfig;

/**
 * Polls again at once after a full {@code GetRecords} batch, since more records are waiting; otherwise waits as
 * the adapter does (the idle time after records, twice that after an empty poll). The adapter's own controller
 * waits after every batch, which capped a backlog drain near {@code maxRecords / pollInterval} (about 10,000
 * records/s at 100 ms) whatever the stream could give.
 */
final class BacklogAwareSleepTimeController implements SleepTimeController {

    private final SleepTimeController otherwise;
    private final IntSupplier maxRecords;

    BacklogAwareSleepTimeController(SleepTimeController otherwise, IntSupplier maxRecords) {
        this.otherwise = otherwise;
        this.maxRecords = maxRecords;
    }

    @Override
    public long getSleepTimeMillis(SleepTimeControllerConfig config) {
        Integer lastRecords = config.lastRecordsCount();
        if (lastRecords != null && lastRecords >= maxRecords.getAsInt()) {
            return 0;
        }
        return otherwise.getSleepTimeMillis(config);
    }
}
