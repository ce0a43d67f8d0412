package org.apache.pulsar.io.dynamodb.filter;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.pulsar.io.dynamodb.convert.ConversionBenchmark;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * JMH: Lambda filter criteria on the record {@link ConversionBenchmark} converts (a MODIFY of a ~1 KB item, old and
 * new images), so the two rates compare. {@code main} runs both in one JMH run, as ./bench.sh runs conversion.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FilterBenchmark {

    /** Three patterns of the kinds users write; the third (a list element's nested value) passes the record. */
    static final String TYPICAL = """
            {"Filters": [
              {"Pattern": "{\\"eventName\\": [\\"INSERT\\"], \\"dynamodb\\": {\\"NewImage\\": {\\"status\\": {\\"S\\": [{\\"prefix\\": \\"SHIP\\"}]}}}}"},
              {"Pattern": "{\\"dynamodb\\": {\\"NewImage\\": {\\"customer\\": {\\"M\\": {\\"address\\": {\\"M\\": {\\"country\\": {\\"S\\": [\\"FR\\", \\"DE\\"]}}}}}}}}"},
              {"Pattern": "{\\"eventName\\": [\\"MODIFY\\"], \\"dynamodb\\": {\\"NewImage\\": {\\"lines\\": {\\"L\\": {\\"M\\": {\\"sku\\": {\\"S\\": [{\\"prefix\\": \\"sku-004\\"}]}}}}}, \\"OldImage\\": {\\"status\\": {\\"S\\": [{\\"anything-but\\": [\\"SHIPPED\\"]}]}}}}"}
            ]}""";

    /** Lambda's default maximum of five patterns, none passing the record: every one is evaluated in full. */
    static final String NO_MATCH = """
            [{"eventName": ["MODIFY"], "dynamodb": {"NewImage": {"status": {"S": [{"equals-ignore-case": "cancelled"}]}}}},
             {"dynamodb": {"NewImage": {"total": {"N": ["0"]}}, "SizeBytes": [{"numeric": [">", 4096]}]}},
             {"dynamodb": {"NewImage": {"tags": {"SS": ["vip"]}, "express": {"BOOL": [true]}}}},
             {"dynamodb": {"Keys": {"pk": {"S": [{"suffix": "#9999"}]}}, "OldImage": {"customer": {"M": {"email": {"S": [{"wildcard": "*@example.org"}]}}}}}},
             {"$or": [{"awsRegion": ["us-east-1"]}, {"dynamodb": {"NewImage": {"lines": {"L": {"M": {"quantity": {"N": ["3"]}}}}}}}]}]
            """;

    private final Record record = ConversionBenchmark.sampleRecord();
    private final LambdaFilterCriteria typical = LambdaFilterCriteria.parse(TYPICAL);
    private final LambdaFilterCriteria noMatch = LambdaFilterCriteria.parse(NO_MATCH);

    @Benchmark
    public boolean typicalPasses() {
        return typical.accepts(record);
    }

    @Benchmark
    public boolean fivePatternsNoneMatches() {
        return noMatch.accepts(record);
    }

    /** Runs conversion and filtering in one JMH run (1 fork, 1 thread, as ./bench.sh's conversion scenario). */
    public static void main(String[] args) throws Exception {
        if (!new FilterBenchmark().typicalPasses() || new FilterBenchmark().fivePatternsNoneMatches()) {
            throw new IllegalStateException("the benchmark's patterns no longer do what they are meant to");
        }
        int warmups = Integer.getInteger("bench.jmh.warmups", 3);
        int iterations = Integer.getInteger("bench.jmh.iterations", 5);
        for (RunResult result : new Runner(new OptionsBuilder()
                .include(ConversionBenchmark.class.getName() + ".dynamodbJson")
                .include(FilterBenchmark.class.getName())
                .forks(1)
                .threads(1)
                .warmupIterations(warmups).warmupTime(TimeValue.seconds(2))
                .measurementIterations(iterations).measurementTime(TimeValue.seconds(2))
                .shouldFailOnError(true)
                .build()).run()) {
            System.out.printf(Locale.ROOT, "%-75s %,12.0f ± %,.0f records/s%n", result.getParams().getBenchmark(),
                    result.getPrimaryResult().getScore(), result.getPrimaryResult().getScoreError());
        }
        if (Boolean.getBoolean("bench.cpu")) {
            cpuPerRecord();
        }
    }

    /**
     * With -Dbench.cpu=true: the same three operations interleaved in one thread, timed by the thread's CPU time,
     * which other processes on a busy machine disturb far less than JMH's wall-clock throughput.
     */
    private static void cpuPerRecord() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        ConversionBenchmark conversion = new ConversionBenchmark();
        FilterBenchmark filter = new FilterBenchmark();
        String[] names = {"dynamodbJson", "typicalPasses", "fivePatternsNoneMatches"};
        long[] cpu = new long[names.length];
        int sink = 0;
        int batch = 50_000;
        for (int round = 0; round < 40; round++) {
            for (int op = 0; op < names.length; op++) {
                long start = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < batch; i++) {
                    sink += switch (op) {
                        case 0 -> conversion.dynamodbJson().get(0).value().length;
                        case 1 -> filter.typicalPasses() ? 1 : 0;
                        default -> filter.fivePatternsNoneMatches() ? 1 : 0;
                    };
                }
                if (round >= 10) {  // the first rounds warm up
                    cpu[op] += threads.getCurrentThreadCpuTime() - start;
                }
            }
        }
        for (int op = 0; op < names.length; op++) {
            double nanos = (double) cpu[op] / (30L * batch);
            System.out.printf(Locale.ROOT, "thread CPU per record: %-25s %,8.0f ns (%,.0f records per CPU second)%n",
                    names[op], nanos, 1e9 / nanos);
        }
        System.out.println("(sink " + sink + ")");
    }
}
