package org.apache.pulsar.io.dynamodb.exactlyonce;

import java.util.function.BooleanSupplier;
import org.apache.pulsar.io.dynamodb.convert.RecordOrigin;

/**
 * How the source's readers number their messages for the broker's deduplication: not at all (at-least-once, the
 * default) or, with Pulsar's EFFECTIVELY_ONCE guarantee, one producer name per shard or snapshot segment and
 * increasing sequence ids ({@link EffectivelyOnce}).
 */
public interface Sequencing {

    /** At-least-once: records carry no partition id and no sequence; nothing changes. */
    Sequencing AT_LEAST_ONCE = new Sequencing() {
        @Override
        public ReaderSequence forShard(RecordOrigin shard, String checkpointSequenceNumber,
                                       long checkpointSubsequence, BooleanSupplier stopping) {
            return ReaderSequence.UNSEQUENCED;
        }

        @Override
        public ReaderSequence forSegment(RecordOrigin table, long generation, int segment, BooleanSupplier stopping) {
            return ReaderSequence.UNSEQUENCED;
        }
    };

    /**
     * The sequence of a shard being taken (start, restart, handoff), from its checkpoint. Effectively-once waits
     * here until the previous owner's producer is gone and asks the broker what it holds, before any record of the
     * shard is published.
     *
     * @param shard                   the stream and the shard
     * @param checkpointSequenceNumber KCL's checkpoint: a sequence number, or a sentinel such as TRIM_HORIZON
     * @param checkpointSubsequence   the checkpoint's subsequence number (effectively-once: the record number)
     */
    ReaderSequence forShard(RecordOrigin shard, String checkpointSequenceNumber, long checkpointSubsequence,
                            BooleanSupplier stopping) throws InterruptedException;

    /** The sequence of a snapshot segment being taken. */
    ReaderSequence forSegment(RecordOrigin table, long generation, int segment, BooleanSupplier stopping)
            throws InterruptedException;
}
