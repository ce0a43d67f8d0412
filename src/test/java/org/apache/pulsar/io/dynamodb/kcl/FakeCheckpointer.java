package org.apache.pulsar.io.dynamodb.kcl;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.kinesis.exceptions.KinesisClientLibDependencyException;
import software.amazon.kinesis.exceptions.ThrottlingException;
import software.amazon.kinesis.processor.Checkpointer;
import software.amazon.kinesis.processor.PreparedCheckpointer;
import software.amazon.kinesis.processor.RecordProcessorCheckpointer;

/**
 * KCL's checkpointer as the processor sees it: records every written checkpoint (a sequence number, or
 * {@link #SHARD_END} for the no-argument form) with the time it was written, and can fail the next attempts
 * transiently. Every other method is unexpected and throws.
 */
final class FakeCheckpointer implements RecordProcessorCheckpointer {

    static final String SHARD_END = "SHARD_END";

    /** A successful write: what was checkpointed and when (System.nanoTime). */
    record Write(String sequenceNumber, long nanos) { }

    private final List<Write> writes = new CopyOnWriteArrayList<>();
    private final AtomicInteger attempts = new AtomicInteger();
    private final AtomicInteger throttleNext = new AtomicInteger();
    private final AtomicInteger dependencyFailNext = new AtomicInteger();
    private final AtomicInteger unreachableNext = new AtomicInteger();
    private final AtomicInteger rejectNext = new AtomicInteger();

    /** The next {@code times} attempts throw ThrottlingException. */
    FakeCheckpointer throttleNext(int times) {
        throttleNext.set(times);
        return this;
    }

    /** The next {@code times} attempts throw KinesisClientLibDependencyException. */
    FakeCheckpointer failDependencyNext(int times) {
        dependencyFailNext.set(times);
        return this;
    }

    /**
     * The next {@code times} attempts throw what KCL throws when DynamoDB cannot be reached once the SDK's retries
     * are spent: a RuntimeException around the SDK's SdkClientException.
     */
    FakeCheckpointer unreachableNext(int times) {
        unreachableNext.set(times);
        return this;
    }

    /** The next {@code times} attempts throw a RuntimeException around a 400 answer (not a transient failure). */
    FakeCheckpointer rejectNext(int times) {
        rejectNext.set(times);
        return this;
    }

    /** Sequence numbers (or SHARD_END) successfully checkpointed, in order. */
    List<String> checkpoints() {
        return writes.stream().map(Write::sequenceNumber).toList();
    }

    List<Write> writes() {
        return List.copyOf(writes);
    }

    /** Every checkpoint call, the failed ones included. */
    int attempts() {
        return attempts.get();
    }

    private void write(String value) throws ThrottlingException, KinesisClientLibDependencyException {
        attempts.incrementAndGet();
        if (throttleNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new ThrottlingException("throttled (test)");
        }
        if (dependencyFailNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new KinesisClientLibDependencyException("lease table unavailable (test)");
        }
        if (unreachableNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new RuntimeException(SdkClientException.create(
                    "Unable to execute HTTP request: Connection refused (test) (SDK Attempt Count: 10)"));
        }
        if (rejectNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new RuntimeException(DynamoDbException.builder().message("access denied (test)").statusCode(400)
                    .build());
        }
        writes.add(new Write(value, System.nanoTime()));
    }

    @Override
    public void checkpoint() throws ThrottlingException, KinesisClientLibDependencyException {
        write(SHARD_END);
    }

    @Override
    public void checkpoint(String sequenceNumber) throws ThrottlingException, KinesisClientLibDependencyException {
        if (sequenceNumber == null) {
            throw new IllegalArgumentException("null sequence number");
        }
        write(sequenceNumber);
    }

    @Override
    public void checkpoint(Record record) {
        throw unexpected();
    }

    /** Effectively-once's checkpoint: recorded as {@code <sequence number>#<subsequence number>}. */
    @Override
    public void checkpoint(String sequenceNumber, long subSequenceNumber)
            throws ThrottlingException, KinesisClientLibDependencyException {
        write(sequenceNumber + "#" + subSequenceNumber);
    }

    @Override
    public PreparedCheckpointer prepareCheckpoint() {
        throw unexpected();
    }

    @Override
    public PreparedCheckpointer prepareCheckpoint(byte[] applicationState) {
        throw unexpected();
    }

    @Override
    public PreparedCheckpointer prepareCheckpoint(Record record) {
        throw unexpected();
    }

    @Override
    public PreparedCheckpointer prepareCheckpoint(Record record, byte[] applicationState) {
        throw unexpected();
    }

    @Override
    public PreparedCheckpointer prepareCheckpoint(String sequenceNumber) {
        throw unexpected();
    }

    @Override
    public PreparedCheckpointer prepareCheckpoint(String sequenceNumber, byte[] applicationState) {
        throw unexpected();
    }

    @Override
    public PreparedCheckpointer prepareCheckpoint(String sequenceNumber, long subSequenceNumber) {
        throw unexpected();
    }

    @Override
    public PreparedCheckpointer prepareCheckpoint(String sequenceNumber, long subSequenceNumber,
                                                  byte[] applicationState) {
        throw unexpected();
    }

    @Override
    public Checkpointer checkpointer() {
        throw unexpected();
    }

    private static UnsupportedOperationException unexpected() {
        return new UnsupportedOperationException("the processor is not expected to call this");
    }
}
