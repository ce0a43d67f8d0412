package org.apache.pulsar.io.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.pulsar.functions.api.Record;
import org.apache.pulsar.io.dynamodb.testing.DynamoDbLocal;
import org.apache.pulsar.io.dynamodb.testing.LogCapture;
import org.apache.pulsar.io.dynamodb.testing.SourceHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Streams that end under a running source: one whose table's stream was disabled before open, one whose table is
 * deleted while the source reads it. DynamoDB Local, like DynamoDB, keeps both streams readable as DISABLED with
 * their shards closed, and KCL reads them to SHARD_END and then idles without a word: the source must instead
 * publish what is left and then fail read() with one clear error. Also the start-up failures of such streams.
 */
class StreamEndIT {

    private static final Duration LEASE_AND_FAIL = Duration.ofSeconds(150);
    private static final String DISABLED_TABLE = "disabled";
    private static final String DELETED_TABLE = "dropped";

    private static DynamoDbLocal dynamo;
    private static LogCapture logs;
    private static String disabledArn;
    private static String deletedArn;
    private static SourceHarness disabled;
    private static SourceHarness deleted;

    @BeforeAll
    static void openSourcesOnBothTables() throws Exception {
        logs = LogCapture.start();
        dynamo = DynamoDbLocal.start();
        disabledArn = dynamo.createTableWithStream(DISABLED_TABLE);
        for (int i = 0; i < 3; i++) {
            dynamo.put(DISABLED_TABLE, item("left" + i));
        }
        dynamo.client().updateTable(b -> b.tableName(DISABLED_TABLE).streamSpecification(s -> s.streamEnabled(false)));
        deletedArn = dynamo.createTableWithStream(DELETED_TABLE);
        // Both opened now so that their first leases are taken at the same time.
        disabled = SourceHarness.open(config(disabledArn, "it-disabled", "TRIM_HORIZON"), "it-disabled", r -> true);
        deleted = SourceHarness.open(config(deletedArn, "it-deleted", "TRIM_HORIZON"), "it-deleted", r -> true);
    }

    @AfterAll
    static void stop() throws Exception {
        for (SourceHarness open : new SourceHarness[] {disabled, deleted}) {
            if (open != null) {
                open.close();
            }
        }
        if (dynamo != null) {
            dynamo.close();
        }
        if (logs != null) {
            logs.close();
        }
    }

    private static Map<String, AttributeValue> item(String id) {
        return Map.of("id", AttributeValue.fromS(id), "n", AttributeValue.fromN("1"));
    }

    private static Map<String, Object> config(String arn, String applicationName, String position) {
        Map<String, Object> config = dynamo.sourceConfig(arn, applicationName);
        config.put("initialPositionInStream", position);
        return config;
    }

    private static String id(Record<byte[]> record) {
        String value = new String(record.getValue(), java.nio.charset.StandardCharsets.UTF_8);
        return value.replaceAll(".*\"Keys\":\\{\"id\":\\{\"S\":\"([^\"]*)\".*", "$1");
    }

    private static List<LogCapture.Event> errorsNaming(String streamArn) {
        return logs.eventsAtLeast(Level.ERROR).stream().filter(e -> e.message().contains(streamArn)).toList();
    }

    @Test
    void aStreamDisabledBeforeOpenIsReadToTheEndThenReadFailsNamingIt() {
        assertThat(logs.eventsAtLeast(Level.WARN)).as("open warns that the stream is disabled")
                .anyMatch(e -> e.message().contains(disabledArn) && e.message().contains("is DISABLED"));

        await().atMost(LEASE_AND_FAIL).until(() -> disabled.readFailure() != null);

        assertThat(disabled.received()).extracting(StreamEndIT::id).containsExactly("left0", "left1", "left2");
        assertThat(disabled.readFailure()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(disabledArn)
                .hasMessageContaining("table " + DISABLED_TABLE + " is DISABLED")
                .hasMessageContaining("every record of it has been published")
                .hasMessageContaining("the table's stream was disabled;")
                .hasMessageNotContaining("\n");
        assertThat(errorsNaming(disabledArn)).as("logged at ERROR once, not in a loop").hasSize(1);
    }

    @Test
    void aTableDeletedWhileTheSourceRunsFailsReadNamingStreamAndTable() {
        dynamo.put(DELETED_TABLE, item("before0"));
        dynamo.put(DELETED_TABLE, item("before1"));
        await().atMost(LEASE_AND_FAIL).until(() -> deleted.received().size() >= 2 || deleted.readFailure() != null);
        assertThat(deleted.readFailure()).isNull();

        dynamo.client().deleteTable(b -> b.tableName(DELETED_TABLE));
        await().atMost(Duration.ofSeconds(60)).until(() -> deleted.readFailure() != null);

        assertThat(deleted.received()).extracting(StreamEndIT::id).containsExactly("before0", "before1");
        assertThat(deleted.readFailure()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(deletedArn)
                .hasMessageContaining("table " + DELETED_TABLE + " is DISABLED")
                .hasMessageContaining("table " + DELETED_TABLE + " was deleted")
                .hasMessageNotContaining("\n");
        assertThat(errorsNaming(deletedArn)).as("logged at ERROR once").hasSize(1);
    }

    @Test
    void aDisabledStreamWithNothingLeftToReadAtLatestFailsOpen() {
        Map<String, Object> config = config(disabledArn, "it-disabled-latest", "LATEST");
        assertThatThrownBy(() -> SourceHarness.open(config, "it-disabled-latest", r -> true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(disabledArn)
                .hasMessageContaining("is DISABLED")
                .hasMessageContaining("LATEST")
                .hasMessageNotContaining("\n");
    }

    @Test
    void credentialsTheServiceRefusesFailOpenNamingTheStreamAndTheCause() {
        Map<String, Object> config = config(disabledArn, "it-refused", "TRIM_HORIZON");
        config.put("awsCredentialPluginParam", "{\"accessKey\":\"not-a-valid-key!\",\"secretKey\":\"x\"}");
        assertThatThrownBy(() -> SourceHarness.open(config, "it-refused", r -> true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(disabledArn)
                .hasMessageContaining("refused DescribeStream")
                .hasMessageContaining("check the credentials")
                .hasMessageNotContaining("not-a-valid-key!")
                .hasMessageNotContaining("\n");
    }
}
