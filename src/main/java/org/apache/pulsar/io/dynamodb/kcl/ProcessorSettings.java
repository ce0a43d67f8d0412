package org.apache.pulsar.io.dynamodb.kcl;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * How shard processors checkpoint and pace themselves.
 *
 * @param checkpointInterval least time between two interval checkpoints of one shard
 * @param checkpointRetries  further attempts after a checkpoint write is throttled or fails transiently
 * @param backoff            wait between those attempts
 * @param skipCreatedBefore  changes created before this are checkpointed past, never published (AT_TIMESTAMP)
 * @param shutdownAckWait    how long a graceful shutdown waits for in-flight acknowledgements
 */
public record ProcessorSettings(
        Duration checkpointInterval,
        int checkpointRetries,
        Duration backoff,
        Optional<Instant> skipCreatedBefore,
        Duration shutdownAckWait) {
}
