package org.apache.pulsar.io.dynamodb.kcl;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pulsar.io.dynamodb.streamset.ActiveStream;
import software.amazon.kinesis.common.InitialPositionInStream;
import software.amazon.kinesis.common.InitialPositionInStreamExtended;
import software.amazon.kinesis.common.StreamConfig;
import software.amazon.kinesis.common.StreamIdentifier;
import software.amazon.kinesis.processor.FormerStreamsLeasesDeletionStrategy;
import software.amazon.kinesis.processor.MultiStreamTracker;

/**
 * The streams KCL reads in multi-stream mode, replaced as a whole by each pass over the tables. (The adapter's
 * tracker has a fixed list and needs commons-collections 3, which the NAR does not have.) KCL reads the list every
 * 60 s on its leader; streams are added with their leases created at once, so they need not wait for that.
 */
final class LiveStreamTracker implements MultiStreamTracker {

    private final AtomicReference<List<StreamConfig>> streams = new AtomicReference<>(List.of());

    /** Replaces the list. */
    void set(List<ActiveStream> active) {
        streams.set(active.stream().map(LiveStreamTracker::config).toList());
    }

    static StreamConfig config(ActiveStream stream) {
        return new StreamConfig(StreamIdentifier.multiStreamInstance(stream.name().identifier()),
                InitialPositionInStreamExtended.newInitialPosition(stream.position()));
    }

    @Override
    public List<StreamConfig> streamConfigList() {
        return streams.get();
    }

    /**
     * KCL's leases are deleted by the source itself: KCL's own deferred deletion races with its periodic shard
     * sync, which re-creates a finished stream's leases at TRIM_HORIZON and reads the whole stream again.
     */
    @Override
    public FormerStreamsLeasesDeletionStrategy formerStreamsLeasesDeletionStrategy() {
        return new FormerStreamsLeasesDeletionStrategy.NoLeaseDeletionStrategy();
    }

    /** A leased stream not in KCL's map: as listed if it is; else LATEST, so a stray lease reads nothing old. */
    @Override
    public StreamConfig createStreamConfig(StreamIdentifier id) {
        return streams.get().stream().filter(s -> s.streamIdentifier().equals(id)).findFirst()
                .orElse(new StreamConfig(id, InitialPositionInStreamExtended.newInitialPosition(
                        InitialPositionInStream.LATEST)));
    }
}
