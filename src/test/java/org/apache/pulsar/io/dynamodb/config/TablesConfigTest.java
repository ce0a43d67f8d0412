package org.apache.pulsar.io.dynamodb.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.pulsar.io.dynamodb.DynamoDBSourceConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The table keys: tableName, tables, tableNamePrefix, tableTag, discoveryInterval, topicPattern. */
class TablesConfigTest {

    private static final String ARN =
            "arn:aws:dynamodb:eu-north-1:123456789012:table/orders/stream/2026-01-02T03:04:05.123";

    /** Static keys plus these pairs; no stream ARN unless given. */
    private static Map<String, Object> config(Object... keysAndValues) {
        Map<String, Object> config = new HashMap<>();
        config.put("awsCredentialPluginParam", "{\"accessKey\":\"a\",\"secretKey\":\"b\"}");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            config.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return config;
    }

    private static DynamoDBSourceConfig load(Object... keysAndValues) {
        return DynamoDBSourceConfig.load(config(keysAndValues), null);
    }

    @Test
    void tableNameNeedsNoArnAndTakesTheRegionFromAwsRegion() {
        DynamoDBSourceConfig config = load("tableName", "orders", "awsRegion", "eu-north-1");

        assertThat(config.getTables().tableName()).contains("orders");
        assertThat(config.getTables().multiTable()).isFalse();
        assertThat(config.getTables().namesTableInMessages()).isFalse();
        assertThat(config.getStreamArnRegion()).isEqualTo("eu-north-1");
        DynamoDBSourceConfig found = config.withStreamArn(ARN);
        assertThat(found.getAwsDynamodbStreamArn()).isEqualTo(ARN);
        assertThat(found.getStreamTableName()).isEqualTo("orders");
        assertThat(found.getApplicationName()).isEqualTo(config.getApplicationName());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = SnapshotMode.class, names = {"INITIAL", "WHEN_NEEDED"})
    void aSnapshotPerTableIsAcceptedWithTablesPrefixAndTag(SnapshotMode mode) {
        for (Map<String, Object> keys : List.of(config("tables", "a12,b12", "awsRegion", "eu-north-1"),
                config("tableNamePrefix", "orders-", "awsRegion", "eu-north-1"),
                config("tableTag", "cdc=on", "awsRegion", "eu-north-1"))) {
            Map<String, Object> withSnapshot = new HashMap<>(keys);
            withSnapshot.put("snapshotMode", mode.name());

            DynamoDBSourceConfig config = DynamoDBSourceConfig.load(withSnapshot, null);

            assertThat(config.getTables().multiTable()).isTrue();
            assertThat(config.getSnapshot().mode()).isEqualTo(mode);
        }
    }

    @Test
    void tablesAreAListOrACommaSeparatedStringAndNameTheirTableWhenMoreThanOne() {
        TablesConfig listed = load("tables", List.of("orders", "users"), "awsRegion", "ddblocal").getTables();
        TablesConfig text = load("tables", " orders, users ", "awsRegion", "ddblocal").getTables();
        TablesConfig one = load("tables", "orders", "awsRegion", "ddblocal").getTables();

        assertThat(listed.tables()).containsExactly("orders", "users");
        assertThat(text.tables()).containsExactly("orders", "users");
        assertThat(listed.multiTable()).isTrue();
        assertThat(listed.namesTableInMessages()).isTrue();
        assertThat(one.multiTable()).isTrue();
        assertThat(one.namesTableInMessages()).isFalse();
        assertThat(listed.discoveryIntervalMillis()).isEqualTo(60_000);
        assertThat(listed.topicFor("orders")).isEmpty();
    }

    @Test
    void topicPatternGivesEachTableItsTopic() {
        TablesConfig tables = load("tables", "orders,users", "awsRegion", "eu-north-1",
                "topicPattern", "persistent://public/default/dynamodb-{table}").getTables();

        assertThat(tables.topicFor("orders")).contains("persistent://public/default/dynamodb-orders");
        assertThat(load("tableNamePrefix", "app.", "awsRegion", "eu-north-1", "topicPattern", "cdc-{table}")
                .getTables().topicFor("app.users")).contains("cdc-app.users");
    }

    @Test
    void discoveryByPrefixAndTag() {
        TablesConfig tables = load("tableNamePrefix", "prod-", "tableTag", "cdc=on=yes", "awsRegion", "eu-north-1",
                "discoveryInterval", 5000).getTables();

        assertThat(tables.tableNamePrefix()).isEqualTo("prod-");
        assertThat(tables.tagKey()).contains("cdc");
        assertThat(tables.tagValue()).contains("on=yes");
        assertThat(tables.discoveryIntervalMillis()).isEqualTo(5000);
        assertThat(tables.namesTableInMessages()).isTrue();
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("neither", config(), "'awsDynamodbStreamArn': required",
                        "or set tableName, tables, tableNamePrefix or tableTag"),
                Arguments.of("ARN and tableName", config("awsDynamodbStreamArn", ARN, "tableName", "orders",
                        "awsRegion", "eu-north-1"), "'tableName'", "exactly one of awsDynamodbStreamArn, tableName"),
                Arguments.of("tableName and tables", config("tableName", "orders", "tables", "a12,b12",
                        "awsRegion", "eu-north-1"), "'tableName'", "exactly one of"),
                Arguments.of("tables and prefix", config("tables", "orders", "tableNamePrefix", "o",
                        "awsRegion", "eu-north-1"), "'tableName'", "exactly one of"),
                Arguments.of("no region", config("tableName", "orders"), "'awsRegion'", "required with tableName"),
                Arguments.of("bad table name", config("tableName", "or/ders", "awsRegion", "eu-north-1"),
                        "'tableName'", "got 'or/ders'"),
                Arguments.of("bad name in tables", config("tables", "orders,x", "awsRegion", "eu-north-1"),
                        "'tables'", "got 'x'"),
                Arguments.of("tag without value", config("tableTag", "cdc", "awsRegion", "eu-north-1"),
                        "'tableTag'", "key=value"),
                Arguments.of("pattern without placeholder", config("tables", "a12,b12", "awsRegion", "eu-north-1",
                        "topicPattern", "persistent://public/default/all"), "'topicPattern'", "with {table}"),
                Arguments.of("pattern not a topic", config("tables", "a12,b12", "awsRegion", "eu-north-1",
                        "topicPattern", "persistent://public/{table}"), "'topicPattern'", "a Pulsar topic name"),
                Arguments.of("pattern with a space", config("tables", "a12,b12", "awsRegion", "eu-north-1",
                        "topicPattern", "dynamo {table}"), "'topicPattern'", "got 'dynamo {table}'"),
                Arguments.of("pattern with one table", config("tableName", "orders", "awsRegion", "eu-north-1",
                        "topicPattern", "t-{table}"), "'topicPattern'", "needs tables"),
                Arguments.of("interval too short", config("tables", "orders", "awsRegion", "eu-north-1",
                        "discoveryInterval", 10), "'discoveryInterval'", "at least 1000"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void badTableKeysFailWithOneLineNamingTheKey(String name, Map<String, Object> config, String key,
                                                 String fragment) {
        IllegalArgumentException e = catchThrowableOfType(IllegalArgumentException.class,
                () -> DynamoDBSourceConfig.load(config, null));

        assertThat(e).as(name).isNotNull();
        assertThat(e.getMessage()).as(name).contains(key).contains(fragment).doesNotContain("\n");
    }
}
