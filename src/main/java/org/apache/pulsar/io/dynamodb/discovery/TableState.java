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
 */
public record TableState(String name, boolean exists, String tableArn, String enabledStreamArn) {

    /** A table that does not exist. */
    public static TableState missing(String name) {
        return new TableState(name, false, null, null);
    }

    /** The stream to read now, if the table has one. */
    public Optional<String> stream() {
        return Optional.ofNullable(enabledStreamArn);
    }
}
