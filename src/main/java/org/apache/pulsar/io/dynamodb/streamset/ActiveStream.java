package org.apache.pulsar.io.dynamodb.streamset;

import software.amazon.kinesis.common.InitialPositionInStream;

/**
 * A stream the source reads.
 *
 * @param name               the stream
 * @param position           where its shards without a checkpoint start
 * @param passesWithoutLeases consecutive passes that found none of its leases (KCL deletes those of a stream that
 *                           no longer exists)
 */
public record ActiveStream(StreamName name, InitialPositionInStream position, int passesWithoutLeases) {
}
