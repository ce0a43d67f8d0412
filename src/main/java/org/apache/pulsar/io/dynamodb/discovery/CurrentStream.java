package org.apache.pulsar.io.dynamodb.discovery;

import software.amazon.awssdk.core.exception.SdkException;

/** Finds the stream a table named by tableName writes its changes to now. */
public final class CurrentStream {

    private CurrentStream() {
    }

    /** The table's enabled stream's ARN, or IllegalStateException with a one-line reason. */
    public static String of(TableCatalog catalog, String table, String region) {
        TableState state;
        try {
            state = catalog.describe(table);
        } catch (SdkException e) {
            throw new IllegalStateException("DescribeTable of table '" + table + "' (tableName) failed: " + e.getMessage()
                    + "; check the credentials, dynamoEndpoint and the IAM policy (dynamodb:DescribeTable)", e);
        }
        if (!state.exists()) {
            throw new IllegalStateException("Table '" + table + "' (tableName) does not exist in region " + region
                    + " (check tableName, awsRegion and dynamoEndpoint)");
        }
        return state.stream().orElseThrow(() -> new IllegalStateException("Table '" + table + "' (tableName) has no "
                + "enabled stream: enable its stream (e.g. aws dynamodb update-table --table-name " + table
                + " --stream-specification StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES)"));
    }
}
