package org.apache.pulsar.io.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;
import static org.mockito.Mockito.when;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.pulsar.io.core.SourceContext;
import org.apache.pulsar.io.dynamodb.testing.DynamoDbLocal;
import org.apache.pulsar.io.dynamodb.testing.LogCapture;
import org.apache.pulsar.io.dynamodb.testing.SourceHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * With every logger down to TRACE (the SDK's request logging included), a source that opens with session
 * credentials, streams, fails to open in several ways and closes never shows the access key, the secret key or
 * the session token: not in a message, a parameter, or any exception's text.
 */
class SecretsNotLoggedIT {

    // DynamoDB Local accepts any alphanumeric access key (and keeps each key's tables apart) and session tokens.
    private static final String ACCESS_KEY = "AKIALEAKCHECK7Q3ZX9";
    private static final String SECRET_KEY = "leakCheckSecret/Kq8+Zr2Wm5Tn0Vb3Yc6Xd9Pf4Lg7Jh1Nx";
    private static final String SESSION_TOKEN = "LeakCheckSessionTokenIQoJb3JpZ2luX2VjEJr8Lt3Wq6Mz9Xv2Nb5Kc8Hd1";
    // Rejected by DynamoDB Local ("The Access Key ID or security token is invalid").
    private static final String BAD_ACCESS_KEY = "AKIA-LEAK!CHECK-BAD";
    private static final List<String> SECRETS = List.of(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN, BAD_ACCESS_KEY);
    private static final String TABLE = "secrets";
    private static final List<String> SDK_CREDENTIAL_PRINTERS = List.of(
            "software.amazon.awssdk.http.auth.aws.internal.signer.DefaultV4RequestSigner",
            "io.netty.handler.logging.LoggingHandler");
    private static final Map<String, Level> EVERYTHING = Map.of(
            "", Level.ALL,
            "software.amazon", Level.ALL,
            "io.netty", Level.ALL,
            "org.apache.pulsar.io.dynamodb", Level.ALL,
            "com.amazonaws.services.dynamodbv2.streamsadapter", Level.ALL,
            // the fake AWS itself is no part of the connector
            "org.eclipse.jetty", Level.WARN,
            "com.almworks", Level.WARN);

    private static DynamoDbLocal dynamo;
    private static DynamoDbClient client;
    private static String streamArn;

    @BeforeAll
    static void createTableWithTheSecretCredentials() throws Exception {
        dynamo = DynamoDbLocal.start();
        client = DynamoDbClient.builder()
                .endpointOverride(URI.create(dynamo.endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsSessionCredentials.create(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN)))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
        streamArn = client.createTable(b -> b.tableName(TABLE)
                        .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                        .attributeDefinitions(AttributeDefinition.builder().attributeName("id")
                                .attributeType(ScalarAttributeType.S).build())
                        .provisionedThroughput(p -> p.readCapacityUnits(5L).writeCapacityUnits(5L))
                        .streamSpecification(s -> s.streamEnabled(true)
                                .streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)))
                .tableDescription().latestStreamArn();
        for (int i = 0; i < 3; i++) {
            client.putItem(b -> b.tableName(TABLE).item(Map.of("id", AttributeValue.fromS("s" + System.nanoTime()))));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (dynamo != null) {
            dynamo.close();
        }
    }

    private static String credentialsJson(String accessKey) {
        return "{\"accessKey\":\"" + accessKey + "\",\"secretKey\":\"" + SECRET_KEY + "\",\"sessionToken\":\""
                + SESSION_TOKEN + "\"}";
    }

    private static Map<String, Object> config(String arn, String applicationName) {
        Map<String, Object> config = new HashMap<>();
        config.put("awsEndpoint", dynamo.endpoint());
        config.put("dynamoEndpoint", dynamo.endpoint());
        config.put("awsDynamodbStreamArn", arn);
        config.put("awsCredentialPluginParam", credentialsJson(ACCESS_KEY));
        config.put("applicationName", applicationName);
        config.put("initialPositionInStream", "TRIM_HORIZON");
        config.put("checkpointInterval", "1000");
        config.put("backoffTime", "200");
        return config;
    }

    @Test
    void noSecretInAnyLogOrErrorFromOpenStreamingFailuresAndClose() throws Exception {
        List<Throwable> openFailures = new ArrayList<>();
        List<LogCapture.Event> events;
        try (LogCapture logs = LogCapture.start(EVERYTHING)) {
            // Streams with session credentials from the config, and closes.
            Map<String, Object> good = config(streamArn, "it-secrets");
            assertThat(DynamoDBSourceConfig.load(good, null).toString()).doesNotContain(SECRETS);
            SourceHarness harness = SourceHarness.open(good, "it-secrets", record -> true);
            try {
                await().atMost(Duration.ofSeconds(120)).until(() -> harness.received().size() >= 3);
            } finally {
                harness.close();
            }

            // Credentials from the function's secrets; the stream does not exist.
            Map<String, Object> fromSecrets = config(streamArn.replace("table/" + TABLE, "table/nosuchtable"),
                    "it-secrets-missing");
            fromSecrets.remove("awsCredentialPluginParam");
            SourceContext context = SourceHarness.context("it-secrets-missing");
            when(context.getSecret("awsCredentialPluginParam")).thenReturn(credentialsJson(ACCESS_KEY));
            assertThat(DynamoDBSourceConfig.load(fromSecrets, context).toString()).doesNotContain(SECRETS);
            openFailures.add(failedOpen(fromSecrets, context, IllegalStateException.class, "not found"));

            // Credentials DynamoDB Local refuses.
            Map<String, Object> refused = config(streamArn, "it-secrets-refused");
            refused.put("awsCredentialPluginParam", credentialsJson(BAD_ACCESS_KEY));
            openFailures.add(failedOpen(refused, null, IllegalStateException.class, "refused DescribeStream"));

            // User mistakes around the secret: malformed JSON, a misspelt sensitive key, a plugin that rejects it.
            Map<String, Object> malformed = config(streamArn, "it-secrets-bad");
            malformed.put("awsCredentialPluginParam", credentialsJson(ACCESS_KEY).replace("}", ""));
            openFailures.add(failedOpen(malformed, null, IllegalArgumentException.class, "awsCredentialPluginParam"));

            Map<String, Object> misspelt = config(streamArn, "it-secrets-bad");
            misspelt.put("awsCredentialPluginParams", misspelt.remove("awsCredentialPluginParam"));
            openFailures.add(failedOpen(misspelt, null, IllegalArgumentException.class, "awsCredentialPluginParams"));

            Map<String, Object> plugin = config(streamArn, "it-secrets-bad");
            plugin.put("awsCredentialPluginName", "org.apache.pulsar.io.aws.STSAssumeRoleProviderPlugin");
            openFailures.add(failedOpen(plugin, null, IllegalArgumentException.class, "awsCredentialPluginParam"));

            events = logs.events();
        }

        assertThat(events).as("the capture saw the SDK's request logging")
                .anyMatch(e -> e.logger().startsWith("software.amazon.awssdk") && e.level() == Level.DEBUG)
                .anyMatch(e -> e.logger().startsWith("org.apache.pulsar.io.dynamodb") && e.level() == Level.INFO);
        for (LogCapture.Event event : events) {
            if (event.logger().startsWith("com.amazonaws.services.dynamodbv2.local")) {
                continue;  // DynamoDB Local, the stand-in for AWS, is no part of the connector
            }
            if (SDK_CREDENTIAL_PRINTERS.contains(event.logger())) {
                // Found here: at DEBUG the SDK's signer logs the canonical request (with the session token) and
                // Netty's wire log every header (Authorization names the access key id). The connector cannot
                // stop them; it warns (asserted below). The secret key is never sent, so never shown.
                assertThat(event.allText()).as("log event %s", event).doesNotContain(SECRET_KEY);
                continue;
            }
            assertThat(event.allText()).as("log event %s", event).doesNotContain(SECRETS);
        }
        assertThat(events).as("the connector warns that DEBUG logging of the SDK prints credentials")
                .anyMatch(e -> e.level() == Level.WARN && e.message().contains(SDK_CREDENTIAL_PRINTERS.get(0))
                        && e.message().contains("session token"));
        for (Throwable failure : openFailures) {
            assertThat(stackTrace(failure)).doesNotContain(SECRETS);
        }
    }

    private static Throwable failedOpen(Map<String, Object> config, SourceContext context,
                                        Class<? extends Throwable> type, String fragment) {
        DynamoDBSource source = new DynamoDBSource();
        Throwable thrown = catchThrowable(() -> source.open(config,
                context != null ? context : SourceHarness.context("it-secrets-failing")));
        source.close();
        assertThat(thrown).isInstanceOf(type).hasMessageContaining(fragment);
        return thrown;
    }

    private static String stackTrace(Throwable thrown) {
        StringWriter out = new StringWriter();
        thrown.printStackTrace(new PrintWriter(out));
        return out.toString();
    }
}
