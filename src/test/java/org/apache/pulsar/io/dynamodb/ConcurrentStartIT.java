package org.apache.pulsar.io.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.Level;
import org.apache.pulsar.functions.api.Record;
import org.apache.pulsar.io.dynamodb.e2e.StreamAudit;
import org.apache.pulsar.io.dynamodb.testing.DynamoDbLocal;
import org.apache.pulsar.io.dynamodb.testing.LogCapture;
import org.apache.pulsar.io.dynamodb.testing.SourceHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Instances of one source opened at the same moment on a new KCL application, with none of its tables there yet:
 * all of them come up without an error, the shard gets one lease with one owner, and every change of the stream
 * (read with the DynamoDB Streams API) reaches Pulsar exactly once, all of it from that owner. DynamoDB Local gives
 * a table one shard: each round has its own table and application.
 */
class ConcurrentStartIT {

    private static final Duration DELIVERY = Duration.ofSeconds(90);
    private static final int CHANGES = 20;
    private static final String SOURCE = "race";

    private static DynamoDbLocal dynamo;

    @BeforeAll
    static void startDynamoDbLocal() throws Exception {
        dynamo = DynamoDbLocal.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (dynamo != null) {
            dynamo.close();
        }
    }

    @ParameterizedTest(name = "{0} instances")
    @ValueSource(ints = {3, 2})
    void instancesStartingAtOnceOnANewApplicationReadTheShardThroughExactlyOneOfThem(int instances) throws Exception {
        String table = "race" + instances;
        String arn = dynamo.createTableWithStream(table);
        String app = "race-" + instances + "-" + System.currentTimeMillis();
        Map<String, Object> config = dynamo.sourceConfig(arn, app);
        config.put("awsRegion", "us-east-1");
        write(table, "before", CHANGES);

        List<SourceHarness> sources = new ArrayList<>();
        try (LogCapture logs = LogCapture.start()) {
            sources.addAll(openAtOnce(config, instances));
            write(table, "after", CHANGES);
            List<BigInteger> stream = StreamAudit.readStream(dynamo, arn).stream()
                    .map(StreamAudit.Change::sequenceNumber).toList();
            assertThat(stream).hasSize(2 * CHANGES);

            await().atMost(DELIVERY).until(() -> sources.stream().mapToInt(s -> s.received().size()).sum()
                    >= stream.size() || sources.stream().anyMatch(s -> s.readFailure() != null));

            assertThat(sources).allSatisfy(s -> assertThat(s.readFailure()).isNull());
            Map<String, String> owners = dynamo.leaseOwners(app);
            assertThat(owners).as("leases of %s: one per shard", app).hasSize(1);
            String owner = owners.values().iterator().next();
            assertThat(owner).as("the lease's owner").isNotNull();
            int reader = ownerIndex(owner, instances);
            for (int i = 0; i < instances; i++) {
                List<BigInteger> received = sources.get(i).received().stream().map(ConcurrentStartIT::sequence)
                        .toList();
                if (i == reader) {
                    assertThat(received).as("what the owner, instance %d, published", i).isEqualTo(stream);
                } else {
                    assertThat(received).as("what instance %d, not the owner, published", i).isEmpty();
                }
            }
            assertThat(logs.eventsAtLeast(Level.WARN)).as("warnings and errors while starting")
                    .filteredOn(e -> e.logger().startsWith("org.apache.pulsar.io.dynamodb")
                            || e.level().isMoreSpecificThan(Level.ERROR))
                    // KCL's leader checks the leases' hash ranges a minute after it starts, and DynamoDB Streams
                    // shards have none: an ERROR every KCL application logs, however it started.
                    .filteredOn(e -> !e.message().startsWith("Incomplete hash range found"))
                    .isEmpty();
        } finally {
            for (SourceHarness source : sources) {
                source.close();
            }
        }
    }

    /** Opens the instances from as many threads, released together. */
    private static List<SourceHarness> openAtOnce(Map<String, Object> config, int instances) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(instances);
        CyclicBarrier together = new CyclicBarrier(instances);
        try {
            List<Future<SourceHarness>> opening = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                int instance = i;
                opening.add(pool.submit(() -> {
                    together.await();
                    return SourceHarness.open(config, SOURCE, instance, record -> true);
                }));
            }
            List<SourceHarness> opened = new ArrayList<>();
            for (Future<SourceHarness> future : opening) {
                opened.add(future.get(60, TimeUnit.SECONDS));
            }
            return opened;
        } finally {
            pool.shutdownNow();
        }
    }

    private static int ownerIndex(String owner, int instances) {
        for (int i = 0; i < instances; i++) {
            if (owner.startsWith("public/default/" + SOURCE + "/" + i + "@")) {
                return i;
            }
        }
        throw new AssertionError("lease owner " + owner + " is none of the instances");
    }

    private static void write(String table, String prefix, int count) {
        for (int i = 0; i < count; i++) {
            dynamo.put(table, Map.of("id", AttributeValue.fromS(prefix + i)));
        }
    }

    private static BigInteger sequence(Record<byte[]> record) {
        return new BigInteger(record.getProperties().get("SEQUENCE_NUMBER"));
    }
}
