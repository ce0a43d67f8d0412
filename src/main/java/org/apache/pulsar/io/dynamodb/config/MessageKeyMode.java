package org.apache.pulsar.io.dynamodb.config;

/** What a Pulsar message's key is made of. */
public enum MessageKeyMode {
    /** The item's primary key: the same item always gets the same key, so per-item order survives Key_Shared and compaction. */
    PRIMARY_KEY,
    /** The stream record's eventID, as the builtin connector does: random per change. */
    EVENT_ID
}
