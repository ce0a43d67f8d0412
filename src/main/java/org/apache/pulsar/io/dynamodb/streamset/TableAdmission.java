package org.apache.pulsar.io.dynamodb.streamset;

import java.time.Instant;
import java.util.Optional;

/**
 * Whether a table's current stream may be read yet: a table is held back while its snapshot runs, so that none of
 * its stream records reaches Pulsar before the last snapshot copy; once snapshotted, its streams are read from
 * their first record, skipping what the snapshot covers.
 *
 * @param held              not read yet (its snapshot is not complete)
 * @param skipCreatedBefore when present: the table was snapshotted; its new streams start at TRIM_HORIZON and
 *                          records created before this are checkpointed past, never published
 */
public record TableAdmission(boolean held, Optional<Instant> skipCreatedBefore) {

    /** Read as the configuration says: no snapshot involved. */
    public static final TableAdmission OPEN = new TableAdmission(false, Optional.empty());

    /** Waiting for the table's snapshot. */
    public static final TableAdmission HELD = new TableAdmission(true, Optional.empty());

    /** Snapshotted: read from the oldest record, skipping those created before {@code coveredBefore}. */
    public static TableAdmission afterSnapshot(Instant coveredBefore) {
        return new TableAdmission(false, Optional.of(coveredBefore));
    }
}
