package org.apache.pulsar.io.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.pulsar.functions.api.Record;
import org.apache.pulsar.io.dynamodb.testing.AwsCallRecorder;
import org.apache.pulsar.io.dynamodb.testing.AwsCallRecorder.Call;
import org.apache.pulsar.io.dynamodb.testing.DynamoDbLocal;
import org.apache.pulsar.io.dynamodb.testing.IamPolicy;
import org.apache.pulsar.io.dynamodb.testing.SourceHarness;
import org.apache.pulsar.io.dynamodb.testing.TableLoad;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * README's minimal IAM policy against the AWS calls the source really makes (every request of its, KCL's and the
 * adapter's clients, recorded by {@link AwsCallRecorder}) while it starts a new application, streams or snapshots,
 * checkpoints and closes against DynamoDB Local: every call is allowed, and every grant is used by some run or is
 * one README explains as needed only in cases these runs do not make. The ordered tests share one table and add up
 * the grants they used.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IamPolicyIT {

    private static final Logger log = LoggerFactory.getLogger(IamPolicyIT.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DELIVERY = Duration.ofSeconds(120);
    private static final Path README = Path.of("README.md");
    private static final String SECTION = "## Minimal IAM policy";
    private static final String TABLE = "iam-orders";
    private static final int SNAPSHOT_ITEMS = 200;
    private static final int CHANGES = 20;
    /** README's sentence for the one grant the JSON leaves out; this test adds it as this statement. */
    private static final String CLOUDWATCH_SENTENCE =
            "Add `cloudwatch:PutMetricData` only if `metricsLevel` is `SUMMARY` or `DETAILED`.";
    private static final IamPolicy.Statement CLOUDWATCH = new IamPolicy.Statement("MetricsLevel",
            List.of("cloudwatch:PutMetricData"), List.of("*"), List.of("*"));

    /**
     * Grants no run here uses, each with README's reason: anything else the policy grants must be used by some run,
     * or it is not least privilege. Empty while the runs reach every grant: the conditional ones are reached on
     * purpose (CreateTable: a new application; UpdateTable: a lease table the builtin left; cloudwatch: metricsLevel).
     * A grant for a case no run can make here goes in with README's sentence that explains it.
     */
    private static final Map<String, String> CONDITIONAL = Map.of(
            // tableTag reads each table's tags; DynamoDB Local has no tagging, so no run here can make the call
            "FindTheTables dynamodb:ListTagsOfResource", "`ListTagsOfResource` only with `tableTag`");

    private static DynamoDbLocal dynamo;
    private static String streamArn;
    private static Map<String, String> arnParts;
    private static final Map<String, Set<String>> grantsUsedByRun = new TreeMap<>();

    @BeforeAll
    static void startDynamoDbLocal() throws Exception {
        dynamo = DynamoDbLocal.start();
        streamArn = dynamo.createTableWithStream(TABLE);
        // DynamoDB Local's ARNs: arn:aws:dynamodb:ddblocal:000000000000:table/...
        String[] arn = streamArn.split(":");
        arnParts = Map.of("REGION", arn[3], "ACCOUNT", arn[4], "TABLE", TABLE);
        TableLoad.put(dynamo.client(), TABLE, 0, SNAPSHOT_ITEMS, 1, i -> item("before" + i));
    }

    @AfterAll
    static void stop() throws Exception {
        if (dynamo != null) {
            dynamo.close();
        }
    }

    private static Map<String, AttributeValue> item(String id) {
        return Map.of("id", AttributeValue.fromS(id), "payload", AttributeValue.fromS("x".repeat(40)));
    }

    /** README's policy for this application, on this DynamoDB Local's region and account. */
    private static IamPolicy policy(String app) throws IOException {
        Map<String, String> placeholders = new TreeMap<>(arnParts);
        placeholders.put("pulsar-dynamodb", app);
        return IamPolicy.fromReadme(README, SECTION, placeholders);
    }

    /**
     * Runs a source of a new application under the recorder: opens it, waits for the snapshot reads it should
     * make, writes {@link #CHANGES} items, waits for them and for their checkpoint, closes it. Returns every call
     * it made.
     */
    private static Set<Call> run(String app, Map<String, Object> settings, int snapshotReads) throws Exception {
        Map<String, Object> config = dynamo.sourceConfig(streamArn, app);
        config.put("awsRegion", "us-east-1");
        if (settings.containsKey("tableNamePrefix")) {
            config.remove("awsDynamodbStreamArn"); // the table is found, not named by its stream
            config.put("awsRegion", arnParts.get("REGION")); // with no ARN given, the tables' ARNs' region
        }
        config.putAll(settings);
        try (AwsCallRecorder.Recording recording = AwsCallRecorder.start(arnParts.get("REGION"),
                arnParts.get("ACCOUNT"))) {
            try (SourceHarness source = SourceHarness.open(config, app, record -> true)) {
                await("the snapshot").atMost(DELIVERY).until(() -> source.received().stream()
                        .filter(r -> "SNAPSHOT".equals(r.getProperties().get("EVENT_NAME"))).count() == snapshotReads);
                for (int i = 0; i < CHANGES; i++) {
                    dynamo.put(TABLE, item(app + i));
                }
                await("the run's changes").atMost(DELIVERY).until(() -> changes(source, app).size() == CHANGES);
                BigInteger last = changes(source, app).stream()
                        .map(r -> new BigInteger(r.getProperties().get("SEQUENCE_NUMBER")))
                        .max(BigInteger::compareTo).orElseThrow();
                await("their checkpoint").atMost(DELIVERY).until(() -> dynamo.checkpoints(app).values().stream()
                        .anyMatch(c -> c != null && c.matches("\\d+") && new BigInteger(c).compareTo(last) >= 0));
                assertThat(source.readFailure()).isNull();
            }
            return recording.calls();
        }
    }

    private static List<Record<byte[]>> changes(SourceHarness source, String app) {
        return source.received().stream().filter(r -> !"SNAPSHOT".equals(r.getProperties().get("EVENT_NAME")))
                .filter(r -> itemId(r).startsWith(app)).toList();
    }

    private static String itemId(Record<byte[]> record) {
        try {
            JsonNode value = JSON.readTree(record.getValue());
            return value.at("/dynamodb/Keys/id/S").asText();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Every call allowed by the policy; the grants the calls used are kept for {@link #everyGrantIsUsed()}. */
    private static void assertAllowed(String run, IamPolicy policy, Set<Call> calls) {
        log.info("Run {} called: {}", run, calls);
        grantsUsedByRun.put(run, policy.grantsUsedBy(calls));
        Set<Call> denied = new TreeSet<>(calls);
        denied.removeIf(call -> policy.allows(call.action(), call.resource()));
        assertThat(denied).as("calls of run %s README's policy does not allow; all its calls: %s", run, calls)
                .isEmpty();
    }

    private static String tableArn(String table) {
        return "arn:aws:dynamodb:" + arnParts.get("REGION") + ":" + arnParts.get("ACCOUNT") + ":table/" + table;
    }

    @Test
    @Order(1)
    void streamingOnlyOnTheLeaseTableOfTheBuiltinConnector() throws Exception {
        String app = "iam-stream";
        // as the builtin's KCL 1.x creates its lease table: no LeaseOwnerToLeaseKeyIndex, provisioned capacity
        dynamo.client().createTable(b -> b.tableName(app)
                .keySchema(k -> k.attributeName("leaseKey").keyType(KeyType.HASH))
                .attributeDefinitions(a -> a.attributeName("leaseKey").attributeType(ScalarAttributeType.S))
                .provisionedThroughput(t -> t.readCapacityUnits(10L).writeCapacityUnits(10L)));
        Set<Call> calls = run(app, Map.of("snapshotMode", "NONE"), 0);
        assertThat(calls).as("the recorder saw the stream read, the checkpoint written and KCL adding its index")
                .contains(new Call("dynamodb:GetRecords", streamArn), new Call("dynamodb:UpdateItem", tableArn(app)),
                        new Call("dynamodb:UpdateTable", tableArn(app)));
        assertThat(calls).as("no snapshot, no reading of the table").noneMatch(call ->
                call.resource().equals(tableArn(TABLE)) || call.resource().equals(tableArn(app + "-Snapshot")));
        assertAllowed("NONE", policy(app), calls);
    }

    @Test
    @Order(2)
    void initialSnapshotWithCloudWatchMetrics() throws Exception {
        String app = "iam-snapshot";
        assertThat(Files.readString(README, StandardCharsets.UTF_8)).contains(CLOUDWATCH_SENTENCE);
        Set<Call> calls = run(app, Map.of("snapshotMode", "INITIAL", "snapshotSegments", "2",
                // KCL's metrics publisher calls CloudWatch; DynamoDB Local answers it with an error, which is enough
                "metricsLevel", "SUMMARY", "cloudwatchEndpoint", dynamo.endpoint()),
                TableLoad.scan(dynamo.client(), TABLE).size());
        assertThat(calls).as("the recorder saw the snapshot, a new lease table and CloudWatch").contains(
                new Call("dynamodb:Scan", tableArn(TABLE)), new Call("dynamodb:CreateTable", tableArn(app)),
                new Call("cloudwatch:PutMetricData", "*"));
        assertAllowed("INITIAL with metricsLevel SUMMARY", policy(app).with(CLOUDWATCH), calls);
    }

    @Test
    @Order(3)
    void tablesFoundByNamePrefix() throws Exception {
        String app = "iam-tables";
        // the prefix matches the source table only: the lease tables of these runs have no stream and are not TABLE
        Set<Call> calls = run(app, Map.of("tableNamePrefix", TABLE), 0);
        assertThat(calls).as("the recorder saw the tables listed and the source table described").contains(
                new Call("dynamodb:ListTables", "*"), new Call("dynamodb:DescribeTable", tableArn(TABLE)),
                new Call("dynamodb:GetRecords", streamArn));
        assertAllowed("tableNamePrefix", policy(app), calls);
    }

    @Test
    @Order(4)
    void everyGrantIsUsed() throws Exception {
        assertThat(grantsUsedByRun).as("every run recorded its calls").hasSize(3);
        Set<String> grants = policy("pulsar-dynamodb").with(CLOUDWATCH).grants();
        assertThat(grants).as("every conditional grant is one of the policy").containsAll(CONDITIONAL.keySet());
        Set<String> unused = new TreeSet<>(grants);
        grantsUsedByRun.values().forEach(unused::removeAll);
        unused.removeAll(CONDITIONAL.keySet());
        assertThat(unused).as("README's policy grants what no run used: remove it, or explain in README when it "
                + "is needed and list it in CONDITIONAL; used by run: %s", grantsUsedByRun).isEmpty();
    }
}
