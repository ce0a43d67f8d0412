package org.apache.pulsar.io.dynamodb.config;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.pulsar.io.core.annotations.FieldDoc;

/** Which tables the source reads, by name or discovered, and which topic each goes to: validated, immutable. */
public final class TablesConfig {

    /** This concern's config keys, in declaration order. */
    public static final List<String> KEYS = FieldDocs.keys(TablesConfig.class);

    /** The placeholder topicPattern replaces with the table's name. */
    public static final String TABLE_PLACEHOLDER = "{table}";
    static final long MIN_DISCOVERY_INTERVAL_MILLIS = 1_000;
    private static final Pattern TABLE_NAME = Pattern.compile("[a-zA-Z0-9_.-]{3,255}");
    // Pulsar's topic name rules: tenant and namespace of [a-zA-Z0-9_=:.-], a local name without '/'.
    private static final Pattern TOPIC = Pattern.compile(
            "((persistent|non-persistent)://[a-zA-Z0-9_=:.-]+/[a-zA-Z0-9_=:.-]+/)?[a-zA-Z0-9_=:.%-]+");
    private static final Pattern TAG = Pattern.compile("([^=]+)=(.*)");

    @FieldDoc(required = false, defaultValue = "",
            help = "Name of the table to read instead of awsDynamodbStreamArn: the connector finds the table's "
                    + "current stream itself (awsRegion required)")
    private final String tableName;

    @FieldDoc(required = false, defaultValue = "",
            help = "Several tables for one source, on one KCL scheduler: a list of table names (or one "
                    + "comma-separated string). Re-enabled streams are followed without a restart (awsRegion "
                    + "required)")
    private final List<String> tables;

    @FieldDoc(required = false, defaultValue = "",
            help = "Discover the tables to read: every table whose name starts with this (awsRegion required)")
    private final String tableNamePrefix;

    @FieldDoc(required = false, defaultValue = "",
            help = "Discover the tables to read: every table with this tag, as key=value (with tableNamePrefix: "
                    + "tables that match both); needs dynamodb:ListTagsOfResource")
    private final String tableTag;

    @FieldDoc(required = false, defaultValue = "60000",
            help = "Milliseconds between two looks at the tables (tables, tableNamePrefix, tableTag): new tables, "
                    + "deleted tables, disabled and re-enabled streams; at least 1000")
    private final long discoveryInterval;

    @FieldDoc(required = false, defaultValue = "",
            help = "With tables, tableNamePrefix or tableTag: each table's topic, with {table} for the table's "
                    + "name, e.g. persistent://public/default/dynamodb-{table}; empty: every table to the "
                    + "source's topic, with a TABLE_NAME property")
    private final String topicPattern;

    private TablesConfig(String tableName, List<String> tables, String tableNamePrefix, String tableTag,
                         long discoveryInterval, String topicPattern) {
        this.tableName = tableName;
        this.tables = tables;
        this.tableNamePrefix = tableNamePrefix;
        this.tableTag = tableTag;
        this.discoveryInterval = discoveryInterval;
        this.topicPattern = topicPattern;
    }

    /**
     * Reads and checks this concern's keys; problems go to the reader as one-line errors.
     *
     * @param streamArnGiven whether awsDynamodbStreamArn is set: then none of the table keys may be
     */
    public static TablesConfig read(ConfigReader in, boolean streamArnGiven) {
        String tableName = in.string("tableName", false, "");
        List<String> tables = in.stringList("tables").orElse(List.of());
        String prefix = in.string("tableNamePrefix", false, "");
        String tag = in.string("tableTag", false, "");
        long interval = in.longValue("discoveryInterval", 60_000, MIN_DISCOVERY_INTERVAL_MILLIS, Long.MAX_VALUE,
                "a whole number of milliseconds, at least " + MIN_DISCOVERY_INTERVAL_MILLIS);
        String pattern = in.string("topicPattern", false, "");
        TablesConfig config = new TablesConfig(tableName, List.copyOf(tables), prefix, tag, interval, pattern);

        boolean discovered = !prefix.isEmpty() || !tag.isEmpty();
        int ways = (streamArnGiven ? 1 : 0) + (tableName.isEmpty() ? 0 : 1) + (tables.isEmpty() ? 0 : 1)
                + (discovered ? 1 : 0);
        if (ways == 0) {
            in.error("awsDynamodbStreamArn", "required: the ARN of the table's stream, like "
                    + "'arn:aws:dynamodb:eu-north-1:123456789012:table/orders/stream/2026-01-02T03:04:05.123', "
                    + "or set tableName, tables, tableNamePrefix or tableTag instead");
        } else if (ways > 1) {
            in.error("tableName", "give exactly one of awsDynamodbStreamArn, tableName, tables and "
                    + "tableNamePrefix/tableTag");
        }
        if (!tableName.isEmpty() && !TABLE_NAME.matcher(tableName).matches()) {
            in.error("tableName", "must be a DynamoDB table name (3 to 255 characters of a-z, A-Z, 0-9, '_', '-' "
                    + "and '.'), got " + ConfigReader.echo(tableName));
        }
        tables.stream().filter(name -> !TABLE_NAME.matcher(name).matches()).findFirst().ifPresent(name ->
                in.error("tables", "each must be a DynamoDB table name (3 to 255 characters of a-z, A-Z, 0-9, '_', "
                        + "'-' and '.'), got " + ConfigReader.echo(name)));
        if (!tag.isEmpty() && (!TAG.matcher(tag).matches() || tag.startsWith("="))) {
            in.error("tableTag", "must be key=value, like 'team=payments', got " + ConfigReader.echo(tag));
        }
        if (!pattern.isEmpty()) {
            if (!config.multiTable()) {
                in.error("topicPattern", "needs tables, tableNamePrefix or tableTag (one table goes to the "
                        + "source's topic)");
            } else if (!pattern.contains(TABLE_PLACEHOLDER)
                    || !TOPIC.matcher(pattern.replace(TABLE_PLACEHOLDER, "table.name_1-a")).matches()) {
                in.error("topicPattern", "must be a Pulsar topic name with {table} for the table's name, like "
                        + "'persistent://public/default/dynamodb-{table}', got " + ConfigReader.echo(pattern));
            }
        }
        return config;
    }

    /** The one table named by tableName. */
    public Optional<String> tableName() {
        return tableName.isEmpty() ? Optional.empty() : Optional.of(tableName);
    }

    /** Whether the source reads tables (tables, tableNamePrefix or tableTag) on one multi-stream scheduler. */
    public boolean multiTable() {
        return !tables.isEmpty() || !tableNamePrefix.isEmpty() || !tableTag.isEmpty();
    }

    /** Whether the source reads tables, but neither by ARN nor by tableName: the region must be given. */
    public boolean byName() {
        return !tableName.isEmpty() || multiTable();
    }

    /** Whether messages say which table they come from: more than one table can be read. */
    public boolean namesTableInMessages() {
        return tables.size() > 1 || !tableNamePrefix.isEmpty() || !tableTag.isEmpty();
    }

    /** The listed table names; empty when tables are discovered. */
    public List<String> tables() {
        return tables;
    }

    public String tableNamePrefix() {
        return tableNamePrefix;
    }

    /** The tag's key; empty when tables are not discovered by tag. */
    public Optional<String> tagKey() {
        return tableTag.isEmpty() ? Optional.empty() : Optional.of(tableTag.substring(0, tableTag.indexOf('=')));
    }

    /** The tag's value; empty when tables are not discovered by tag. */
    public Optional<String> tagValue() {
        return tableTag.isEmpty() ? Optional.empty() : Optional.of(tableTag.substring(tableTag.indexOf('=') + 1));
    }

    public long discoveryIntervalMillis() {
        return discoveryInterval;
    }

    /** Whether topicPattern sends each table to a topic of its own. */
    public boolean perTableTopics() {
        return !topicPattern.isEmpty();
    }

    /** The table's own topic by topicPattern; empty when every table goes to the source's topic. */
    public Optional<String> topicFor(String table) {
        return !perTableTopics() ? Optional.empty() : Optional.of(topicPattern.replace(TABLE_PLACEHOLDER, table));
    }
}
