package org.apache.pulsar.io.dynamodb.metrics;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.functions.api.Record;
import org.apache.pulsar.io.dynamodb.convert.ChangeRecord;
import org.apache.pulsar.io.dynamodb.convert.ConversionBenchmark;
import org.apache.pulsar.io.dynamodb.convert.RecordConverter;
import org.apache.pulsar.io.dynamodb.publish.OrderedPublisher;
import org.apache.pulsar.io.dynamodb.publish.PublishContext;
import org.apache.pulsar.io.dynamodb.publish.PublishListener;
import org.apache.pulsar.io.dynamodb.publish.Skip;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * JMH: what the metrics cost per record. One record published through a shard's {@link OrderedPublisher} and
 * acknowledged at once (permit, checkpoint bookkeeping, hand-over, acknowledgement), without metrics
 * ({@link PublishListener#NONE}) and with a shard's {@link ShardMetrics} (counters and the lag's held-record runs) as
 * its listener. Conversion is left out (its result is fixed) so that the difference is the metrics' alone; the
 * reporter's read every metricsReportInterval is not per record. Run by {@code ./bench.sh metrics}, which also runs
 * {@link #cpuNanosPerRecord}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PublishMetricsBenchmark {

    private static final software.amazon.awssdk.services.dynamodb.model.Record RECORD =
            ConversionBenchmark.sampleRecord();
    private static final String SEQUENCE_NUMBER = RECORD.dynamodb().sequenceNumber();

    private Record<byte[]> handedOver;
    private final OrderedPublisher withoutMetrics = publisher(PublishListener.NONE);
    private final OrderedPublisher withMetrics =
            publisher(new SourceMetrics(() -> 0).shard("shardId-00000001767323045000-1a2b3c4d"));

    private OrderedPublisher publisher(PublishListener listener) {
        List<ChangeRecord> converted = ConversionBenchmark.converter(
                org.apache.pulsar.io.dynamodb.config.OutputFormat.DYNAMODB_JSON).convert(RECORD,
                ConversionBenchmark.ORIGIN, ConversionBenchmark.READ_TIME_MILLIS);
        RecordConverter fixed = (record, origin, readTimeMillis) -> converted;
        return new OrderedPublisher(new PublishContext(fixed, record -> handedOver = record, new Semaphore(1000),
                () -> false), "Shard bench", listener);
    }

    private Record<byte[]> publishAndAcknowledge(OrderedPublisher publisher) throws InterruptedException {
        publisher.publish(RECORD, ConversionBenchmark.ORIGIN, SEQUENCE_NUMBER, true, Skip.NO,
                ConversionBenchmark.READ_TIME_MILLIS);
        Record<byte[]> record = handedOver;
        record.ack();
        return record;
    }

    @Benchmark
    public Record<byte[]> metricsOff() throws InterruptedException {
        return publishAndAcknowledge(withoutMetrics);
    }

    @Benchmark
    public Record<byte[]> metricsOn() throws InterruptedException {
        return publishAndAcknowledge(withMetrics);
    }

    /**
     * The same two operations, and a conversion for scale, interleaved in one thread and timed by the thread's CPU
     * time, which other processes on a busy machine disturb far less than JMH's wall-clock throughput.
     *
     * @return CPU nanoseconds per record: metrics off, metrics on, a DYNAMODB_JSON conversion
     */
    public static double[] cpuNanosPerRecord(int rounds, int batch) throws InterruptedException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        PublishMetricsBenchmark bench = new PublishMetricsBenchmark();
        ConversionBenchmark conversion = new ConversionBenchmark();
        int warmupRounds = rounds / 4;
        long[] cpu = new long[3];
        long sink = 0;
        for (int round = 0; round < rounds; round++) {
            for (int op = 0; op < cpu.length; op++) {
                long start = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < batch; i++) {
                    sink += switch (op) {
                        case 0 -> bench.metricsOff().getValue().length;
                        case 1 -> bench.metricsOn().getValue().length;
                        default -> conversion.dynamodbJson().get(0).value().length;
                    };
                }
                if (round >= warmupRounds) {
                    cpu[op] += threads.getCurrentThreadCpuTime() - start;
                }
            }
        }
        if (sink == 0) {
            throw new IllegalStateException("nothing was published");
        }
        double records = (double) (rounds - warmupRounds) * batch;
        return new double[] {cpu[0] / records, cpu[1] / records, cpu[2] / records};
    }
}
