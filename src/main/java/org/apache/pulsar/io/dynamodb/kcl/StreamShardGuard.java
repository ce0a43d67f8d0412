package org.apache.pulsar.io.dynamodb.kcl;

import com.amazonaws.services.dynamodbv2.streamsadapter.model.DynamoDBStreamsProcessRecordsInput;
import com.amazonaws.services.dynamodbv2.streamsadapter.processor.DynamoDBStreamsShardRecordProcessor;
import software.amazon.kinesis.lifecycle.events.InitializationInput;
import software.amazon.kinesis.lifecycle.events.LeaseLostInput;
import software.amazon.kinesis.lifecycle.events.ShardEndedInput;
import software.amazon.kinesis.lifecycle.events.ShutdownRequestedInput;

/**
 * Keeps a scheduler on a finished stream off the leases of the table's next stream. Lease keys are bare shard ids, so
 * once another instance follows the table to its new stream, KCL may hand this instance (still on the old ARN) a new
 * shard's lease; the adapter would find no such shard in the old stream, take it as ended and checkpoint SHARD_END,
 * and the shard would never be read. Refused here, before anything is read: KCL retries the lease's initialisation
 * until this instance follows too (looked at at once) and the lease is read on the right stream.
 */
final class StreamShardGuard implements DynamoDBStreamsShardRecordProcessor {

    private final DynamoDBStreamsShardRecordProcessor processor;
    private final StreamShards shards;
    private final Runnable lookNow;
    private volatile boolean refused;

    StreamShardGuard(DynamoDBStreamsShardRecordProcessor processor, StreamShards shards, Runnable lookNow) {
        this.processor = processor;
        this.shards = shards;
        this.lookNow = lookNow;
    }

    @Override
    public void initialize(InitializationInput input) {
        refused = !shards.mayHold(input.shardId());
        if (refused) {
            lookNow.run();
            throw new IllegalStateException("Shard " + input.shardId() + " is not a shard of disabled stream "
                    + shards.streamArn() + ": its lease belongs to the table's next stream, which another instance "
                    + "reads already; this instance follows it in a moment");
        }
        processor.initialize(input);
    }

    @Override
    public void processRecords(DynamoDBStreamsProcessRecordsInput input) {
        processor.processRecords(input);
    }

    @Override
    public void leaseLost(LeaseLostInput input) {
        processor.leaseLost(input);
    }

    @Override
    public void shardEnded(ShardEndedInput input) {
        if (!refused) {  // a refused shard is never checkpointed here, least of all at SHARD_END
            processor.shardEnded(input);
        }
    }

    @Override
    public void shutdownRequested(ShutdownRequestedInput input) {
        processor.shutdownRequested(input);
    }
}
