package org.apache.pulsar.io.dynamodb.kcl;

import com.amazonaws.services.dynamodbv2.streamsadapter.model.DynamoDBStreamsProcessRecordsInput;
import com.amazonaws.services.dynamodbv2.streamsadapter.processor.DynamoDBStreamsShardRecordProcessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.kinesis.lifecycle.events.InitializationInput;
import software.amazon.kinesis.lifecycle.events.LeaseLostInput;
import software.amazon.kinesis.lifecycle.events.ShardEndedInput;
import software.amazon.kinesis.lifecycle.events.ShutdownRequestedInput;

/**
 * The processor of a shard whose table may not be read now (its snapshot runs): publishes nothing and checkpoints
 * nothing, so the shard is read again from where it was once the table may be. KCL gives a worker such a shard only
 * through a lease left over while the table is held, and the source deletes those; a factory that threw instead
 * would stop KCL's whole dispatch loop, every other table's shards with it.
 */
final class HeldShard implements DynamoDBStreamsShardRecordProcessor {

    private static final Logger log = LoggerFactory.getLogger(HeldShard.class);

    private final String table;
    private final String why;

    HeldShard(String table, String why) {
        this.table = table;
        this.why = why;
    }

    @Override
    public void initialize(InitializationInput input) {
        log.info("Table {}: shard {} is not read now ({}); its records are left for later", table, input.shardId(),
                why);
    }

    @Override
    public void processRecords(DynamoDBStreamsProcessRecordsInput input) {
        // nothing published, nothing checkpointed
    }

    @Override
    public void leaseLost(LeaseLostInput input) {
        // nothing to hand over
    }

    @Override
    public void shardEnded(ShardEndedInput input) {
        // not checkpointed at SHARD_END: the shard's records are still to be read
    }

    @Override
    public void shutdownRequested(ShutdownRequestedInput input) {
        // nothing to checkpoint
    }
}
