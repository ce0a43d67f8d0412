package org.apache.pulsar.io.dynamodb.kcl;

import java.util.Map;
import java.util.Set;
import org.apache.pulsar.io.dynamodb.discovery.TableState;

/**
 * Which stream of a table a tableName source reads: pure decisions on what it sees (the stream's shard ids, the
 * lease table's rows by lease key, the table). In single-stream mode lease keys are bare shard ids, so the leases of
 * a stream are those whose keys are its shards; any other lease belongs to another stream of the table.
 */
final class StreamSuccession {

    static final String SHARD_END = LeaseRows.SHARD_END;

    /** What to do about a stream that is disabled (its table's stream turned off, or the table deleted). */
    enum AtEnd {
        /** Records of it are still to be read and acknowledged. */
        READ_ON,
        /** Read to its end; the table has no enabled stream yet: wait for one. */
        WAIT,
        /** Read to its end and the table is deleted: nothing more will come. */
        FAIL,
        /** Read to its end (or another instance already reads the next stream): read the table's new stream. */
        FOLLOW
    }

    /** Where a source opening on the table's current stream starts, given the lease table. */
    enum AtOpen {
        /** No leases, or leases of the current stream: as configured (KCL resumes from the checkpoints). */
        AS_CONFIGURED,
        /** Only finished leases of an earlier stream: delete them and read the current stream from its first record. */
        FIRST_RECORD_AFTER_FINISHED,
        /** Unfinished leases of an earlier stream: read that stream to its end first, then follow. */
        FINISH_EARLIER
    }

    private StreamSuccession() {
    }

    /**
     * @param stream      the disabled stream read now
     * @param shards      its shard ids (final: it is disabled)
     * @param checkpoints the lease table: checkpoint by lease key
     * @param table       the table as DescribeTable shows it now
     */
    static AtEnd atEnd(String stream, Set<String> shards, Map<String, String> checkpoints, TableState table) {
        String next = table.stream().filter(arn -> !arn.equals(stream)).orElse(null);
        boolean nextStreamLeases = checkpoints.keySet().stream().anyMatch(key -> !shards.contains(key));
        if (next != null && nextStreamLeases) {
            // only an instance that saw this stream finished deletes its leases and creates the next one's
            return AtEnd.FOLLOW;
        }
        boolean finished = checkpoints.entrySet().stream().filter(lease -> shards.contains(lease.getKey()))
                .allMatch(lease -> SHARD_END.equals(lease.getValue()));
        if (!finished) {
            return AtEnd.READ_ON;
        }
        if (next != null) {
            return AtEnd.FOLLOW;
        }
        return table.exists() ? AtEnd.WAIT : AtEnd.FAIL;
    }

    /**
     * @param currentShards the shard ids of the table's current stream
     * @param checkpoints   the lease table: checkpoint by lease key
     */
    static AtOpen atOpen(Set<String> currentShards, Map<String, String> checkpoints) {
        if (checkpoints.isEmpty() || checkpoints.keySet().stream().anyMatch(currentShards::contains)) {
            return AtOpen.AS_CONFIGURED;
        }
        return checkpoints.values().stream().allMatch(SHARD_END::equals) ? AtOpen.FIRST_RECORD_AFTER_FINISHED
                : AtOpen.FINISH_EARLIER;
    }
}
