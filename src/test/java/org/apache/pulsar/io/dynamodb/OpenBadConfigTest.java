package org.apache.pulsar.io.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.logging.log4j.Level;
import org.apache.pulsar.io.dynamodb.testing.LogCapture;
import org.apache.pulsar.io.dynamodb.testing.SourceHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A user's config mistake fails {@link DynamoDBSource#open} itself at once, before any AWS call (the endpoints
 * point nowhere), with one line naming the key, and with no ERROR log carrying a stack trace.
 */
class OpenBadConfigTest {

    private static final String ARN =
            "arn:aws:dynamodb:eu-north-1:123456789012:table/orders/stream/2026-01-02T03:04:05.123";
    private static final String ACCESS_KEY = "AKIAOPENTESTACCESS";
    private static final String SECRET = "openTestSecretValue42";
    private static final String TOKEN = "openTestSessionToken77";
    private static final String STATIC_KEYS = "{\"accessKey\":\"" + ACCESS_KEY + "\",\"secretKey\":\"" + SECRET
            + "\",\"sessionToken\":\"" + TOKEN + "\"}";
    // Nothing listens here: an AWS call would fail slowly and with another message.
    private static final String NOWHERE = "http://127.0.0.1:9";
    private static final Object REMOVE = new Object();

    private static Map<String, Object> with(Object... keysAndValues) {
        Map<String, Object> config = new HashMap<>();
        config.put("awsDynamodbStreamArn", ARN);
        config.put("awsCredentialPluginParam", STATIC_KEYS);
        config.put("awsEndpoint", NOWHERE);
        config.put("dynamoEndpoint", NOWHERE);
        config.put("cloudwatchEndpoint", NOWHERE);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (keysAndValues[i + 1] == REMOVE) {
                config.remove((String) keysAndValues[i]);
            } else {
                config.put((String) keysAndValues[i], keysAndValues[i + 1]);
            }
        }
        return config;
    }

    static Stream<Arguments> badConfigs() {
        return Stream.of(
                bad("no stream ARN", with("awsDynamodbStreamArn", REMOVE), "awsDynamodbStreamArn"),
                bad("table ARN, not a stream", with("awsDynamodbStreamArn",
                        "arn:aws:dynamodb:eu-north-1:123456789012:table/orders"), "awsDynamodbStreamArn"),
                bad("ARN with unknown region", with("awsDynamodbStreamArn", ARN.replace("eu-north-1", "xx-fake-1")),
                        "awsDynamodbStreamArn"),
                bad("unknown awsRegion", with("awsRegion", "eu-moon-1"), "awsRegion"),
                bad("stream ARN and tableName", with("tableName", "orders", "awsRegion", "eu-north-1"), "tableName"),
                bad("tables with a topic pattern without {table}", with("awsDynamodbStreamArn", REMOVE,
                        "tables", "orders,users", "awsRegion", "eu-north-1", "topicPattern", "dynamodb-all"),
                        "topicPattern"),
                bad("endpoint without scheme", with("awsEndpoint", "localhost:8000"), "awsEndpoint"),
                bad("lease endpoint ftp", with("dynamoEndpoint", "ftp://example.com"), "dynamoEndpoint"),
                bad("cloudwatch endpoint without host", with("cloudwatchEndpoint", "http://"), "cloudwatchEndpoint"),
                bad("unknown initial position", with("initialPositionInStream", "EARLIEST"),
                        "initialPositionInStream"),
                bad("AT_TIMESTAMP without start", with("initialPositionInStream", "AT_TIMESTAMP"), "startAtTime"),
                bad("startAtTime without offset", with("initialPositionInStream", "AT_TIMESTAMP",
                        "startAtTime", "2026-01-02T03:04:05"), "startAtTime"),
                bad("negative checkpointInterval", with("checkpointInterval", -5), "checkpointInterval"),
                bad("fractional checkpointInterval", with("checkpointInterval", "60000.5"), "checkpointInterval"),
                bad("zero backoffTime", with("backoffTime", 0), "backoffTime"),
                bad("text pollInterval", with("pollInterval", "fast"), "pollInterval"),
                bad("negative numRetries", with("numRetries", -1), "numRetries"),
                bad("zero receiveQueueSize", with("receiveQueueSize", 0), "receiveQueueSize"),
                bad("boolean receiveQueueSize", with("receiveQueueSize", true), "receiveQueueSize"),
                bad("unknown metricsLevel", with("metricsLevel", "VERBOSE"), "metricsLevel"),
                bad("unknown messageKeyMode", with("messageKeyMode", "SORT_KEY"), "messageKeyMode"),
                bad("unknown outputFormat", with("outputFormat", "AVRO"), "outputFormat"),
                bad("EVENT_ID key with DOCUMENT", with("outputFormat", "DOCUMENT", "messageKeyMode", "EVENT_ID"),
                        "messageKeyMode"),
                bad("tombstones with DYNAMODB_JSON", with("tombstoneAfterDelete", true), "tombstoneAfterDelete"),
                bad("unknown event name", with("eventNames", "INSERT,UPSERT"), "eventNames"),
                bad("applicationName with spaces", with("applicationName", "my app"), "applicationName"),
                bad("applicationName too short", with("applicationName", "ab"), "applicationName"),
                bad("misspelt key", with("checkpointIntervall", 1000), "checkpointIntervall"),
                bad("unknown key", with("batchSize", 10), "batchSize"),
                bad("credentials missing", with("awsCredentialPluginParam", REMOVE), "awsCredentialPluginParam"),
                bad("credentials malformed JSON", with("awsCredentialPluginParam", STATIC_KEYS.replace("}", "")),
                        "awsCredentialPluginParam"),
                bad("credentials without secretKey", with("awsCredentialPluginParam",
                        "{\"accessKey\":\"" + ACCESS_KEY + "\",\"sessionToken\":\"" + TOKEN + "\"}"),
                        "awsCredentialPluginParam"),
                bad("credentials numeric sessionToken", with("awsCredentialPluginParam",
                        STATIC_KEYS.replace("\"" + TOKEN + "\"", "7")), "awsCredentialPluginParam"),
                bad("plugin name not a class name", with("awsCredentialPluginName", "my plugin!"),
                        "awsCredentialPluginName"),
                bad("plugin class not found", with("awsCredentialPluginName", "com.example.NoSuchPlugin"),
                        "awsCredentialPluginName"),
                bad("plugin class of the wrong type", with("awsCredentialPluginName", "java.lang.String"),
                        "awsCredentialPluginName"));
    }

    private static Arguments bad(String name, Map<String, Object> config, String key) {
        return Arguments.of(name, config, key);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigs")
    void badConfigFailsOpenFastWithOneLineNamingTheKey(String name, Map<String, Object> config, String key) {
        DynamoDBSource source = new DynamoDBSource();
        List<LogCapture.Event> events;
        Throwable thrown;
        try (LogCapture logs = LogCapture.start()) {
            // A guard against a hang (open() retrying AWS calls it must not make), not a speed measure: the first
            // case also pays the class loading, which took over 20 s on a 2-core machine at load average 60.
            thrown = assertTimeoutPreemptively(Duration.ofSeconds(120),
                    () -> catchThrowable(() -> source.open(config, SourceHarness.context("bad-config"))));
            source.close();
            events = logs.events();
        }

        assertThat(thrown).as(name).isInstanceOf(IllegalArgumentException.class);
        assertThat(thrown.getMessage())
                .doesNotContain("\n", "\r")
                .contains("'" + key + "'")
                .doesNotContain(ACCESS_KEY, SECRET, TOKEN);
        assertThat(events).as("a user mistake logs no ERROR with a stack trace")
                .noneMatch(e -> e.level().isMoreSpecificThan(Level.ERROR) && e.hasThrowable());
        assertThat(events).as("nothing logged shows a secret")
                .noneMatch(e -> e.allText().contains(SECRET) || e.allText().contains(TOKEN)
                        || e.allText().contains(ACCESS_KEY));
    }
}
