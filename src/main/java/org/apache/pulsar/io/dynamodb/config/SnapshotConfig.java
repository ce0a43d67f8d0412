package org.apache.pulsar.io.dynamodb.config;

import java.util.List;
import org.apache.pulsar.io.core.annotations.FieldDoc;

/** Whether and how the table's items are read before its stream: validated and immutable. */
public final class SnapshotConfig {

    /** This concern's config keys, in declaration order. */
    public static final List<String> KEYS = FieldDocs.keys(SnapshotConfig.class);

    /** DynamoDB accepts up to 1,000,000; more than a thousand would only multiply the progress rows and threads. */
    static final int MAX_SEGMENTS = 1_000;
    static final long MAX_READ_CAPACITY = 10_000_000;

    @FieldDoc(required = false, defaultValue = "NONE",
            help = "NONE: publish changes only. INITIAL: first publish every item of the table (a parallel Scan, "
                    + "resumable, shared by the source's instances), then its changes; once complete, never again. "
                    + "WHEN_NEEDED: as INITIAL, and again when the stream can no longer continue from the "
                    + "checkpoints (records past the stream's 24-hour retention)")
    private final SnapshotMode snapshotMode;

    @FieldDoc(required = false, defaultValue = "8",
            help = "Segments of the snapshot's parallel Scan (1 to 1000): segments are read at once by the source's "
                    + "instances (up to 16 per instance), and a restart or takeover redoes at most the pages in "
                    + "flight of each")
    private final int snapshotSegments;

    @FieldDoc(required = false, defaultValue = "1000",
            help = "Read capacity units per second the snapshot may consume, shared by the instances, so that it "
                    + "cannot starve the table's own readers (1000 is about 8 MB/s eventually consistent); throttling "
                    + "is retried. 0: no limit")
    private final long snapshotReadCapacityPerSecond;

    @FieldDoc(required = false, defaultValue = "false",
            help = "Read the snapshot with strongly consistent Scans (twice the read capacity per item)")
    private final boolean snapshotConsistentRead;

    private SnapshotConfig(SnapshotMode mode, int segments, long readCapacity, boolean consistentRead) {
        this.snapshotMode = mode;
        this.snapshotSegments = segments;
        this.snapshotReadCapacityPerSecond = readCapacity;
        this.snapshotConsistentRead = consistentRead;
    }

    /** Reads and checks this concern's keys; problems go to the reader as one-line errors. */
    public static SnapshotConfig read(ConfigReader in) {
        SnapshotMode mode = in.enumValue("snapshotMode", SnapshotMode.class, SnapshotMode.NONE);
        int segments = (int) in.longValue("snapshotSegments", 8, 1, MAX_SEGMENTS,
                "a whole number from 1 to " + MAX_SEGMENTS);
        long readCapacity = in.longValue("snapshotReadCapacityPerSecond", 1_000, 0, MAX_READ_CAPACITY,
                "a whole number of read capacity units from 0 (no limit) to " + MAX_READ_CAPACITY);
        boolean consistentRead = in.booleanValue("snapshotConsistentRead").orElse(false);
        return new SnapshotConfig(mode, segments, readCapacity, consistentRead);
    }

    public SnapshotMode mode() {
        return snapshotMode;
    }

    /** Whether a snapshot may be read at all (INITIAL or WHEN_NEEDED). */
    public boolean enabled() {
        return snapshotMode != SnapshotMode.NONE;
    }

    public int segments() {
        return snapshotSegments;
    }

    /** Read capacity units per second for all instances together; 0 means no limit. */
    public long readCapacityPerSecond() {
        return snapshotReadCapacityPerSecond;
    }

    public boolean consistentRead() {
        return snapshotConsistentRead;
    }
}
