package org.apache.pulsar.io.dynamodb.testing;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/** An in-process DynamoDB Local on a free loopback port, with a client and table helpers for tests. */
public final class DynamoDbLocal implements AutoCloseable {

    public static final String ACCESS_KEY = "localTestAccessKey";
    public static final String SECRET_KEY = "localTestSecretKey";

    private final String[] args;
    private final int port;
    private final DynamoDbClient client;
    private DynamoDBProxyServer server;

    private DynamoDbLocal(DynamoDBProxyServer server, String[] args, int port) {
        this.server = server;
        this.args = args;
        this.port = port;
        this.client = DynamoDbClient.builder()
                .endpointOverride(URI.create(endpoint()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.putExecutionAttribute(AwsCallRecorder.TEST_CLIENT, Boolean.TRUE))
                .build();
    }

    public static DynamoDbLocal start() throws Exception {
        int port = freePort();
        return started(new String[] {"-inMemory", "-disableTelemetry", "-port", Integer.toString(port)}, port);
    }

    /** A DynamoDB Local keeping its tables in files under dbDir, so it can be stopped and started again. */
    public static DynamoDbLocal startFileBacked(java.nio.file.Path dbDir) throws Exception {
        java.nio.file.Files.createDirectories(dbDir);
        int port = freePort();
        return started(new String[] {"-dbPath", dbDir.toString(), "-sharedDb", "-disableTelemetry",
                "-port", Integer.toString(port)}, port);
    }

    private static DynamoDbLocal started(String[] args, int port) throws Exception {
        DynamoDBProxyServer server = ServerRunner.createServerFromCommandLineArgs(args);
        server.start();
        return new DynamoDbLocal(server, args, port);
    }

    /** Stops the server (the port is closed); {@link #startServer} starts it again with the same arguments. */
    public synchronized void stopServer() throws Exception {
        server.stop();
    }

    /** Starts the stopped server again on the same port (and, when file-backed, the same data). */
    public synchronized void startServer() throws Exception {
        server = ServerRunner.createServerFromCommandLineArgs(args);
        server.start();
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public DynamoDbClient client() {
        return client;
    }

    /**
     * A new async client of this DynamoDB Local, built as the connector builds its own (its calls are not marked as
     * the test's, unlike {@link #client()}'s), for connector code under test; the caller closes it.
     */
    public DynamoDbAsyncClient newAsyncClient() {
        return DynamoDbAsyncClient.builder().endpointOverride(URI.create(endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY,
                        SECRET_KEY))).build();
    }

    /** Creates a table keyed by a string {@code id} with a NEW_AND_OLD_IMAGES stream; returns the stream ARN. */
    public String createTableWithStream(String table) {
        return client.createTable(b -> b.tableName(table)
                        .keySchema(KeySchemaElement.builder().attributeName("id").keyType(KeyType.HASH).build())
                        .attributeDefinitions(AttributeDefinition.builder().attributeName("id")
                                .attributeType(ScalarAttributeType.S).build())
                        .billingMode(BillingMode.PAY_PER_REQUEST)
                        .streamSpecification(s -> s.streamEnabled(true)
                                .streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)))
                .tableDescription().latestStreamArn();
    }

    /** Turns the table's stream off, or on again (a new stream, NEW_AND_OLD_IMAGES). */
    public void setStream(String table, boolean enabled) {
        client.updateTable(b -> b.tableName(table).streamSpecification(s -> {
            s.streamEnabled(enabled);
            if (enabled) {
                s.streamViewType(StreamViewType.NEW_AND_OLD_IMAGES);
            }
        }));
    }

    /** The table's latest stream, as DescribeTable names it (a disabled one too). */
    public String latestStream(String table) {
        return client.describeTable(b -> b.tableName(table)).table().latestStreamArn();
    }

    /**
     * A source config for a stream of this DynamoDB Local: its endpoints, the static test keys, the application,
     * TRIM_HORIZON and a 1 s checkpoint interval; mutable, so a test can add or change keys.
     */
    public Map<String, Object> sourceConfig(String streamArn, String applicationName) {
        Map<String, Object> config = new java.util.HashMap<>();
        config.put("awsEndpoint", endpoint());
        config.put("dynamoEndpoint", endpoint());
        config.put("awsDynamodbStreamArn", streamArn);
        config.put("awsCredentialPluginParam", "{\"accessKey\":\"" + ACCESS_KEY
                + "\",\"secretKey\":\"" + SECRET_KEY + "\"}");
        config.put("applicationName", applicationName);
        config.put("initialPositionInStream", "TRIM_HORIZON");
        config.put("checkpointInterval", "1000");
        return config;
    }

    public void put(String table, Map<String, AttributeValue> item) {
        client.putItem(b -> b.tableName(table).item(item));
    }

    public void delete(String table, String id) {
        client.deleteItem(b -> b.tableName(table).key(Map.of("id", AttributeValue.fromS(id))));
    }

    /** Every lease of a KCL application: lease key to checkpoint sequence number. */
    public Map<String, String> checkpoints(String applicationName) {
        List<Map<String, AttributeValue>> items = client.scan(b -> b.tableName(applicationName)).items();
        Map<String, String> checkpoints = new java.util.TreeMap<>();
        for (Map<String, AttributeValue> item : items) {
            AttributeValue checkpoint = item.get("checkpoint");
            checkpoints.put(item.get("leaseKey").s(), checkpoint == null ? null : checkpoint.s());
        }
        return checkpoints;
    }

    /** Every lease of a KCL application: lease key to owner (null when none). */
    public Map<String, String> leaseOwners(String applicationName) {
        Map<String, String> owners = new java.util.TreeMap<>();
        for (Map<String, AttributeValue> item : client.scan(b -> b.tableName(applicationName)).items()) {
            AttributeValue owner = item.get("leaseOwner");
            owners.put(item.get("leaseKey").s(), owner == null ? null : owner.s());
        }
        return owners;
    }

    /** The subsequence number of each lease's checkpoint (effectively-once stores the record number there). */
    public Map<String, Long> leaseCheckpointSubsequences(String applicationName) {
        Map<String, Long> subsequences = new java.util.TreeMap<>();
        for (Map<String, AttributeValue> item : client.scan(b -> b.tableName(applicationName)).items()) {
            AttributeValue subsequence = item.get("checkpointSubSequenceNumber");
            subsequences.put(item.get("leaseKey").s(), subsequence == null ? 0 : Long.parseLong(subsequence.n()));
        }
        return subsequences;
    }

    @Override
    public void close() throws Exception {
        client.close();
        server.stop();
    }
}
