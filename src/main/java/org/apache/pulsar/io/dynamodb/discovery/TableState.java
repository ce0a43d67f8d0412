package org.apache.pulsar.io.dynamodb.discovery;

import java.util.Optional;

/**
 * One table as DescribeTable shows it.
 *
 * @param name             the table's name
 * @param exists           false once the table is deleted (or was never there)
 * @param tableArn         the table's ARN; null when it does not exist
 * @param enabledStreamArn the stream that gets the table's changes; null when the table has no enabled stream
 *                         (DescribeTable's LatestStreamArn still names a disabled stream: StreamSpecification tells)
 * @param streamViewType   the enabled stream's view type (e.g. NEW_AND_OLD_IMAGES); null without one, or unknown
 */
public record TableState(String name, boolean exists, String tableArn, String enabledStreamArn,
                         String streamViewType) {

    /** A table whose stream's view type is not known. */
    public TableState(String name, boolean exists, String tableArn, String enabledStreamArn) {
        this(name, exists, tableArn, enabledStreamArn, null);
    }

    /** A table that does not exist. */
    public static TableState missing(String name) {
        return new TableState(name, false, null, null, null);
    }

    /** The stream to read now, if the table has one. */
    public Optional<String> stream() {
        return Optional.ofNullable(enabledStreamArn);
    }
}
