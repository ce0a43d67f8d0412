package org.apache.pulsar.io.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.pulsar.io.core.SourceContext;
import org.apache.pulsar.io.core.annotations.FieldDoc;
import org.apache.pulsar.io.dynamodb.config.FilterConfig;
import org.apache.pulsar.io.dynamodb.config.MessageKeyMode;
import org.apache.pulsar.io.dynamodb.config.MetricsReportConfig;
import org.apache.pulsar.io.dynamodb.config.OutputConfig;
import org.apache.pulsar.io.dynamodb.config.SnapshotConfig;
import org.apache.pulsar.io.dynamodb.config.SnapshotMode;
import org.apache.pulsar.io.dynamodb.config.TablesConfig;
import org.apache.pulsar.io.dynamodb.config.OutputFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.kinesis.common.InitialPositionInStream;
import software.amazon.kinesis.metrics.MetricsLevel;

class DynamoDBSourceConfigTest {

    private static final String ARN =
            "arn:aws:dynamodb:eu-north-1:123456789012:table/orders/stream/2026-01-02T03:04:05.123";
    private static final String LOCAL_ARN =
            "arn:aws:dynamodb:ddblocal:000000000000:table/orders/stream/2026-01-02T03:04:05.123";
    private static final String ACCESS_KEY = "AKIAEXAMPLEACCESS";
    private static final String SECRET = "s3cr3t/EXAMPLEKEYvalue";
    private static final String STATIC_KEYS =
            "{\"accessKey\":\"" + ACCESS_KEY + "\",\"secretKey\":\"" + SECRET + "\"}";
    private static final Object REMOVE = new Object();
    private static final Instant TIME = Instant.parse("2026-01-02T03:04:05Z");

    private static Map<String, Object> minimal() {
        Map<String, Object> config = new HashMap<>();
        config.put("awsDynamodbStreamArn", ARN);
        config.put("awsCredentialPluginParam", STATIC_KEYS);
        return config;
    }

    /** The minimal config with key/value pairs applied; REMOVE removes the key. */
    private static Map<String, Object> with(Object... keysAndValues) {
        Map<String, Object> config = minimal();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            String key = (String) keysAndValues[i];
            Object value = keysAndValues[i + 1];
            if (value == REMOVE) {
                config.remove(key);
            } else {
                config.put(key, value);
            }
        }
        return config;
    }

    private static DynamoDBSourceConfig load(Map<String, Object> config) {
        return DynamoDBSourceConfig.load(config, null);
    }

    @Test
    void minimalConfigGivesEveryDefault() {
        DynamoDBSourceConfig config = load(minimal());

        assertThat(config.getAwsDynamodbStreamArn()).isEqualTo(ARN);
        assertThat(config.getAwsEndpoint()).isEmpty();
        assertThat(config.getAwsEndpointUri()).isEmpty();
        assertThat(config.getDynamoEndpoint()).isEmpty();
        assertThat(config.getDynamoEndpointUri()).isEmpty();
        assertThat(config.getCloudwatchEndpoint()).isEmpty();
        assertThat(config.getCloudwatchEndpointUri()).isEmpty();
        assertThat(config.getAwsRegion()).isEmpty();
        assertThat(config.getSigningRegion()).isEqualTo(Region.EU_NORTH_1);
        assertThat(config.getStreamArnRegion()).isEqualTo("eu-north-1");
        assertThat(config.getStreamTableName()).isEqualTo("orders");
        assertThat(config.getAwsCredentialPluginName()).isEmpty();
        assertThat(config.getAwsCredentialPluginParam()).isEqualTo(STATIC_KEYS);
        assertThat(config.getInitialPositionInStream()).isEqualTo(InitialPositionInStream.LATEST);
        assertThat(config.getStartAtTime()).isEmpty();
        assertThat(config.getApplicationName()).isEqualTo("pulsar-dynamodb");
        assertThat(config.getCheckpointInterval()).isEqualTo(60_000L);
        assertThat(config.getBackoffTime()).isEqualTo(3_000L);
        assertThat(config.getNumRetries()).isEqualTo(3);
        assertThat(config.getReceiveQueueSize()).isEqualTo(1_000);
        assertThat(config.getPollInterval()).isEqualTo(100L);
        assertThat(config.getMetricsLevel()).isEqualTo(MetricsLevel.NONE);
        assertThat(config.getMessageKeyMode()).isEqualTo(MessageKeyMode.PRIMARY_KEY);
        assertThat(config.getMetricsReport().interval()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void emptyStringsAndNullsMeanUnset() {
        Map<String, Object> config = minimal();
        for (String key : DynamoDBSourceConfig.KEYS) {
            config.putIfAbsent(key, key.hashCode() % 2 == 0 ? "" : null);
        }
        config.put("applicationName", " ");

        assertThat(load(config).toString()).isEqualTo(load(minimal()).toString());
    }

    @Test
    void everyKeySetExplicitlyIsReadBack() {
        Map<String, Object> map = new HashMap<>();
        map.put("awsEndpoint", "http://localhost:8000");
        map.put("awsRegion", "us-west-2");
        map.put("awsDynamodbStreamArn", ARN);
        map.put("awsCredentialPluginName", "org.apache.pulsar.io.aws.STSAssumeRoleProviderPlugin");
        map.put("awsCredentialPluginParam", "{\"roleArn\":\"arn:aws:iam::123456789012:role/r\"}");
        map.put("initialPositionInStream", "AT_TIMESTAMP");
        map.put("startAtTime", "2026-01-02T03:04:05Z");
        map.put("applicationName", "orders-to-pulsar");
        map.put("checkpointInterval", 10_000);
        map.put("backoffTime", 500L);
        map.put("numRetries", 0);
        map.put("receiveQueueSize", 1);
        map.put("dynamoEndpoint", "https://dynamodb.example.com:8443/");
        map.put("cloudwatchEndpoint", "http://127.0.0.1:4566");
        map.put("pollInterval", 250);
        map.put("metricsLevel", "DETAILED");
        map.put("messageKeyMode", "EVENT_ID");
        map.put("outputFormat", "DYNAMODB_JSON");
        map.put("tombstoneAfterDelete", false);
        map.put("eventNames", "insert, REMOVE");
        map.put("filterCriteria", "{\"Filters\":[{\"Pattern\":\"{\\\"eventName\\\":[\\\"INSERT\\\"]}\"}]}");
        map.put("snapshotMode", "when_needed");
        map.put("snapshotSegments", 16);
        map.put("snapshotReadCapacityPerSecond", "250");
        map.put("snapshotConsistentRead", true);
        map.put("metricsReportInterval", "2500");
        // the table keys exclude awsDynamodbStreamArn: given empty here, read back in TablesConfigTest
        map.put("tableName", "");
        map.put("tables", List.of());
        map.put("tableNamePrefix", "");
        map.put("tableTag", "");
        map.put("discoveryInterval", "30000");
        map.put("topicPattern", "");
        assertThat(map.keySet()).containsExactlyInAnyOrderElementsOf(DynamoDBSourceConfig.KEYS);

        DynamoDBSourceConfig config = load(map);

        assertThat(config.getAwsEndpoint()).isEqualTo("http://localhost:8000");
        assertThat(config.getAwsEndpointUri()).contains(URI.create("http://localhost:8000"));
        assertThat(config.getAwsRegion()).isEqualTo("us-west-2");
        assertThat(config.getSigningRegion()).isEqualTo(Region.US_WEST_2);
        assertThat(config.getAwsDynamodbStreamArn()).isEqualTo(ARN);
        assertThat(config.getTables().discoveryIntervalMillis()).isEqualTo(30_000L);
        assertThat(config.getTables().tableName()).isEmpty();
        assertThat(config.getAwsCredentialPluginName())
                .isEqualTo("org.apache.pulsar.io.aws.STSAssumeRoleProviderPlugin");
        assertThat(config.getAwsCredentialPluginParam()).isEqualTo("{\"roleArn\":\"arn:aws:iam::123456789012:role/r\"}");
        assertThat(config.getInitialPositionInStream()).isEqualTo(InitialPositionInStream.AT_TIMESTAMP);
        assertThat(config.getStartAtTime()).contains(TIME);
        assertThat(config.getApplicationName()).isEqualTo("orders-to-pulsar");
        assertThat(config.getCheckpointInterval()).isEqualTo(10_000L);
        assertThat(config.getBackoffTime()).isEqualTo(500L);
        assertThat(config.getNumRetries()).isZero();
        assertThat(config.getReceiveQueueSize()).isEqualTo(1);
        assertThat(config.getDynamoEndpoint()).isEqualTo("https://dynamodb.example.com:8443/");
        assertThat(config.getDynamoEndpointUri()).contains(URI.create("https://dynamodb.example.com:8443/"));
        assertThat(config.getCloudwatchEndpoint()).isEqualTo("http://127.0.0.1:4566");
        assertThat(config.getCloudwatchEndpointUri()).contains(URI.create("http://127.0.0.1:4566"));
        assertThat(config.getPollInterval()).isEqualTo(250L);
        assertThat(config.getMetricsLevel()).isEqualTo(MetricsLevel.DETAILED);
        assertThat(config.getMessageKeyMode()).isEqualTo(MessageKeyMode.EVENT_ID);
        assertThat(config.getOutput().outputFormat()).isEqualTo(OutputFormat.DYNAMODB_JSON);
        assertThat(config.getOutput().tombstoneAfterDelete()).isFalse();
        assertThat(config.getFilters().eventNames()).containsExactly(OperationType.INSERT, OperationType.REMOVE);
        assertThat(config.toString()).contains("filterCriteria='LambdaFilterCriteria[1 pattern]'");
        assertThat(config.getSnapshot().mode()).isEqualTo(SnapshotMode.WHEN_NEEDED);
        assertThat(config.getSnapshot().segments()).isEqualTo(16);
        assertThat(config.getSnapshot().readCapacityPerSecond()).isEqualTo(250);
        assertThat(config.getSnapshot().consistentRead()).isTrue();
        assertThat(config.getMetricsReport().interval()).isEqualTo(Duration.ofMillis(2500));
        assertThat(config.toString()).contains("metricsReportInterval=2500");
    }

    static Stream<Object> numbersMeaningSixtyThousand() {
        return Stream.of(60_000, 60_000L, 60_000.0, 60_000.0f, "60000", " 60000 ", "+60000", "60000.0", "6e4",
                new BigDecimal("60000"));
    }

    @ParameterizedTest
    @MethodSource("numbersMeaningSixtyThousand")
    void numbersMayComeAsAnyNumericTypeOrString(Object value) {
        DynamoDBSourceConfig config = load(with("checkpointInterval", value, "backoffTime", value,
                "pollInterval", value, "numRetries", value, "receiveQueueSize", value));

        assertThat(config.getCheckpointInterval()).isEqualTo(60_000L);
        assertThat(config.getBackoffTime()).isEqualTo(60_000L);
        assertThat(config.getPollInterval()).isEqualTo(60_000L);
        assertThat(config.getNumRetries()).isEqualTo(60_000);
        assertThat(config.getReceiveQueueSize()).isEqualTo(60_000);
    }

    @ParameterizedTest
    @CsvSource({
        "latest,       none,     primary_key",
        "Trim_Horizon, Summary,  Event_Id",
        "' at_timestamp ', DETAILED, EVENT_ID",
    })
    void enumsAreCaseInsensitive(String position, String metrics, String keyMode) {
        DynamoDBSourceConfig config = load(with(
                "initialPositionInStream", position, "metricsLevel", metrics, "messageKeyMode", keyMode,
                "startAtTime", "2026-01-02T03:04:05Z"));

        assertThat(config.getInitialPositionInStream().name()).isEqualTo(position.trim().toUpperCase());
        assertThat(config.getMetricsLevel().name()).isEqualTo(metrics.toUpperCase());
        assertThat(config.getMessageKeyMode().name()).isEqualTo(keyMode.toUpperCase());
    }

    @Test
    void enumConstantsThemselvesAreAccepted() {
        DynamoDBSourceConfig config = load(with("initialPositionInStream", InitialPositionInStream.TRIM_HORIZON,
                "metricsLevel", MetricsLevel.SUMMARY, "messageKeyMode", MessageKeyMode.EVENT_ID));

        assertThat(config.getInitialPositionInStream()).isEqualTo(InitialPositionInStream.TRIM_HORIZON);
        assertThat(config.getMetricsLevel()).isEqualTo(MetricsLevel.SUMMARY);
        assertThat(config.getMessageKeyMode()).isEqualTo(MessageKeyMode.EVENT_ID);
    }

    static Stream<Arguments> startTimes() {
        return Stream.of(
                Arguments.of("2026-01-02T03:04:05Z", TIME),
                Arguments.of("2026-01-02T05:04:05+02:00", TIME),
                Arguments.of("2026-01-02T03:04:05.123+02:00", Instant.parse("2026-01-02T01:04:05.123Z")),
                Arguments.of(TIME.toEpochMilli(), TIME),
                Arguments.of(String.valueOf(TIME.toEpochMilli()), TIME),
                Arguments.of((double) TIME.toEpochMilli(), TIME),
                Arguments.of(0, Instant.EPOCH));
    }

    @ParameterizedTest
    @MethodSource("startTimes")
    void startAtTimeAcceptsIsoDateTimesAndEpochMillis(Object value, Instant expected) {
        DynamoDBSourceConfig config = load(with("initialPositionInStream", "at_timestamp", "startAtTime", value));

        assertThat(config.getStartAtTime()).contains(expected);
    }

    @Test
    void startAtTimeIsKeptButUnusedWithoutAtTimestamp() {
        assertThat(load(with("startAtTime", "2026-01-02T03:04:05Z")).getStartAtTime()).contains(TIME);
    }

    @ParameterizedTest
    @CsvSource({
        // awsRegion, ARN's region, signing region
        "'',        eu-north-1, eu-north-1",
        "us-west-2, eu-north-1, us-west-2",
        "'',        ddblocal,   us-east-1",
        "eu-west-1, ddblocal,   eu-west-1",
        "ddblocal,  ddblocal,   us-east-1",
        "us-east-1, xx-fake-1,  us-east-1",
        "'',        cn-north-1, cn-north-1",
    })
    void signingRegionComesFromAwsRegionElseTheArn(String awsRegion, String arnRegion, String expected) {
        String arn = ARN.replace("eu-north-1", arnRegion);

        DynamoDBSourceConfig config = load(with("awsRegion", awsRegion, "awsDynamodbStreamArn", arn));

        assertThat(config.getSigningRegion()).isEqualTo(Region.of(expected));
        assertThat(config.getStreamArnRegion()).isEqualTo(arnRegion);
    }

    @Test
    void otherPartitionsAndDynamoDbLocalArnsAreAccepted() {
        String chinaArn = "arn:aws-cn:dynamodb:cn-north-1:123456789012:table/my.table_1-a/stream/2026-01-02T03:04:05.123";
        assertThat(load(with("awsDynamodbStreamArn", chinaArn)).getStreamTableName()).isEqualTo("my.table_1-a");
        assertThat(load(with("awsDynamodbStreamArn", LOCAL_ARN)).getSigningRegion()).isEqualTo(Region.US_EAST_1);
    }

    @Test
    void applicationNameLengthLimitLeavesRoomForKclsOtherTables() {
        String longest = "a".repeat(DynamoDBSourceConfig.MAX_APPLICATION_NAME_LENGTH);

        assertThat(load(with("applicationName", longest)).getApplicationName()).isEqualTo(longest);
        assertThat(longest + "-WorkerMetricStats").hasSize(255);
        assertThat(load(with("applicationName", "a.b")).getApplicationName()).isEqualTo("a.b");
    }

    static Stream<Arguments> invalidConfigs() {
        String tooLong = "a".repeat(DynamoDBSourceConfig.MAX_APPLICATION_NAME_LENGTH + 1);
        return Stream.of(
                // name, config, key the message must name, fragment it must contain
                invalid("missing ARN", with("awsDynamodbStreamArn", REMOVE), "awsDynamodbStreamArn", "required"),
                invalid("empty ARN", with("awsDynamodbStreamArn", ""), "awsDynamodbStreamArn", "required"),
                invalid("Kinesis ARN", with("awsDynamodbStreamArn", "arn:aws:kinesis:eu-north-1:123456789012:stream/s"),
                        "awsDynamodbStreamArn", "must be a DynamoDB stream ARN"),
                invalid("table ARN without stream", with("awsDynamodbStreamArn",
                        "arn:aws:dynamodb:eu-north-1:123456789012:table/orders"), "awsDynamodbStreamArn", "got 'arn:"),
                invalid("11-digit account", with("awsDynamodbStreamArn", ARN.replace("123456789012", "12345678901")),
                        "awsDynamodbStreamArn", "12-digit account"),
                invalid("unknown ARN region", with("awsDynamodbStreamArn", ARN.replace("eu-north-1", "xx-fake-1")),
                        "awsDynamodbStreamArn", "region 'xx-fake-1' is not an AWS region known"),
                invalid("unknown awsRegion", with("awsRegion", "eu-moon-1"), "awsRegion", "got 'eu-moon-1'"),
                invalid("awsRegion not a string", with("awsRegion", List.of("eu-north-1")), "awsRegion",
                        "must be a string"),
                invalid("unknown initial position", with("initialPositionInStream", "EARLIEST"),
                        "initialPositionInStream", "LATEST, TRIM_HORIZON, AT_TIMESTAMP (any case), got 'EARLIEST'"),
                invalid("AT_TIMESTAMP without startAtTime", with("initialPositionInStream", "AT_TIMESTAMP"),
                        "startAtTime", "required when initialPositionInStream is AT_TIMESTAMP"),
                invalid("startAtTime with space", with("initialPositionInStream", "AT_TIMESTAMP",
                        "startAtTime", "2026-01-02 03:04:05"), "startAtTime", "ISO-8601"),
                invalid("startAtTime without offset", with("startAtTime", "2026-01-02T03:04:05"), "startAtTime",
                        "got '2026-01-02T03:04:05'"),
                invalid("startAtTime negative", with("startAtTime", -5), "startAtTime", "non-negative epoch"),
                invalid("startAtTime fractional", with("startAtTime", 1.5), "startAtTime", "got '1.5'"),
                invalid("negative checkpointInterval", with("checkpointInterval", -5), "checkpointInterval",
                        "must be a positive whole number of milliseconds, got '-5'"),
                invalid("zero checkpointInterval", with("checkpointInterval", "0"), "checkpointInterval", "positive"),
                invalid("fractional checkpointInterval", with("checkpointInterval", 1.5), "checkpointInterval",
                        "got '1.5'"),
                invalid("fractional string checkpointInterval", with("checkpointInterval", "60000.5"),
                        "checkpointInterval", "whole number"),
                invalid("overflowing checkpointInterval", with("checkpointInterval", "99999999999999999999"),
                        "checkpointInterval", "got '99999999999999999999'"),
                invalid("NaN checkpointInterval", with("checkpointInterval", Double.NaN), "checkpointInterval",
                        "got 'NaN'"),
                invalid("zero backoffTime", with("backoffTime", 0), "backoffTime", "positive"),
                invalid("negative pollInterval", with("pollInterval", -1L), "pollInterval", "positive"),
                invalid("non-numeric pollInterval", with("pollInterval", "fast"), "pollInterval", "got 'fast'"),
                invalid("metricsReportInterval under 100 ms", with("metricsReportInterval", 99),
                        "metricsReportInterval", "from 100 to 3600000"),
                invalid("metricsReportInterval over an hour", with("metricsReportInterval", "3600001"),
                        "metricsReportInterval", "got '3600001'"),
                invalid("negative numRetries", with("numRetries", -1), "numRetries", "from 0 to 2147483647"),
                invalid("int overflow numRetries", with("numRetries", 3_000_000_000L), "numRetries", "2147483647"),
                invalid("zero receiveQueueSize", with("receiveQueueSize", 0), "receiveQueueSize", "from 1 to"),
                invalid("boolean receiveQueueSize", with("receiveQueueSize", true), "receiveQueueSize", "got 'true'"),
                invalid("misspelt key", with("checkpointIntervall", 1000), "checkpointIntervall",
                        "did you mean 'checkpointInterval'?"),
                invalid("wrong-case key", with("awsregion", "eu-north-1"), "awsregion", "did you mean 'awsRegion'?"),
                invalid("unknown key", with("batchSize", 10), "batchSize", "valid keys are awsEndpoint, "),
                invalid("applicationName with spaces", with("applicationName", "Apache Pulsar IO Connector"),
                        "applicationName", "got 'Apache Pulsar IO Connector'"),
                invalid("applicationName too short", with("applicationName", "ab"), "applicationName", "3 to 237"),
                invalid("applicationName too long", with("applicationName", tooLong), "applicationName", "3 to 237"),
                invalid("applicationName with slash", with("applicationName", "a/b/c"), "applicationName", "'_'"),
                invalid("endpoint without scheme", with("awsEndpoint", "localhost:8000"), "awsEndpoint",
                        "absolute http or https URL"),
                invalid("endpoint with ftp scheme", with("dynamoEndpoint", "ftp://example.com"), "dynamoEndpoint",
                        "got 'ftp://example.com'"),
                invalid("endpoint without host", with("cloudwatchEndpoint", "http://"), "cloudwatchEndpoint",
                        "with a host"),
                invalid("endpoint with spaces", with("awsEndpoint", "http://local host"), "awsEndpoint", "URL"),
                invalid("endpoint with a newline", with("awsEndpoint", "http://a\nb"), "awsEndpoint",
                        "got 'http://a\\u000ab'"),
                invalid("credentials malformed JSON", with("awsCredentialPluginParam", STATIC_KEYS.replace("}", "")),
                        "awsCredentialPluginParam", "value not shown"),
                invalid("credentials with trailing text", with("awsCredentialPluginParam", STATIC_KEYS + " " + SECRET),
                        "awsCredentialPluginParam", "JSON object"),
                invalid("credentials not an object", with("awsCredentialPluginParam", "\"" + SECRET + "\""),
                        "awsCredentialPluginParam", "JSON object"),
                invalid("credentials missing secretKey",
                        with("awsCredentialPluginParam", "{\"accessKey\":\"" + ACCESS_KEY + "\"}"),
                        "awsCredentialPluginParam", "non-empty string \"secretKey\""),
                invalid("credentials empty secretKey",
                        with("awsCredentialPluginParam", STATIC_KEYS.replace(SECRET, "")),
                        "awsCredentialPluginParam", "\"secretKey\""),
                invalid("credentials numeric accessKey",
                        with("awsCredentialPluginParam", "{\"accessKey\":12,\"secretKey\":\"" + SECRET + "\"}"),
                        "awsCredentialPluginParam", "\"accessKey\""),
                invalid("credentials numeric sessionToken",
                        with("awsCredentialPluginParam", STATIC_KEYS.replace("}", ",\"sessionToken\":7}")),
                        "awsCredentialPluginParam", "sessionToken"),
                invalid("credentials missing", with("awsCredentialPluginParam", REMOVE), "awsCredentialPluginParam",
                        "required when awsCredentialPluginName is empty"),
                invalid("credentials not a string", with("awsCredentialPluginParam", Map.of("secretKey", SECRET)),
                        "awsCredentialPluginParam", "must be a string"),
                invalid("plugin name not a class name", with("awsCredentialPluginName", "my plugin!"),
                        "awsCredentialPluginName", "class name"),
                invalid("unknown metricsLevel", with("metricsLevel", "VERBOSE"), "metricsLevel",
                        "NONE, SUMMARY, DETAILED"),
                invalid("unknown messageKeyMode", with("messageKeyMode", "SORT_KEY"), "messageKeyMode",
                        "PRIMARY_KEY, EVENT_ID"));
    }

    private static Arguments invalid(String name, Map<String, Object> config, String key, String fragment) {
        return Arguments.of(name, config, key, fragment);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidConfigs")
    void invalidConfigIsRejectedWithOneLineNamingTheKey(String name, Map<String, Object> config, String key,
                                                         String fragment) {
        IllegalArgumentException e = catchThrowableOfType(IllegalArgumentException.class, () -> load(config));

        assertThat(e).as(name).isNotNull();
        assertThat(e.getMessage())
                .doesNotContain("\n", "\r")
                .contains("'" + key + "'")
                .contains(fragment)
                .doesNotContain(SECRET, ACCESS_KEY);
        assertThat(e.getMessage().split("; ")).as("exactly one error: %s", e.getMessage()).hasSize(1);
    }

    @Test
    void exampleErrorMessage() {
        assertThatThrownBy(() -> load(with("checkpointInterval", -5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid config 'checkpointInterval': must be a positive whole number of milliseconds, "
                        + "got '-5'");
    }

    @Test
    void allErrorsAreReportedOnOneLine() {
        Map<String, Object> config = with("awsDynamodbStreamArn", REMOVE, "checkpointIntervall", 5,
                "receiveQueueSize", 0, "awsCredentialPluginParam", "{\"accessKey\":\"" + SECRET + "\"}");

        assertThatThrownBy(() -> load(config))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Unknown config key 'checkpointIntervall'")
                .hasMessageContainingAll("; Invalid config 'awsDynamodbStreamArn'", "; Invalid config 'receiveQueueSize'",
                        "; Invalid config 'awsCredentialPluginParam'")
                .message().doesNotContain("\n", SECRET);
    }

    @Test
    void nullMapReportsTheMissingArn() {
        assertThatThrownBy(() -> DynamoDBSourceConfig.load(null, null))
                .hasMessageContaining("'awsDynamodbStreamArn': required");
    }

    @Test
    void secretFromContextOverridesTheMap() {
        String fromSecret = "{\"accessKey\":\"AKIAFROMSECRET\",\"secretKey\":\"other\",\"sessionToken\":\"t\"}";
        SourceContext context = mock(SourceContext.class);
        when(context.getSecret("awsCredentialPluginParam")).thenReturn(fromSecret);

        assertThat(DynamoDBSourceConfig.load(minimal(), context).getAwsCredentialPluginParam()).isEqualTo(fromSecret);
        assertThat(DynamoDBSourceConfig.load(with("awsCredentialPluginParam", REMOVE), context)
                .getAwsCredentialPluginParam()).isEqualTo(fromSecret);
    }

    @Test
    void mapValueIsUsedWhenTheContextHasNoSecret() {
        SourceContext context = mock(SourceContext.class);  // getSecret returns null

        assertThat(DynamoDBSourceConfig.load(minimal(), context).getAwsCredentialPluginParam()).isEqualTo(STATIC_KEYS);
    }

    @Test
    void invalidSecretIsReportedWithoutItsValue() {
        SourceContext context = mock(SourceContext.class);
        when(context.getSecret("awsCredentialPluginParam")).thenReturn("{\"accessKey\":\"" + SECRET + "\"");

        assertThatThrownBy(() -> DynamoDBSourceConfig.load(minimal(), context))
                .hasMessageContaining("'awsCredentialPluginParam'")
                .message().doesNotContain(SECRET);
    }

    @Test
    void toStringListsEveryKeyAndMasksTheSecret() {
        String text = load(with("awsEndpoint", "http://localhost:8000")).toString();

        assertThat(text)
                .contains("awsCredentialPluginParam='******'")
                .contains("awsEndpoint='http://localhost:8000'", "checkpointInterval=60000", "metricsLevel='NONE'",
                        "startAtTime=''")
                .doesNotContain(SECRET, ACCESS_KEY);
        for (String key : DynamoDBSourceConfig.KEYS) {
            assertThat(text).contains(key + "=");
        }
    }

    @Test
    void toStringShowsAnUnsetSecretAsEmpty() {
        String text = load(with("awsCredentialPluginName", "org.apache.pulsar.io.aws.AwsDefaultProviderChainPlugin",
                "awsCredentialPluginParam", REMOVE)).toString();

        assertThat(text).contains("awsCredentialPluginParam=''");
    }

    @Test
    void builtinUsersConfigLoads() {
        Map<String, Object> builtin = new LinkedHashMap<>();
        builtin.put("awsEndpoint", "");
        builtin.put("awsRegion", "eu-north-1");
        builtin.put("awsDynamodbStreamArn", ARN);
        builtin.put("awsCredentialPluginName", "");
        builtin.put("awsCredentialPluginParam", STATIC_KEYS);
        builtin.put("initialPositionInStream", "LATEST");
        builtin.put("startAtTime", null);
        builtin.put("applicationName", "my-pulsar-app");
        builtin.put("checkpointInterval", 60000L);
        builtin.put("backoffTime", 3000L);
        builtin.put("numRetries", 3);
        builtin.put("receiveQueueSize", 1000);
        builtin.put("dynamoEndpoint", "");
        builtin.put("cloudwatchEndpoint", "");

        DynamoDBSourceConfig config = load(builtin);

        assertThat(config.getApplicationName()).isEqualTo("my-pulsar-app");
        assertThat(config.getSigningRegion()).isEqualTo(Region.EU_NORTH_1);
        assertThat(config.getCheckpointInterval()).isEqualTo(60_000L);
        assertThat(config.getPollInterval()).isEqualTo(100L);
        assertThat(config.getMetricsLevel()).isEqualTo(MetricsLevel.NONE);
    }

    @Test
    void builtinUsersConfigThroughGsonLoads() {
        // configs that went through JSON may carry every number as a double
        Map<String, Object> config = with("checkpointInterval", 60000.0, "backoffTime", 3000.0, "numRetries", 3.0,
                "receiveQueueSize", 1000.0, "awsRegion", "eu-north-1", "applicationName", "my-pulsar-app");

        assertThat(load(config).getNumRetries()).isEqualTo(3);
    }

    @Test
    void jacksonConvertsTheConfigMapWithTheSameValidation() {
        ObjectMapper mapper = new ObjectMapper();

        DynamoDBSourceConfig config = mapper.convertValue(with("checkpointInterval", "1000"), DynamoDBSourceConfig.class);
        assertThat(config.getCheckpointInterval()).isEqualTo(1_000L);
        assertThat(config.getSigningRegion()).isEqualTo(Region.EU_NORTH_1);

        assertThatThrownBy(() -> mapper.convertValue(with("checkpointInterval", -5), DynamoDBSourceConfig.class))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Invalid config 'checkpointInterval'");
    }

    @Test
    void jacksonAcceptsStaticKeysMissingFromTheMapBecauseTheyMayBeSecrets() {
        DynamoDBSourceConfig config = new ObjectMapper()
                .convertValue(with("awsCredentialPluginParam", REMOVE), DynamoDBSourceConfig.class);

        assertThat(config.getAwsCredentialPluginParam()).isEmpty();
    }

    @Test
    void everyKeyIsAPrivateFinalFieldWithHelpAndItsDocumentedDefault() throws ReflectiveOperationException {
        DynamoDBSourceConfig defaults = load(minimal());
        Map<Class<?>, Object> concerns = Map.of(DynamoDBSourceConfig.class, defaults,
                OutputConfig.class, defaults.getOutput(), FilterConfig.class, defaults.getFilters(),
                SnapshotConfig.class, defaults.getSnapshot(), MetricsReportConfig.class, defaults.getMetricsReport(),
                TablesConfig.class, defaults.getTables());
        List<Field> fields = concerns.keySet().stream()
                .flatMap(type -> Arrays.stream(type.getDeclaredFields()))
                .filter(f -> f.isAnnotationPresent(FieldDoc.class))
                .toList();
        assertThat(fields).hasSize(32);
        assertThat(fields).extracting(Field::getName).containsExactlyInAnyOrderElementsOf(DynamoDBSourceConfig.KEYS);

        for (Field field : fields) {
            FieldDoc doc = field.getAnnotation(FieldDoc.class);
            assertThat(field.getModifiers() & (Modifier.PRIVATE | Modifier.FINAL))
                    .as(field.getName()).isEqualTo(Modifier.PRIVATE | Modifier.FINAL);
            assertThat(doc.help()).as(field.getName()).isNotBlank();
            // awsDynamodbStreamArn or one of the table keys is required: checked together, none alone
            assertThat(doc.required()).as(field.getName()).isFalse();
            assertThat(doc.sensitive()).as(field.getName())
                    .isEqualTo(field.getName().equals("awsCredentialPluginParam"));
            // the minimal config sets the stream ARN; every other key is at its default
            if (!doc.required() && !doc.sensitive() && !field.getName().equals("awsDynamodbStreamArn")) {
                field.setAccessible(true);
                Object value = field.get(concerns.get(field.getDeclaringClass()));
                String text = value instanceof java.util.Collection<?> set
                        ? set.stream().map(Object::toString).collect(Collectors.joining(","))
                        : value == null ? "" : value.toString();
                if (field.getName().equals("tombstoneAfterDelete")) {
                    // its default depends on the format: none with the default DYNAMODB_JSON
                    assertThat(doc.defaultValue()).isEqualTo("true with ENVELOPE");
                    assertThat(text).isEqualTo("false");
                } else {
                    assertThat(text).as(field.getName()).isEqualTo(doc.defaultValue());
                }
            }
        }
    }

    @Test
    void exampleConfigFileSetsEveryKeyAndLoads() throws IOException {
        Map<String, Object> example = readExampleConfigs(Path.of("conf", "dynamodb-source-config.yaml"));

        assertThat(example.keySet()).containsExactlyInAnyOrderElementsOf(DynamoDBSourceConfig.KEYS);
        DynamoDBSourceConfig config = load(example);
        assertThat(config.getSigningRegion()).isEqualTo(Region.US_EAST_1);
        assertThat(config.getAwsEndpointUri()).contains(URI.create("http://localhost:8000"));
        assertThat(config.getMetricsLevel()).isEqualTo(MetricsLevel.NONE);
    }

    /** The example's `configs:` entries; enough YAML for that file: one `key: scalar` per line, quoted or not. */
    private static Map<String, Object> readExampleConfigs(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertThat(lines).contains("configs:");
        Pattern entry = Pattern.compile("^  ([A-Za-z]+):\\s*(.*?)\\s*$");
        Map<String, Object> configs = new LinkedHashMap<>();
        for (String line : lines.subList(lines.indexOf("configs:") + 1, lines.size())) {
            Matcher m = entry.matcher(line);
            if (m.matches()) {
                String value = m.group(2);
                if (value.startsWith("\"")) {
                    value = new ObjectMapper().readValue(value, String.class);
                } else if (value.startsWith("'")) {
                    value = value.substring(1, value.length() - 1).replace("''", "'");
                }
                assertThat(configs.put(m.group(1), value)).as("duplicate key %s", m.group(1)).isNull();
            }
        }
        return configs;
    }

    @Test
    void returnsOptionalsNotNulls() {
        DynamoDBSourceConfig config = load(minimal());

        assertThat(config.getStartAtTime()).isEqualTo(Optional.empty());
        assertThat(config.getAwsEndpointUri()).isEqualTo(Optional.empty());
    }
}
