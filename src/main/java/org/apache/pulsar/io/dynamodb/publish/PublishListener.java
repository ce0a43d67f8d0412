package org.apache.pulsar.io.dynamodb.publish;

/**
 * What an {@link OrderedPublisher} tells whoever measures it, for every reader of records (a shard, a snapshot
 * segment): called on the publishing thread and on Pulsar's acknowledgement threads, so it must be thread-safe.
 */
public interface PublishListener {

    /** Measures nothing: a publisher not yet given its reader's listener. */
    PublishListener NONE = new PublishListener() {
    };

    /** An entry joined the publisher's bookkeeping: a record (or one of its messages) created at this time. */
    default void held(long createdMillis) {
    }

    /** The oldest {@code entries} entries left the bookkeeping: acknowledged, passed over, or dropped. */
    default void released(int entries) {
    }

    /** A message handed to Pulsar for the first time. */
    default void published() {
    }

    /** A message handed to Pulsar again after a failure. */
    default void resent() {
    }

    /** Pulsar acknowledged a message. */
    default void acknowledged() {
    }

    /** Pulsar failed to publish a message. */
    default void failed() {
    }

    /** A record was not published, for this reason. */
    default void passedOver(Skip reason) {
    }
}
