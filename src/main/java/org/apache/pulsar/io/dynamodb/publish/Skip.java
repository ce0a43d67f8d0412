package org.apache.pulsar.io.dynamodb.publish;

/** Whether a record is published, and if not why: the reason is counted, the record passed in its turn. */
public enum Skip {
    /** Published. */
    NO,
    /** Created before the start: startAtTime (AT_TIMESTAMP), or a snapshot's T0 minus its margin. */
    BEFORE_START,
    /** Left out by eventNames or filterCriteria. */
    FILTERED
}
