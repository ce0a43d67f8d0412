package org.apache.pulsar.io.dynamodb.stream;

import java.time.Instant;
import java.util.Optional;
import software.amazon.kinesis.common.InitialPositionInStream;

/**
 * Where a shard without a checkpoint starts, and which of its records are never published.
 *
 * @param initialPosition   LATEST or TRIM_HORIZON (DynamoDB Streams has no AT_TIMESTAMP iterator)
 * @param skipCreatedBefore records created before this are checkpointed past, never published
 */
public record StreamStart(InitialPositionInStream initialPosition, Optional<Instant> skipCreatedBefore) {

    /**
     * Without a snapshot: initialPositionInStream; AT_TIMESTAMP reads from the oldest record and skips what was
     * created before startAtTime.
     */
    public static StreamStart of(InitialPositionInStream configured, Optional<Instant> startAtTime) {
        if (configured == InitialPositionInStream.AT_TIMESTAMP) {
            return new StreamStart(InitialPositionInStream.TRIM_HORIZON, startAtTime);
        }
        return new StreamStart(configured, Optional.empty());
    }

    /**
     * After a snapshot: from the oldest record, skipping what was created before {@code coveredBefore} (the
     * snapshot reflects it), or before startAtTime with AT_TIMESTAMP if that is later.
     */
    public static StreamStart afterSnapshot(Instant coveredBefore, InitialPositionInStream configured,
                                            Optional<Instant> startAtTime) {
        Instant skip = coveredBefore;
        if (configured == InitialPositionInStream.AT_TIMESTAMP && startAtTime.isPresent()
                && startAtTime.get().isAfter(skip)) {
            skip = startAtTime.get();
        }
        return new StreamStart(InitialPositionInStream.TRIM_HORIZON, Optional.of(skip));
    }
}
