package org.apache.pulsar.io.dynamodb.config;

/** What a message's value is made of. */
public enum OutputFormat {
    /** The builtin connector's JSON of the stream record, typed attribute values: byte for byte its value. */
    DYNAMODB_JSON,
    /** The item itself (the new image) as plain JSON; a REMOVE is a tombstone (the key, an empty value). */
    DOCUMENT,
    /** A change envelope: op, before, after, keys, source, ts_ms; a REMOVE may be followed by a tombstone. */
    ENVELOPE
}
