package org.apache.pulsar.io.dynamodb.discovery;

import java.util.List;
import java.util.Map;

/** The DynamoDB calls table discovery needs; small so that tests can answer them (DynamoDB Local has no tags). */
public interface TableCatalog {

    /** Every table name of the account and region (ListTables, all pages). */
    List<String> tableNames();

    /** The table's state (DescribeTable); {@link TableState#missing} when it does not exist. */
    TableState describe(String table);

    /** The table's tags (ListTagsOfResource, all pages). */
    Map<String, String> tags(String tableArn);
}
