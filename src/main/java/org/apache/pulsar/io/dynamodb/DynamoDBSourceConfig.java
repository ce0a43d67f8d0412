package org.apache.pulsar.io.dynamodb;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.pulsar.io.core.SourceContext;
import org.apache.pulsar.io.core.annotations.FieldDoc;
import org.apache.pulsar.io.dynamodb.config.ConfigReader;
import org.apache.pulsar.io.dynamodb.config.FieldDocs;
import org.apache.pulsar.io.dynamodb.config.FilterConfig;
import org.apache.pulsar.io.dynamodb.config.MessageKeyMode;
import org.apache.pulsar.io.dynamodb.config.MetricsReportConfig;
import org.apache.pulsar.io.dynamodb.config.OutputConfig;
import org.apache.pulsar.io.dynamodb.config.SnapshotConfig;
import org.apache.pulsar.io.dynamodb.config.TablesConfig;
import software.amazon.awssdk.regions.Region;
import software.amazon.kinesis.common.InitialPositionInStream;
import software.amazon.kinesis.metrics.MetricsLevel;

/**
 * The source's validated, immutable configuration; keys, types and defaults are the builtin connector's.
 * Each {@link FieldDoc} field is a config key of the same name; the keys of a concern of their own (output, filters,
 * snapshot) are read by its class in the {@code config} package.
 */
public final class DynamoDBSourceConfig {

    /** The region DynamoDB Local writes in every stream ARN; no SDK region has that name. */
    static final String DYNAMODB_LOCAL_REGION = "ddblocal";

    // KCL names two more tables after the application: <app>-CoordinatorState and <app>-WorkerMetricStats,
    // and every DynamoDB table name is at most 255 characters.
    static final int MAX_APPLICATION_NAME_LENGTH = 255 - "-WorkerMetricStats".length();
    private static final Pattern TABLE_NAME = Pattern.compile("[a-zA-Z0-9_.-]+");
    private static final Pattern STREAM_ARN = Pattern.compile(
            "arn:aws[^:]*:dynamodb:([a-z0-9-]+):\\d{12}:table/([a-zA-Z0-9_.-]{3,255})/stream/[^/\\s]+");
    private static final Pattern CLASS_NAME = Pattern.compile(
            "(\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*\\.)*"
                    + "\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*");
    private static final String POSITIVE_MILLIS = "a positive whole number of milliseconds";
    private static final String STATIC_KEYS_EXAMPLE = "{\"accessKey\":\"...\",\"secretKey\":\"...\"}";

    /** The config keys: this class's {@link FieldDoc} fields, then each concern's, in declaration order. */
    static final List<String> KEYS = Stream.of(FieldDocs.keys(DynamoDBSourceConfig.class), OutputConfig.KEYS,
            FilterConfig.KEYS, SnapshotConfig.KEYS, MetricsReportConfig.KEYS, TablesConfig.KEYS)
            .flatMap(List::stream).toList();

    @FieldDoc(required = false, defaultValue = "",
            help = "DynamoDB Streams endpoint URL, e.g. http://localhost:8000 for DynamoDB Local; empty for AWS's")
    private final String awsEndpoint;

    @FieldDoc(required = false, defaultValue = "",
            help = "AWS region to sign requests for, e.g. eu-north-1; empty means the region in awsDynamodbStreamArn "
                    + "(us-east-1 for DynamoDB Local's 'ddblocal'); required with tableName and tables, where "
                    + "'ddblocal' names DynamoDB Local")
    private final String awsRegion;

    @FieldDoc(required = false, defaultValue = "",
            help = "ARN of the table's stream: arn:aws:dynamodb:<region>:<account>:table/<table>/stream/<label>; "
                    + "or name the table with tableName (or several with tables)")
    private final String awsDynamodbStreamArn;

    @FieldDoc(required = false, defaultValue = "",
            help = "Class name of an org.apache.pulsar.io.aws.AwsCredentialProviderPlugin, e.g. "
                    + "org.apache.pulsar.io.aws.AwsDefaultProviderChainPlugin or "
                    + "org.apache.pulsar.io.aws.STSAssumeRoleProviderPlugin; empty means static keys from "
                    + "awsCredentialPluginParam")
    private final String awsCredentialPluginName;

    @FieldDoc(required = false, defaultValue = "", sensitive = true,
            help = "Parameter of the credential plugin; with no plugin, JSON static keys: "
                    + "{\"accessKey\":\"...\",\"secretKey\":\"...\"} plus an optional \"sessionToken\"")
    private final String awsCredentialPluginParam;

    @FieldDoc(required = false, defaultValue = "LATEST",
            help = "Where a shard with no checkpoint starts: LATEST (new changes only), TRIM_HORIZON (oldest "
                    + "change still in the stream, up to 24 hours) or AT_TIMESTAMP (changes from startAtTime)")
    private final InitialPositionInStream initialPositionInStream;

    @FieldDoc(required = false, defaultValue = "",
            help = "Start time for AT_TIMESTAMP (required then, ignored otherwise): ISO-8601 date-time with offset, "
                    + "e.g. 2026-01-02T03:04:05Z, or epoch milliseconds")
    private final Instant startAtTime;

    @FieldDoc(required = false, defaultValue = "pulsar-dynamodb",
            help = "KCL application name: names the DynamoDB lease table (plus <name>-CoordinatorState and "
                    + "<name>-WorkerMetricStats) that holds the checkpoints: 3 to 237 characters of "
                    + "a-z, A-Z, 0-9, '_', '-' and '.'. Use one per source and keep it across updates")
    private final String applicationName;

    @FieldDoc(required = false, defaultValue = "60000",
            help = "Milliseconds between checkpoints of the records Pulsar has acknowledged")
    private final long checkpointInterval;

    @FieldDoc(required = false, defaultValue = "3000",
            help = "Milliseconds to wait before retrying a throttled or failed checkpoint; also the longest an AWS "
                    + "request retry backs off and KCL's wait after a failed task")
    private final long backoffTime;

    @FieldDoc(required = false, defaultValue = "3",
            help = "How many times a failed checkpoint is retried")
    private final int numRetries;

    @FieldDoc(required = false, defaultValue = "1000",
            help = "How many records the connector buffers before Pulsar reads them")
    private final int receiveQueueSize;

    @FieldDoc(required = false, defaultValue = "",
            help = "DynamoDB endpoint URL for KCL's lease tables, e.g. http://localhost:8000; empty for AWS's")
    private final String dynamoEndpoint;

    @FieldDoc(required = false, defaultValue = "",
            help = "CloudWatch endpoint URL for KCL metrics; empty for AWS's; unused when metricsLevel is NONE")
    private final String cloudwatchEndpoint;

    @FieldDoc(required = false, defaultValue = "100",
            help = "Milliseconds a shard's poller waits between GetRecords calls (twice that after an empty one); "
                    + "lower means less latency and more requests")
    private final long pollInterval;

    @FieldDoc(required = false, defaultValue = "NONE",
            help = "KCL metrics sent to CloudWatch: NONE (no CloudWatch calls or permission needed), SUMMARY "
                    + "or DETAILED")
    private final MetricsLevel metricsLevel;

    /** messageKeyMode, outputFormat, tombstoneAfterDelete. */
    private final OutputConfig output;

    /** eventNames, filterCriteria. */
    private final FilterConfig filters;

    /** snapshotMode, snapshotSegments, snapshotReadCapacityPerSecond, snapshotConsistentRead. */
    private final SnapshotConfig snapshot;

    /** metricsReportInterval. */
    private final MetricsReportConfig metricsReport;

    /** tableName, tables, tableNamePrefix, tableTag, discoveryInterval, topicPattern. */
    private final TablesConfig tables;

    /** Derived, not a key: null only while the instance is being rejected. */
    private final Region signingRegion;

    private DynamoDBSourceConfig(ConfigReader in, boolean credentialsMayBeSecret) {
        awsEndpoint = endpoint(in, "awsEndpoint");
        awsRegion = in.string("awsRegion", false, "");
        awsDynamodbStreamArn = in.string("awsDynamodbStreamArn", false, "");
        awsCredentialPluginName = in.string("awsCredentialPluginName", false, "");
        awsCredentialPluginParam = in.string("awsCredentialPluginParam", true, "");
        initialPositionInStream = in.enumValue(
                "initialPositionInStream", InitialPositionInStream.class, InitialPositionInStream.LATEST);
        startAtTime = in.instant("startAtTime").orElse(null);
        applicationName = in.string("applicationName", false, "pulsar-dynamodb");
        checkpointInterval = in.longValue("checkpointInterval", 60_000, 1, Long.MAX_VALUE, POSITIVE_MILLIS);
        backoffTime = in.longValue("backoffTime", 3_000, 1, Long.MAX_VALUE, POSITIVE_MILLIS);
        numRetries = in.intValue("numRetries", 3, 0, "a whole number from 0 to " + Integer.MAX_VALUE);
        receiveQueueSize = in.intValue("receiveQueueSize", 1_000, 1, "a whole number from 1 to " + Integer.MAX_VALUE);
        dynamoEndpoint = endpoint(in, "dynamoEndpoint");
        cloudwatchEndpoint = endpoint(in, "cloudwatchEndpoint");
        pollInterval = in.longValue("pollInterval", 100, 1, Long.MAX_VALUE, POSITIVE_MILLIS);
        metricsLevel = in.enumValue("metricsLevel", MetricsLevel.class, MetricsLevel.NONE);
        output = OutputConfig.read(in);
        filters = FilterConfig.read(in);
        snapshot = SnapshotConfig.read(in);
        metricsReport = MetricsReportConfig.read(in);
        tables = TablesConfig.read(in, !awsDynamodbStreamArn.isEmpty());

        signingRegion = signingRegion(in);
        checkApplicationName(in);
        checkCredentials(in, credentialsMayBeSecret);
        if (initialPositionInStream == InitialPositionInStream.AT_TIMESTAMP && startAtTime == null
                && !in.hasErrorsFor("startAtTime")) {
            in.error("startAtTime", "required when initialPositionInStream is AT_TIMESTAMP");
        }
    }

    /** The same configuration reading the given stream: tableName's current stream, once found. */
    private DynamoDBSourceConfig(DynamoDBSourceConfig base, String streamArn) {
        awsEndpoint = base.awsEndpoint;
        awsRegion = base.awsRegion;
        awsDynamodbStreamArn = streamArn;
        awsCredentialPluginName = base.awsCredentialPluginName;
        awsCredentialPluginParam = base.awsCredentialPluginParam;
        initialPositionInStream = base.initialPositionInStream;
        startAtTime = base.startAtTime;
        applicationName = base.applicationName;
        checkpointInterval = base.checkpointInterval;
        backoffTime = base.backoffTime;
        numRetries = base.numRetries;
        receiveQueueSize = base.receiveQueueSize;
        dynamoEndpoint = base.dynamoEndpoint;
        cloudwatchEndpoint = base.cloudwatchEndpoint;
        pollInterval = base.pollInterval;
        metricsLevel = base.metricsLevel;
        output = base.output;
        filters = base.filters;
        snapshot = base.snapshot;
        metricsReport = base.metricsReport;
        tables = base.tables;
        signingRegion = base.signingRegion;
    }

    /** This configuration with tableName's stream found: reads that stream as if awsDynamodbStreamArn named it. */
    public DynamoDBSourceConfig withStreamArn(String streamArn) {
        if (!STREAM_ARN.matcher(streamArn).matches()) {
            throw new IllegalStateException("not a DynamoDB stream ARN: " + streamArn);
        }
        return new DynamoDBSourceConfig(this, streamArn);
    }

    /** Loads and validates the map Pulsar passes to open(); sensitive keys may come from the function's secrets. */
    public static DynamoDBSourceConfig load(Map<String, Object> config, SourceContext context) {
        return parse(config, context, false);
    }

    /**
     * For Pulsar's tooling, which may convert the config map with an ObjectMapper: same validation as load(),
     * except that static keys may be missing from the map because they may come from secrets at run time.
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    private static DynamoDBSourceConfig fromMap(Map<String, Object> config) {
        return parse(config, null, true);
    }

    private static DynamoDBSourceConfig parse(Map<String, Object> config, SourceContext context,
                                              boolean credentialsMayBeSecret) {
        ConfigReader in = new ConfigReader(config, context);
        in.rejectUnknownKeys(KEYS);
        DynamoDBSourceConfig parsed = new DynamoDBSourceConfig(in, credentialsMayBeSecret);
        in.throwIfInvalid();
        return parsed;
    }

    private static String endpoint(ConfigReader in, String key) {
        String value = in.string(key, false, "");
        if (!value.isEmpty() && endpointUri(value).isEmpty()) {
            in.error(key, "must be an absolute http or https URL with a host, like 'http://localhost:8000', got "
                    + ConfigReader.echo(value));
        }
        return value;
    }

    private static Optional<URI> endpointUri(String value) {
        if (value.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(value);
            boolean http = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
            return http && uri.getHost() != null ? Optional.of(uri) : Optional.empty();
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    private Region signingRegion(ConfigReader in) {
        String arnRegion = null;
        if (tables.byName() && awsRegion.isEmpty()) {
            in.error("awsRegion", "required with tableName, tables, tableNamePrefix and tableTag: the tables' "
                    + "region, like 'eu-north-1' ('ddblocal' for DynamoDB Local)");
        }
        if (!awsDynamodbStreamArn.isEmpty()) {
            Matcher arn = STREAM_ARN.matcher(awsDynamodbStreamArn);
            if (arn.matches()) {
                arnRegion = arn.group(1);
            } else {
                in.error("awsDynamodbStreamArn", "must be a DynamoDB stream ARN like "
                        + "'arn:aws:dynamodb:<region>:<12-digit account>:table/<table>/stream/<label>', got "
                        + ConfigReader.echo(awsDynamodbStreamArn));
            }
        }
        if (!awsRegion.isEmpty()) {
            if (!isKnownRegion(awsRegion) && !DYNAMODB_LOCAL_REGION.equals(awsRegion)) {
                in.error("awsRegion", "must be an AWS region known to the SDK, like 'us-east-1' or 'eu-north-1', "
                        + "or empty to use the stream ARN's region, got " + ConfigReader.echo(awsRegion));
                return null;
            }
            return regionFor(awsRegion);
        }
        if (arnRegion == null) {
            return null;
        }
        if (!isKnownRegion(arnRegion) && !DYNAMODB_LOCAL_REGION.equals(arnRegion)) {
            in.error("awsDynamodbStreamArn", "its region '" + arnRegion
                    + "' is not an AWS region known to the SDK: set awsRegion to the region to sign requests for");
            return null;
        }
        return regionFor(arnRegion);
    }

    private static Region regionFor(String name) {
        // DynamoDB Local ignores the signing region but the SDK needs a real one
        return DYNAMODB_LOCAL_REGION.equals(name) ? Region.US_EAST_1 : Region.of(name);
    }

    private static boolean isKnownRegion(String name) {
        return Region.regions().stream().anyMatch(r -> r.id().equals(name));
    }

    private void checkApplicationName(ConfigReader in) {
        int length = applicationName.length();
        if (length < 3 || length > MAX_APPLICATION_NAME_LENGTH || !TABLE_NAME.matcher(applicationName).matches()) {
            in.error("applicationName", "must be 3 to " + MAX_APPLICATION_NAME_LENGTH
                    + " characters of a-z, A-Z, 0-9, '_', '-' and '.' (it names KCL's DynamoDB tables), got "
                    + ConfigReader.echo(applicationName));
        }
    }

    /** Static keys are checked here so a typo fails at start, not at the first AWS call; never echoes the value. */
    private void checkCredentials(ConfigReader in, boolean mayBeSecret) {
        String key = "awsCredentialPluginParam";
        if (!awsCredentialPluginName.isEmpty()) {
            if (!CLASS_NAME.matcher(awsCredentialPluginName).matches()) {
                in.error("awsCredentialPluginName", "must be the class name of an AwsCredentialProviderPlugin, like "
                        + "'org.apache.pulsar.io.aws.AwsDefaultProviderChainPlugin', or empty for static keys, got "
                        + ConfigReader.echo(awsCredentialPluginName));
            }
            return;  // the plugin defines its own parameter
        }
        if (in.hasErrorsFor(key)) {
            return;
        }
        if (awsCredentialPluginParam.isEmpty()) {
            if (!mayBeSecret) {
                in.error(key, "required when awsCredentialPluginName is empty: JSON static keys like "
                        + STATIC_KEYS_EXAMPLE + ", or set awsCredentialPluginName");
            }
            return;
        }
        JsonNode json;
        try {
            json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .readTree(awsCredentialPluginParam);
        } catch (JsonProcessingException e) {
            json = null;  // the parser's message may quote the secret: not reported
        }
        if (json == null || !json.isObject()) {
            in.error(key, "must be a JSON object like " + STATIC_KEYS_EXAMPLE
                    + " when awsCredentialPluginName is empty (value not shown: it is not a JSON object)");
            return;
        }
        for (String field : List.of("accessKey", "secretKey")) {
            JsonNode value = json.get(field);
            if (value == null || !value.isTextual() || value.asText().isBlank()) {
                in.error(key, "must contain a non-empty string \"" + field + "\" when awsCredentialPluginName is "
                        + "empty, like " + STATIC_KEYS_EXAMPLE);
            }
        }
        JsonNode token = json.get("sessionToken");
        if (token != null && !token.isNull() && !token.isTextual()) {
            in.error(key, "\"sessionToken\" must be a string when present");
        }
    }

    public String getAwsEndpoint() {
        return awsEndpoint;
    }

    /** awsEndpoint as a URI; empty when unset. */
    public Optional<URI> getAwsEndpointUri() {
        return endpointUri(awsEndpoint);
    }

    public String getDynamoEndpoint() {
        return dynamoEndpoint;
    }

    /** dynamoEndpoint as a URI; empty when unset. */
    public Optional<URI> getDynamoEndpointUri() {
        return endpointUri(dynamoEndpoint);
    }

    public String getCloudwatchEndpoint() {
        return cloudwatchEndpoint;
    }

    /** cloudwatchEndpoint as a URI; empty when unset. */
    public Optional<URI> getCloudwatchEndpointUri() {
        return endpointUri(cloudwatchEndpoint);
    }

    public String getAwsDynamodbStreamArn() {
        return awsDynamodbStreamArn;
    }

    /**
     * The region written in stream ARNs, e.g. "eu-north-1", or "ddblocal" for DynamoDB Local: the configured
     * ARN's, else awsRegion (tables named or discovered).
     */
    public String getStreamArnRegion() {
        return awsDynamodbStreamArn.isEmpty() ? awsRegion : arnPart(1);
    }

    /** The table name written in the stream ARN. */
    public String getStreamTableName() {
        return arnPart(2);
    }

    private String arnPart(int group) {
        Matcher arn = STREAM_ARN.matcher(awsDynamodbStreamArn);
        if (!arn.matches()) {
            throw new IllegalStateException("validated at load");
        }
        return arn.group(group);
    }

    /** The awsRegion key as given; "" when unset. */
    public String getAwsRegion() {
        return awsRegion;
    }

    /** The region requests are signed for: awsRegion, else the ARN's; us-east-1 for a DynamoDB Local ARN. */
    public Region getSigningRegion() {
        return signingRegion;
    }

    public String getAwsCredentialPluginName() {
        return awsCredentialPluginName;
    }

    /** Sensitive: never log it. */
    public String getAwsCredentialPluginParam() {
        return awsCredentialPluginParam;
    }

    public InitialPositionInStream getInitialPositionInStream() {
        return initialPositionInStream;
    }

    /** The start time as given, whatever the initial position; only AT_TIMESTAMP uses it. */
    public Optional<Instant> getStartAtTime() {
        return Optional.ofNullable(startAtTime);
    }

    public String getApplicationName() {
        return applicationName;
    }

    public long getCheckpointInterval() {
        return checkpointInterval;
    }

    public long getBackoffTime() {
        return backoffTime;
    }

    public int getNumRetries() {
        return numRetries;
    }

    public int getReceiveQueueSize() {
        return receiveQueueSize;
    }

    public long getPollInterval() {
        return pollInterval;
    }

    public MetricsLevel getMetricsLevel() {
        return metricsLevel;
    }

    public MessageKeyMode getMessageKeyMode() {
        return output.messageKeyMode();
    }

    /** Value format, tombstones and message key. */
    public OutputConfig getOutput() {
        return output;
    }

    /** Which records are published. */
    public FilterConfig getFilters() {
        return filters;
    }

    /** Whether and how the table's items are read before its stream. */
    public SnapshotConfig getSnapshot() {
        return snapshot;
    }

    /** How often the connector's metrics are reported to Pulsar. */
    public MetricsReportConfig getMetricsReport() {
        return metricsReport;
    }

    /** Which tables are read, and their topics. */
    public TablesConfig getTables() {
        return tables;
    }

    /** Every key with its value; sensitive values show as ****** when set. */
    @Override
    public String toString() {
        StringJoiner out = new StringJoiner(", ", "DynamoDBSourceConfig{", "}");
        FieldDocs.describe(this, out);
        FieldDocs.describe(output, out);
        FieldDocs.describe(filters, out);
        FieldDocs.describe(snapshot, out);
        FieldDocs.describe(metricsReport, out);
        FieldDocs.describe(tables, out);
        return out.toString();
    }
}
