package org.apache.pulsar.io.dynamodb.streamset;

import java.time.Instant;
import java.util.Optional;

/**
 * Decides, table by table, whether its stream may be read yet (see {@link TableAdmission}): what a source with
 * snapshotMode and several tables puts between discovering a table and reading its stream.
 */
public interface TableGate {

    /** Every table is read at once, as the configuration says: snapshotMode NONE. */
    TableGate OPEN = new TableGate() {
        @Override
        public TableAdmission admit(String table, boolean readBefore) {
            return TableAdmission.OPEN;
        }

        @Override
        public Optional<Instant> skipFor(String table) {
            return Optional.empty();
        }

        @Override
        public void onChange(Runnable lookAgain) {
        }
    };

    /**
     * Called on every look at the tables for each table with an enabled stream. Never throws: a table it cannot
     * decide on yet is held.
     *
     * @param readBefore whether the lease table holds leases of any of the table's streams
     */
    TableAdmission admit(String table, boolean readBefore);

    /**
     * For a shard of the table about to be read: the time before which its records are skipped because the table's
     * snapshot covers them; empty when the table was not snapshotted. Throws when that cannot be known now (the
     * shard is then not read).
     */
    Optional<Instant> skipFor(String table);

    /** {@code lookAgain} is run when an answer changed (a snapshot completed), so that it takes effect at once. */
    void onChange(Runnable lookAgain);
}
